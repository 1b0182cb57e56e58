import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express, { type Express } from 'express';
import helmet from 'helmet';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createWidgetRoutes } from '../../src/chat/widget-routes.js';
import { createErrorHandler, notFoundHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/logger.js';
import { CHROMIUM, CHROMIUM_FLAGS } from './chromium.js';
import {
  createFakeChatServer,
  type FakeChatServer,
  type FakeChatServerOptions,
} from './fake-chat-server.js';

/**
 * The real widget bundle in Debian's Chromium (services.md, "Browser tests"), on the demo page
 * of a service that runs in-process: helmet as in app.ts, the widget routes, and the fake chat
 * endpoints of test/helpers/fake-chat-server.ts at /chat.
 */

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

interface BuildModule {
  ensureWidgetBuilt(): Promise<{ outfile: string; bytes: number; rebuilt: boolean }>;
}

export interface WidgetBrowser {
  /** Serves `app` on a free port of `host` until the test ends. */
  listen(app: Express, host: string): Promise<{ server: Server; port: number }>;
  /**
   * The service: helmet, the fake /chat endpoints, the widget routes, the one error handler;
   * and `pages`, site pages by path.
   */
  startService(
    options?: FakeChatServerOptions & { pages?: Record<string, string> },
  ): Promise<{ baseUrl: string; fake: FakeChatServer }>;
  /** A browser context closed when the test ends. */
  newContext(options: BrowserContextOptions): Promise<BrowserContext>;
}

/** Builds the widget and starts Chromium for the file's tests; closes what each test opened. */
export function useWidgetBrowser(): WidgetBrowser {
  let browser: Browser;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `The widget browser test needs Chromium at ${CHROMIUM}: run \`apt-get install -y chromium\` ` +
          '(never `playwright install`; see services.md).',
      );
    }
    // Builds dist/widget/widget.js when it is missing or older than its sources.
    const build = (await import(
      pathToFileURL(join(ROOT, 'scripts/build-widget.mjs')).href
    )) as BuildModule;
    await build.ensureWidgetBuilt();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function listen(app: Express, host: string) {
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    return { server, port: (server.address() as AddressInfo).port };
  }

  async function startService(
    options: FakeChatServerOptions & { pages?: Record<string, string> } = {},
  ) {
    const { pages = {}, ...fakeOptions } = options;
    const app = express();
    app.disable('x-powered-by');
    app.use(helmet());
    const { port } = await listen(app, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${port}`;
    const fake = createFakeChatServer({ ownOrigin: baseUrl, ...fakeOptions });
    app.use('/chat', fake.router);
    for (const [path, html] of Object.entries(pages)) app.get(path, (_req, res) => res.send(html));
    app.use(createWidgetRoutes({ publicBaseUrl: baseUrl }));
    app.use(notFoundHandler);
    app.use(createErrorHandler(silentLogger));
    return { baseUrl, fake };
  }

  async function newContext(options: BrowserContextOptions) {
    const context = await browser.newContext(options);
    cleanups.push(() => context.close());
    return context;
  }

  return { listen, startService, newContext };
}

/** Opens a page and collects console errors and uncaught exceptions (CSP and CORS show here). */
export async function openPage(
  context: BrowserContext,
  url: string,
): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { page, errors };
}

export const launcherOf = (page: Page) => page.getByRole('button', { name: 'Open chat with Ada' });
