import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { createWidgetRoutes } from '../../src/chat/widget-routes.js';
import { createErrorHandler, notFoundHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/logger.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('widget routes', () => {
  // The routes serve dist/widget/widget.js: build it here rather than rely on another test file
  // having built it first (files run in any order, in parallel).
  beforeAll(async () => {
    const build = (await import(pathToFileURL(join(ROOT, 'scripts/build-widget.mjs')).href)) as {
      ensureWidgetBuilt(): Promise<unknown>;
    };
    await build.ensureWidgetBuilt();
  }, 60_000);

  const app = (widgetFile?: string) => {
    const a = express();
    a.use(helmet());
    a.use(
      createWidgetRoutes({
        publicBaseUrl: 'https://chat.acme.example',
        ...(widgetFile ? { widgetFile } : {}),
      }),
    );
    a.use(notFoundHandler);
    a.use(createErrorHandler(silentLogger));
    return a;
  };

  it('when /widget.js is asked for, then it is JavaScript with a strong ETag, cacheable and loadable cross-origin', async () => {
    const res = await request(app()).get('/widget.js').expect(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['etag']).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.text).toContain('marketo-chat:');

    const again = await request(app())
      .get('/widget.js')
      .set('If-None-Match', `W/"other", ${res.headers['etag']}`)
      .expect(304);
    expect(again.headers['etag']).toBe(res.headers['etag']);
    expect(again.text).toBe('');
  });

  it('when the widget is not built, then /widget.js answers 503 JSON saying how to build it', async () => {
    const res = await request(app(join(ROOT, 'dist/widget/missing.js')))
      .get('/widget.js')
      .expect(503);
    expect(res.body).toEqual({
      error: { code: 'WIDGET_NOT_BUILT', message: expect.stringContaining('npm run build:widget') },
    });
  });

  it('when /demo is asked for, then the page has the one script tag on the public URL and a policy that allows it', async () => {
    const res = await request(app()).get('/demo').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<script src="https://chat.acme.example/widget.js" async></script>');
    expect(res.text).toContain('Acme Analytics');
    expect(res.headers['content-security-policy']).toContain(
      "script-src 'self' https://chat.acme.example",
    );
    expect(res.headers['content-security-policy']).toContain(
      "connect-src 'self' https://chat.acme.example",
    );
    await request(app())
      .get('/demo-events.js')
      .expect('Content-Type', /javascript/)
      .expect(200);
  });
});
