import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { ROOT } from './widget-browser.js';

/**
 * What the console's browser test needs besides Chromium: the bundle built when stale, the
 * service listening on a free port, and axe-core run in the page.
 */

export async function ensureConsoleBuilt(): Promise<void> {
  const build = (await import(pathToFileURL(join(ROOT, 'scripts/build-console.mjs')).href)) as {
    ensureConsoleBuilt(): Promise<unknown>;
  };
  await build.ensureConsoleBuilt();
}

export async function listenOnFreePort(
  app: Parameters<typeof createServer>[1],
): Promise<{ server: Server; base: string; close: () => Promise<void> }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const AXE_SOURCE = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core's WCAG 2 A/AA rules on the page; the serious and critical violations. Evaluated
 * through the DevTools protocol, which the page's Content-Security-Policy does not block.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  // A string: this file is typed for node, without the DOM.
  const violations = (await page.evaluate(`(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)),
    }));
  })()`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
