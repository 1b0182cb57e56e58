import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ROOT } from './widget-browser.js';

/**
 * Site pages and what the browser tests of issue 11 read from them
 * (test/integration/widget-answers-browser.test.ts, widget-flows-browser.test.ts).
 */

/** Screenshots of what the visitor sees, for people to look at (test-artifacts is ignored). */
export const shot = (p: Page, name: string) => {
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  return p.screenshot({ path: join(ROOT, `test-artifacts/widget-${name}.png`) });
};

/** A site's page in `lang` with the widget's tag (and a phone's viewport tag). */
export const page = (lang: string, body = '') => `<!doctype html><html lang="${lang}"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme</title><link rel="icon" href="data:,"></head><body>
<h1>Acme</h1>${body}<script src="/widget.js" async></script></body></html>`;

/** Records the page's events, answers the document's host, fails a missing step in 5 s. */
export async function prepare(context: BrowserContext): Promise<BrowserContext> {
  // A step that cannot happen fails in seconds, naming the step, not at the test's timeout.
  context.setDefaultTimeout(5_000);
  // The page's `marketo-chat:*` events, heard from before the widget loads (a string: the
  // tests are type-checked without the DOM's types).
  await context.addInitScript({
    content: `window.heard = [];
      ['ready', 'answered', 'completed', 'unavailable', 'meeting-booked'].forEach(function (name) {
        window.addEventListener('marketo-chat:' + name, function (event) {
          window.heard.push({ name: name, detail: event.detail });
        });
      });`,
  });
  // The document's host: a tab opened on it gets a small text instead of the internet.
  await context.route('https://acme.example/**', (route) =>
    route.fulfill({ contentType: 'text/plain', body: 'the guide' }),
  );
  return context;
}

export interface Heard {
  name: string;
  detail: Record<string, unknown>;
}
export const heard = (p: Page) => p.evaluate<Heard[]>('window.heard');
/** Calls window.MarketoChat as a page script would. */
export const marketoChat = (p: Page, call: string) =>
  p.evaluate<unknown>(`window.MarketoChat.${call}`);

export async function eventually(
  check: () => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What the visitor sees in a conversation, as `bot: text` / `visitor: text`. */
export async function transcript(p: Page, within?: string): Promise<string[]> {
  const lines: string[] = [];
  const root = within ? p.locator(within) : p;
  for (const row of await root.locator('.log .msg[data-from]').all()) {
    lines.push(
      `${await row.getAttribute('data-from')}: ${await row.locator('.text').textContent()}`,
    );
  }
  return lines;
}
