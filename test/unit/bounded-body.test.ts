import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { readJsonBody } from '../../src/chat/chat-public-body.js';
import { createErrorHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/logger.js';
import { readRawBody } from '../../webhooks/marketo/raw-body.js';

/** Both body readers of the service on one app: the webhook's raw bytes and the chat's JSON. */
function app() {
  const a = express();
  a.post('/raw', readRawBody(64), (req, res) => {
    res.json({ bytes: (req.body as Buffer).length });
  });
  a.post('/json', readJsonBody(64), (req, res) => {
    res.json({ body: req.body as unknown });
  });
  a.use(createErrorHandler(silentLogger));
  return a;
}

describe('bounded request bodies (src/http/bounded-body.ts)', () => {
  it.each(['/raw', '/json'])(
    'when %s gets a body within the limit, then it is read whole',
    async (path) => {
      const res = await request(app())
        .post(path)
        .set('content-type', 'application/json')
        .send('{"a":1}');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(path === '/raw' ? { bytes: 7 } : { body: { a: 1 } });
    },
  );

  it.each([
    [
      'a Content-Length over the limit',
      (r: request.Test) => r.send(JSON.stringify({ a: 'x'.repeat(100) })),
      'BODY_TOO_LARGE',
    ],
    [
      'a compressed body',
      (r: request.Test) => r.set('content-encoding', 'gzip').send('{"a":1}'),
      'UNSUPPORTED_ENCODING',
    ],
  ])('when it gets %s, then both readers answer 400 naming the body', async (_what, send, code) => {
    for (const path of ['/raw', '/json']) {
      const res = await send(request(app()).post(path).set('content-type', 'application/json'));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code, field: 'body' });
    }
  });

  it('when the chat gets a form or invalid JSON, then 415 and 400 name the body', async () => {
    const form = await request(app()).post('/json').type('form').send('a=1');
    expect(form.status).toBe(415);
    const bad = await request(app()).post('/json').set('content-type', 'text/plain').send('{nope');
    expect(bad.body.error).toMatchObject({ code: 'INVALID_JSON', field: 'body' });
  });
});
