import { Writable } from 'node:stream';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createSequentialIds } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { ADMIN_AUTH, TEST_SECRETS, useHarnessService } from '../helpers/test-service.js';

const services = useHarnessService();

type Line = Record<string, unknown>;

/** A service whose logs (debug and up) are captured as parsed lines and as raw text. */
async function setUp(env: Record<string, string> = {}) {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(chunk.toString('utf8'));
      done();
    },
  });
  const { harness, service } = await services.open({ sandbox: { seedLeads: 0 } }, env, {
    logger: createLogger({ level: 'debug', destination }),
    ids: createSequentialIds('gen'),
  });
  const lines = () =>
    raw
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line);
  const accessLines = () =>
    lines().filter((l) => l['msg'] === 'request completed' || l['msg'] === 'request failed');
  return { app: service.app, harness, raw: () => raw.join(''), lines, accessLines };
}

describe('access logs with request ids', () => {
  it('when a request comes with a plain X-Request-Id, then it is echoed and its one access line has method, route pattern, status, duration and that id', async () => {
    const { app, accessLines } = await setUp();
    const res = await request(app)
      .get('/api/leads/4242')
      .set(ADMIN_AUTH)
      .set('X-Request-Id', 'edge-7f3a.1')
      .expect(404);
    expect(res.headers['x-request-id']).toBe('edge-7f3a.1');
    const mine = accessLines().filter((l) => l['requestId'] === 'edge-7f3a.1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      method: 'GET',
      route: '/api/leads/:id',
      status: 404,
    });
    expect(typeof mine[0]!['durationMs']).toBe('number');
  });

  it('when X-Request-Id is missing or not a plain short token, then an id from the injected ids is used and echoed instead', async () => {
    const { app, accessLines } = await setUp();
    const hostile = await request(app)
      .get('/chat/config')
      .set('X-Request-Id', 'x" forged=1 {')
      .expect(200);
    const none = await request(app).get('/chat/config').expect(200);
    for (const res of [hostile, none]) {
      expect(res.headers['x-request-id']).toMatch(/^gen-\d+$/);
      expect(accessLines().some((l) => l['requestId'] === res.headers['x-request-id'])).toBe(true);
    }
    expect(hostile.headers['x-request-id']).not.toBe(none.headers['x-request-id']);
    expect(JSON.stringify(accessLines())).not.toContain('forged');
  });

  it('when the Call Webhook sends its secret in the query, and a visitor opens a manage link, then no log line holds the secret, the token or the raw URL', async () => {
    const { app, raw, accessLines } = await setUp({ WEBHOOK_ALLOW_QUERY_SECRET: 'true' });
    await request(app)
      .post(`/webhooks/marketo/lead?secret=${encodeURIComponent(TEST_SECRETS.WEBHOOK_SECRET)}`)
      .send({ id: 7, email: 'ada@example.org' })
      .expect(200);
    const capability = 'capability-token-0123456789abcdefghij';
    await request(app).get(`/chat/meetings/manage/${capability}`);
    await request(app).get('/api/sync/status').set(ADMIN_AUTH).expect(200);

    const text = raw();
    for (const secret of [
      TEST_SECRETS.WEBHOOK_SECRET,
      encodeURIComponent(TEST_SECRETS.WEBHOOK_SECRET),
      TEST_SECRETS.ADMIN_TOKEN,
      capability,
      'ada@example.org',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(accessLines().map((l) => l['route'])).toEqual(
      expect.arrayContaining([
        '/webhooks/marketo/lead',
        '/chat/meetings/manage/:token',
        '/api/sync/status',
      ]),
    );
  });

  it('when a request fails in the store, then the error handler’s line carries the same request id as the access line', async () => {
    const { app, harness, lines, accessLines } = await setUp();
    await harness.store.close();
    const res = await request(app)
      .post('/webhooks/marketo/lead')
      .set('x-webhook-secret', TEST_SECRETS.WEBHOOK_SECRET)
      .set('X-Request-Id', 'req-store-down')
      .send({ id: 7, email: 'ada@example.org' })
      .expect(503);
    expect(res.headers['x-request-id']).toBe('req-store-down');
    const mine = lines().filter((l) => l['requestId'] === 'req-store-down');
    // The error handler's line (a store refusal) and the access line, nothing without the id.
    expect(mine.map((l) => [l['msg'], l['level']])).toEqual([
      ['request refused', 40],
      ['request failed', 40],
    ]);
    expect(mine[0]).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(accessLines().filter((l) => l['requestId'] === undefined)).toEqual([]);
  });

  it('when the load balancer probes /health and /ready, then their access lines are debug, not info', async () => {
    const { app, accessLines } = await setUp();
    await request(app).get('/health').expect(200);
    await request(app).get('/ready').expect(200);
    const probes = accessLines().filter((l) => l['route'] === '/health' || l['route'] === '/ready');
    expect(probes.map((l) => l['level'])).toEqual([20, 20]);
  });
});
