import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { toRoutingAgents } from '../../src/routing/routing-agents.js';
import { createWebhookTestApp } from '../helpers/marketo-webhook-app.js';

const CURRENT = 'current-secret-0123456789abcdef';
const PREVIOUS = 'previous-secret-0123456789abcdef';
const BODY = '{"id": 42, "email": "ann@example.com"}';

function setup(options: { allowQuerySecret?: boolean; maxInFlight?: number } = {}) {
  return createWebhookTestApp({
    secrets: [CURRENT, PREVIOUS, ''],
    allowQuerySecret: options.allowQuerySecret ?? false,
    agents: toRoutingAgents([{ name: 'Ana Silva', email: 'ana@example.com' }]),
    ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
  });
}

const UNAUTHORIZED = {
  error: { code: 'UNAUTHORIZED', message: 'A valid webhook secret is required' },
};

describe('Marketo webhook authentication', () => {
  it.each([
    ['no secret header', undefined],
    ['a wrong secret', 'wrong-secret-0123456789abcdef'],
    ['an empty secret', ''],
    ['a 1-character secret', 'x'],
    ['a 10 kB secret', 'x'.repeat(10_240)],
    ['the current secret less its last character', CURRENT.slice(0, -1)],
  ])(
    'when the call carries %s, then 401 JSON and nothing is stored or routed',
    async (_what, secret) => {
      const { app, store } = setup();

      for (const path of ['/webhooks/marketo/lead', '/webhooks/marketo/assign-agent']) {
        const req = request(app).post(path).set('content-type', 'application/json');
        const res = await (secret === undefined ? req : req.set('x-webhook-secret', secret)).send(
          BODY,
        );

        expect(res.status).toBe(401);
        expect(res.body).toEqual(UNAUTHORIZED);
      }
      expect(await store.countLeads()).toBe(0);
      expect(await store.getAssignment('lead:42')).toBeUndefined();
      expect((await store.routingState()).lastAgentId).toBeUndefined();
    },
  );

  it.each([
    ['current', CURRENT],
    ['previous', PREVIOUS],
  ])(
    'when the call carries the %s secret, then it is accepted (rotation)',
    async (_which, secret) => {
      const { app, store } = setup();

      const res = await request(app)
        .post('/webhooks/marketo/lead')
        .set('x-webhook-secret', secret)
        .set('content-type', 'application/json')
        .send(BODY);

      expect(res.status).toBe(200);
      expect(await store.getLead(42)).toBeDefined();
    },
  );

  it('when a wrong secret comes with a body over the limit, then 401, not 400: auth comes first', async () => {
    const { app } = setup();

    const res = await request(app)
      .post('/webhooks/marketo/lead')
      .set('x-webhook-secret', 'wrong')
      .send('x'.repeat(100_000));

    expect(res.status).toBe(401);
  });

  it('when the query-string fallback is on, then ?secret= is accepted', async () => {
    const { app, store } = setup({ allowQuerySecret: true });

    const res = await request(app)
      .post(`/webhooks/marketo/lead?secret=${encodeURIComponent(PREVIOUS)}`)
      .set('content-type', 'application/json')
      .send(BODY);

    expect(res.status).toBe(200);
    expect(await store.getLead(42)).toBeDefined();
  });

  it('when WEBHOOK_ALLOW_QUERY_SECRET is not set, then the fallback is off and ?secret= gets 401', async () => {
    const config = loadConfig({
      MARKETO_BASE_URL: 'https://123-ABC-456.mktorest.com',
      MARKETO_CLIENT_ID: 'id',
      MARKETO_CLIENT_SECRET: 'secret',
      ADMIN_TOKEN: 'a'.repeat(32),
      WEBHOOK_SECRET: CURRENT,
      SSFS_API_KEY: 'k'.repeat(32),
    });
    const { app, store } = setup({ allowQuerySecret: config.webhooks.allowQuerySecret });

    const res = await request(app)
      .post(`/webhooks/marketo/lead?secret=${encodeURIComponent(CURRENT)}`)
      .set('content-type', 'application/json')
      .send(BODY);

    expect(config.webhooks.allowQuerySecret).toBe(false);
    expect(res.status).toBe(401);
    expect(await store.countLeads()).toBe(0);
  });

  it.each([
    ['the fallback is off', false, `?secret=${CURRENT}`],
    ['the query repeats the parameter', true, `?secret=${CURRENT}&secret=${CURRENT}`],
    ['the query secret is wrong', true, '?secret=nope'],
  ])('when %s, then ?secret= gets 401', async (_what, allowQuerySecret, query) => {
    const { app, store } = setup({ allowQuerySecret });

    const res = await request(app)
      .post(`/webhooks/marketo/lead${query}`)
      .set('content-type', 'application/json')
      .send(BODY);

    expect(res.status).toBe(401);
    expect(await store.countLeads()).toBe(0);
  });
});

describe('Marketo webhook concurrency guard', () => {
  let server: http.Server | undefined;
  afterEach(
    () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  );

  it('when more calls are in progress than the cap, then the extra call gets 503 with Retry-After', async () => {
    const { app, store } = setup({ maxInFlight: 1 });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    const { port } = server.address() as AddressInfo;

    // A call whose body is still coming in holds the only slot.
    const slow = http.request({
      port,
      host: '127.0.0.1',
      method: 'POST',
      path: '/webhooks/marketo/lead',
      headers: {
        'x-webhook-secret': CURRENT,
        'content-type': 'application/json',
        'content-length': BODY.length,
      },
    });
    const slowAnswer = new Promise<number>((resolve) =>
      slow.on('response', (res) => resolve(res.statusCode!)),
    );
    const arrived = once(server, 'request');
    slow.write(BODY.slice(0, 10));
    await arrived;

    const refused = await request(server)
      .post('/webhooks/marketo/lead')
      .set('x-webhook-secret', CURRENT)
      .set('content-type', 'application/json')
      .send('{"id": 43}');
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body.error.code).toBe('BUSY');

    slow.end(BODY.slice(10));
    expect(await slowAnswer).toBe(200);
    const after = await request(server)
      .post('/webhooks/marketo/lead')
      .set('x-webhook-secret', CURRENT)
      .set('content-type', 'application/json')
      .send('{"id": 43}');
    expect(after.status).toBe(200);
    expect(await store.getLead(42)).toBeDefined();
  });
});
