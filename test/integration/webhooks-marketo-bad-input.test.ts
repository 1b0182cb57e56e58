import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWebhookTestApp, WEBHOOK_SECRET as SECRET } from '../helpers/marketo-webhook-app.js';

const setup = () => createWebhookTestApp();

describe('POST /webhooks/marketo/lead with bad input', () => {
  it.each([
    ['malformed JSON', '{"id": 5, "email": ', 'INVALID_JSON', 'body'],
    ['a JSON array', '[{"id": 5}]', 'VALIDATION_FAILED', 'body'],
    ['no lead at all', '{"firstName": "Ann"}', 'VALIDATION_FAILED', 'id'],
    ['an email but no id', '{"email": "a@b.com"}', 'VALIDATION_FAILED', 'id'],
    ['an empty id token', '{"id": "", "email": "a@b.com"}', 'VALIDATION_FAILED', 'id'],
    ['an id that is not a lead id', '{"id": "12abc"}', 'VALIDATION_FAILED', 'id'],
    ['an id past 32 bits', '{"id": 4294967296}', 'VALIDATION_FAILED', 'id'],
    ['an infinite number', '{"id": 5, "score": 1e400}', 'VALIDATION_FAILED', 'score'],
    [
      'an email past 254 characters',
      `{"id": 5, "email": "${'a'.repeat(250)}@b.com"}`,
      'VALIDATION_FAILED',
      'email',
    ],
    [
      'a field name past 255 characters',
      `{"id": 5, "${'n'.repeat(256)}": 1}`,
      'VALIDATION_FAILED',
      'n'.repeat(256),
    ],
    [
      'a value nested too deep',
      `{"id": 5, "x": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
      'VALIDATION_FAILED',
      'x',
    ],
  ])(
    'when the body holds %s, then 400 names the field and nothing is stored',
    async (_what, body, code, field) => {
      const { store, post } = setup();

      const res = await post(body);

      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code, field });
      expect(await store.countLeads()).toBe(0);
    },
  );

  it('when the id is missing, then the message says which token to add', async () => {
    const { post } = setup();

    const res = await post('{"email": "a@b.com"}');

    expect(res.body.error.message).toContain('{{lead.Id}}');
  });

  it('when the body is over 64 kB, then 400 BODY_TOO_LARGE names the body and nothing is stored', async () => {
    const { store, post } = setup();

    const res = await post(JSON.stringify({ id: 5, notes: 'x'.repeat(70_000) }));

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: { code: 'BODY_TOO_LARGE', message: expect.any(String), field: 'body' },
    });
    expect(await store.countLeads()).toBe(0);
  });

  it('when a chunked body with no length grows over 64 kB, then 400 BODY_TOO_LARGE', async () => {
    const { app, store } = setup();
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const call = http.request({
        port: (server.address() as AddressInfo).port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/webhooks/marketo/lead',
        headers: { 'x-webhook-secret': SECRET, 'content-type': 'application/json' },
      });
      const answered = once(call, 'response') as Promise<[http.IncomingMessage]>;
      call.write('{"id": 5, "notes": "');
      for (let i = 0; i < 20; i += 1) call.write('x'.repeat(4_096));
      call.end('"}');
      const [res] = await answered;
      let text = '';
      for await (const chunk of res) text += String(chunk);

      expect(call.getHeader('content-length')).toBeUndefined();
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(text).error).toMatchObject({ code: 'BODY_TOO_LARGE', field: 'body' });
      expect(await store.countLeads()).toBe(0);
    } finally {
      server.close();
    }
  });

  it('when the body is compressed, then 400 names the body', async () => {
    const { post } = setup();

    const res = await post('{"id": 5}').set('content-encoding', 'gzip');

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'UNSUPPORTED_ENCODING', field: 'body' });
  });

  it('when arbitrary bodies arrive, then the answer is never a 5xx', async () => {
    const { post } = setup();
    const bodies = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 4 }),
      fc
        .dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }))
        .map((o) => JSON.stringify(o)),
      fc
        .record({ id: fc.oneof(fc.integer(), fc.string(), fc.double()) }, { noNullPrototype: true })
        .map((o) => JSON.stringify(o)),
    );
    const types = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      null,
    );

    await fc.assert(
      fc.asyncProperty(bodies, types, async (body, type) => {
        const res = await post(body, type);
        expect(res.status, `${type} ${body}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});
