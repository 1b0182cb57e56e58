import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { AppError } from '../errors.js';
import { chatEventTypeSchema } from '../records/chat-event.js';
import { matchesIfNoneMatch } from './chat-public-document.js';
import { escapeHtml } from '../http/html-page.js';

export interface WidgetRoutesDeps {
  /** PUBLIC_BASE_URL, e.g. `https://chat.example.com`: the demo page's script tag points here. */
  publicBaseUrl: string;
  /** The built bundle; by default dist/widget/widget.js of this project. */
  widgetFile?: string;
}

/** Browsers and CDNs may keep the widget five minutes, then revalidate with its ETag. */
const WIDGET_CACHE_CONTROL = 'public, max-age=300';

/**
 * The embeddable widget and its demo, mounted on the app root:
 * - GET /widget.js  the bundle from `npm run build:widget`, strong ETag, 304, 503 if not built;
 * - GET /demo       "Acme Analytics", a page with the one script tag and a log of its events;
 * - GET /demo-events.js  the demo's event logger (an external file: helmet's CSP has no inline
 *   scripts).
 */
export function createWidgetRoutes(deps: WidgetRoutesDeps): Router {
  const bundle = createBundleReader(deps.widgetFile);
  const serviceOrigin = new URL(deps.publicBaseUrl).origin;
  const router = Router();

  router.get('/widget.js', async (req, res) => {
    const file = await bundle();
    if (!file) {
      throw new AppError(
        'WIDGET_NOT_BUILT',
        'The chat widget is not built: run `npm run build:widget`.',
        {
          httpStatus: 503,
        },
      );
    }
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', WIDGET_CACHE_CONTROL);
    res.setHeader('ETag', file.etag);
    // helmet says same-origin; the whole point of this file is to load on other sites.
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    // Lets a site load it with `crossorigin` and Subresource Integrity.
    res.setHeader('Access-Control-Allow-Origin', '*');
    if (matchesIfNoneMatch(req.headers['if-none-match'], file.etag)) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Length', file.body.length);
    res.end(file.body);
  });

  router.get('/demo', (_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    // The policy a customer's site needs for the widget, which the demo page also shows.
    res.setHeader(
      'Content-Security-Policy',
      [
        "default-src 'self'",
        `script-src 'self' ${serviceOrigin}`,
        `connect-src 'self' ${serviceOrigin}`,
        "img-src 'self' data: https:",
        "style-src 'self' 'unsafe-inline'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'self'",
      ].join('; '),
    );
    res.send(renderDemoPage(deps.publicBaseUrl.replace(/\/+$/, '')));
  });

  router.get('/demo-events.js', (_req, res) => {
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.send(DEMO_EVENTS_SCRIPT);
  });

  return router;
}

interface Bundle {
  body: Buffer;
  etag: string;
}

/** Reads the bundle again only when its size or mtime changed, so a rebuild is served at once. */
function createBundleReader(widgetFile: string | undefined): () => Promise<Bundle | null> {
  let cached: { key: string; bundle: Bundle } | undefined;
  return async () => {
    const file = widgetFile ?? defaultWidgetFile();
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return null;
    const key = `${file}:${info.size}:${info.mtimeMs}`;
    if (cached?.key !== key) {
      const body = await readFile(file);
      const hash = createHash('sha256').update(body).digest('base64url').slice(0, 32);
      cached = { key, bundle: { body, etag: `"${hash}"` } };
    }
    return cached.bundle;
  };
}

/** dist/widget/widget.js, from src/chat/ (tsx, tests) and from dist/src/chat/ (the build). */
function defaultWidgetFile(): string {
  const fromSource = fileURLToPath(new URL('../../dist/widget/widget.js', import.meta.url));
  const fromBuild = fileURLToPath(new URL('../../widget/widget.js', import.meta.url));
  return existsSync(fromSource) ? fromSource : fromBuild;
}

/** Every widget event, as the widget's README documents them. */
const EVENTS = ['ready', 'unavailable', ...chatEventTypeSchema.options];

/** Logs each `marketo-chat:*` event into #event-log; an external file, loaded before the widget. */
const DEMO_EVENTS_SCRIPT = `(function () {
  var log = document.getElementById('event-log');
  ${JSON.stringify(EVENTS)}.forEach(function (name) {
    window.addEventListener('marketo-chat:' + name, function (event) {
      var item = document.createElement('li');
      item.setAttribute('data-event', name);
      item.setAttribute('data-detail', JSON.stringify(event.detail));
      var title = document.createElement('strong');
      title.textContent = 'marketo-chat:' + name;
      var detail = document.createElement('code');
      detail.textContent = JSON.stringify(event.detail);
      item.append(title, ' ', detail);
      log.appendChild(item);
    });
  });
  // The JS API: the button opens the dialogue this page was served, as a conversational flow.
  var flow = document.getElementById('open-flow');
  window.addEventListener('marketo-chat:ready', function (event) {
    var dialogue = event.detail && event.detail.dialogue;
    if (!dialogue || !flow) return;
    flow.hidden = false;
    flow.addEventListener('click', function () {
      window.MarketoChat.open(dialogue.id);
    });
  });
})();
`;

/** A fictional company's page that embeds the widget exactly as a customer would. */
function renderDemoPage(baseUrl: string): string {
  const tag = `<script src="${escapeHtml(baseUrl)}/widget.js" async></script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Analytics - chat widget demo</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1d2433; background: #f6f8fb; }
  header { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 24px; padding: 16px 32px; background: #0f2747; color: #fff; }
  header strong { font-size: 1.25rem; }
  header nav { display: flex; flex-wrap: wrap; gap: 4px 16px; opacity: .85; }
  main { max-width: 880px; margin: 0 auto; padding: 32px; }
  .hero { padding: 32px; border-radius: 12px; background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
  .hero h1 { margin-top: 0; font-size: 2rem; }
  section { margin-top: 32px; }
  pre { overflow-x: auto; padding: 12px; border-radius: 8px; background: #0f2747; color: #d7e4ff; }
  p code { overflow-wrap: anywhere; }
  /* A phone: nothing wider than the screen, or it zooms out of the page (and its chat). */
  @media (max-width: 480px) {
    header, main { padding-left: 16px; padding-right: 16px; }
    .hero { padding: 20px; }
    .hero h1 { font-size: 1.5rem; }
  }
  #event-log { padding-left: 20px; font-size: .9rem; }
  #event-log li { margin: 4px 0; }
  #event-log code { overflow-wrap: anywhere; color: #44506a; }
</style>
</head>
<body>
<header><strong>Acme Analytics</strong><nav><span>Product</span><span>Pricing</span><span>Customers</span></nav></header>
<main>
  <div class="hero">
    <h1>Dashboards your whole team understands</h1>
    <p>Acme Analytics turns your product data into answers in minutes. This page is a demo of the
    chat widget: the chat button in the corner is served by this service and plays the dialogue
    that targets this page.</p>
  </div>
  <section>
    <h2>Install it on your site</h2>
    <p>One tag, anywhere in the page:</p>
    <pre><code>${escapeHtml(tag)}</code></pre>
    <p>With a Content-Security-Policy, allow <code>script-src</code> and <code>connect-src</code>
    <code>${escapeHtml(new URL(baseUrl).origin)}</code>, and <code>img-src</code> your bot avatar's host.</p>
  </section>
  <section>
    <h2>Open it from the page</h2>
    <p>A conversational flow starts on a click: <code>window.MarketoChat.open(dialogueId)</code>,
    or a link <code>&lt;a data-marketo-chat="dialogueId"&gt;</code>; the visitor passes the
    same targeting checks. <code>window.MarketoChat.restart()</code> starts it over.</p>
    <p><button type="button" id="open-flow" hidden>Chat with us</button></p>
  </section>
  <section>
    <h2>Events this page received</h2>
    <p>Sites listen with <code>window.addEventListener('marketo-chat:engaged', ...)</code>.</p>
    <ol id="event-log" aria-live="polite"></ol>
  </section>
</main>
<script src="demo-events.js"></script>
${tag}
</body>
</html>
`;
}
