import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { readVersion } from '../../src/version.js';
import { createFakeProvider } from '../helpers/meetings-app.js';
import { ADMIN_AUTH, TEST_SECRETS, useSandboxServices } from '../helpers/test-service.js';

const services = useSandboxServices();
const sandboxService = services.open;

const webhook = { 'x-webhook-secret': TEST_SECRETS.WEBHOOK_SECRET };
const apiKey = { 'x-api-key': TEST_SECRETS.SSFS_API_KEY };
const none = {};

describe('createService: the routes src/main.ts serves', () => {
  it.each([
    ['GET', '/health', none, 200],
    ['GET', '/api/sync/status', none, 401],
    ['GET', '/api/sync/status', ADMIN_AUTH, 200],
    ['GET', '/api/leads/7', ADMIN_AUTH, 404],
    ['GET', '/api/configuration', ADMIN_AUTH, 200],
    ['GET', '/api/dialogues', ADMIN_AUTH, 200],
    ['GET', '/api/agents', ADMIN_AUTH, 200],
    ['GET', '/api/routing/rules', ADMIN_AUTH, 200],
    ['GET', '/api/meetings', ADMIN_AUTH, 200],
    ['GET', '/api/outbox/dead-letters', ADMIN_AUTH, 200],
    ['GET', '/chat/config', none, 200],
    ['GET', '/chat/slots?timeZone=Europe/Berlin', none, 200],
    ['GET', '/oauth/calendar/callback', none, 400],
    ['GET', '/demo', none, 200],
    ['POST', '/webhooks/marketo/lead', none, 401],
    ['POST', '/webhooks/marketo/lead', webhook, 200],
    ['POST', '/webhooks/marketo/assign-agent', webhook, 200],
    ['GET', '/flow-steps/openapi.json', none, 200],
    ['GET', '/flow-steps/status', none, 401],
    ['GET', '/flow-steps/status', apiKey, 200],
    ['GET', '/no-such-route', none, 404],
  ] as const)(
    'when %s %s is called with %o, then the service answers %i',
    async (method, path, headers, status) => {
      const { app } = await sandboxService();
      const call = method === 'GET' ? request(app).get(path) : request(app).post(path);
      const res = await call.set(headers).send(method === 'POST' ? { id: 7 } : undefined);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
    },
  );

  it('when started in sandbox mode, then the demo agents and dialogue are seeded and the webhook writes the lead the admin API reads', async () => {
    const service = await sandboxService();
    const { app } = service;

    const health = await request(app).get('/health').expect(200);
    expect(health.body).toMatchObject({ mode: 'sandbox', version: readVersion() });
    expect(health.body.sandboxUrl).toBe(service.sandbox?.url);
    const agents = await request(app).get('/api/agents').set(ADMIN_AUTH).expect(200);
    expect(agents.body.agents).toHaveLength(5);
    const dialogues = await request(app).get('/api/dialogues').set(ADMIN_AUTH).expect(200);
    expect(dialogues.body.dialogues).toHaveLength(1);

    await request(app)
      .post('/webhooks/marketo/lead')
      .set(webhook)
      .send({ id: 4242, email: 'ada@example.org' })
      .expect(200);
    const lead = await request(app).get('/api/leads/4242').set(ADMIN_AUTH).expect(200);
    expect(lead.body).toMatchObject({ id: 4242, email: 'ada@example.org' });
  });

  it('when a started service is stopped, then its sync checkpoints, the data file is released, and a new service opens it with what was written', async () => {
    const first = await sandboxService();
    first.start();
    await request(first.app)
      .post('/webhooks/marketo/lead')
      .set(webhook)
      .send({ id: 4242, email: 'ada@example.org' })
      .expect(200);
    await Promise.all([first.stop(), first.stop()]);
    expect(first.runner.running).toBe(false);

    const second = await sandboxService({ SYNC_ENABLED: 'false' });
    expect((await second.store.getLead(4242))?.fields).toMatchObject({ email: 'ada@example.org' });
    expect(await second.store.listAgents()).toHaveLength(5);
  });

  it('when the data file is held by a running service, then a second one is refused naming the lock', async () => {
    await sandboxService({ SYNC_ENABLED: 'false' });
    await expect(sandboxService()).rejects.toMatchObject({ code: 'STORE_LOCKED' });
  });

  it('when the service fails to build after opening its store, then it releases the data file and the sandbox, and a fixed start opens them', async () => {
    // The admin token is generated into a file beside the store: a folder there fails the write.
    await mkdir(join(services.dir(), 'admin-token'));
    await expect(sandboxService({ ADMIN_TOKEN: '' })).rejects.toMatchObject({ code: 'EISDIR' });

    const fixed = await sandboxService();
    expect((await request(fixed.app).get('/health').expect(200)).body.mode).toBe('sandbox');
  });

  it('when a calendar provider is given, then the admin API connects agents through it', async () => {
    const google = createFakeProvider('google');
    const { app } = await sandboxService(
      {},
      { calendarProviders: { google: { client: google.client, oauth: google.oauth } } },
    );
    const agent = (await request(app).get('/api/agents').set(ADMIN_AUTH).expect(200)).body
      .agents[0];

    const res = await request(app)
      .post(`/api/agents/${agent.id}/calendar/connect`)
      .set(ADMIN_AUTH)
      .send({ provider: 'google' })
      .expect(200);
    expect(res.body.authorizationUrl).toMatch(/^https:\/\/accounts\.example\/auth\?state=/);
  });
});
