import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { Service } from '../../src/service.js';
import { createSyncHarness } from '../helpers/sync-harness.js';
import { ADMIN_AUTH, TEST_SECRETS, createHarnessService } from '../helpers/test-service.js';

const TOKEN = TEST_SECRETS.ADMIN_TOKEN;
let harness: Awaited<ReturnType<typeof createSyncHarness>> | undefined;
let service: Service | undefined;

afterEach(async () => {
  await service?.stop();
  service = undefined;
  await harness?.close();
  harness = undefined;
});

/** The whole service (createService) over a sandbox with a short rate window. */
async function createTestApp(seedLeads = 200) {
  harness = await createSyncHarness({ sandbox: { seedLeads, latencyMs: 5 } });
  service = await createHarnessService(harness, {
    SYNC_FIELDS: 'email,firstName,lastName,company',
    SYNC_FULL_STRATEGY: 'rest',
    MARKETO_MAX_CONCURRENCY: '3',
  });
  return { app: service.app, runner: service.runner, h: harness };
}

const auth = ADMIN_AUTH;

describe('admin API', () => {
  it('when /health is called without credentials, then it answers and says sandbox mode', async () => {
    const { app } = await createTestApp();
    const res = await request(app).get('/health').expect(200);
    expect(res.body.mode).toBe('sandbox');
    expect(res.body.warning).toMatch(/SANDBOX MODE/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it.each([
    ['no header', {}],
    ['a wrong token', { Authorization: 'Bearer wrong-token-wrong-token-wrong' }],
    ['an empty bearer', { Authorization: 'Bearer ' }],
    ['a 10 kB token', { Authorization: `Bearer ${'x'.repeat(10_000)}` }],
    ['basic auth', { Authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }],
  ])(
    'when an admin route gets %s, then it answers 401 JSON without detail',
    async (_label, headers) => {
      const { app } = await createTestApp();
      const res = await request(app).get('/api/sync/status').set(headers).expect(401);
      expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
      expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    },
  );

  it('when a sync is started twice, then the second start is refused with 409 and the status shows the run', async () => {
    const { app, runner, h } = await createTestApp(3000);
    await request(app).post('/api/sync/run').set(auth).expect(202);
    const second = await request(app).post('/api/sync/run').set(auth).expect(409);
    expect(second.body.error.code).toBe('SYNC_RUNNING');
    const during = await request(app).get('/api/sync/status').set(auth).expect(200);
    expect(during.body.state).toBe('running');

    await runner.stop();
    await request(app).post('/api/sync/run').set(auth).expect(202);
    while (runner.running) await new Promise((r) => setTimeout(r, 20));
    const after = await request(app).get('/api/sync/status').set(auth).expect(200);
    expect(after.body).toMatchObject({
      state: 'idle',
      phase: 'incremental',
      leadsStored: h.sandbox.leadCount(),
      lastRun: { outcome: 'succeeded' },
      calls: { dailyQuota: 50_000 },
    });
    expect(after.body.calls.today).toBeGreaterThan(0);
    expect(after.body.calls.remaining).toBe(50_000 - after.body.calls.today);
  });

  it('when a full re-sync is asked for, then every lead is copied again, and the run history lists the runs newest first', async () => {
    const { app, runner, h } = await createTestApp();
    await request(app).post('/api/sync/run').set(auth).send({}).expect(202);
    await runner.settled();
    await request(app).post('/api/sync/run').set(auth).expect(202);
    await runner.settled();
    const forced = await request(app).post('/api/sync/run').set(auth).send({ full: true });
    expect(forced.status).toBe(202);
    expect(forced.body).toMatchObject({ status: 'started', full: true });
    await runner.settled();

    const status = await request(app).get('/api/sync/status').set(auth).expect(200);
    expect(status.body.recentRuns.map((r: { mode: string }) => r.mode)).toEqual([
      'full',
      'incremental',
      'full',
    ]);
    expect(status.body.recentRuns[0]).toEqual(status.body.lastRun);
    expect(status.body.recentRuns[0]).toMatchObject({
      outcome: 'succeeded',
      leadsUpserted: h.sandbox.leadCount(),
    });
    expect(status.body.leadsStored).toBe(h.sandbox.leadCount());
  });

  it.each([
    [{ full: 'yes' }, 'full', /full/],
    // An unknown member is the body's fault, and the message names it.
    [{ fast: true }, 'body', /"fast"/],
  ])('when a sync run is asked with %j, then 400 names the field', async (body, field, said) => {
    const { app, runner } = await createTestApp();
    const res = await request(app).post('/api/sync/run').set(auth).send(body).expect(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field });
    expect(res.body.error.message).toMatch(said);
    expect(runner.running).toBe(false);
  });

  it('when the Marketo connection is tested, then Identity is asked afresh and the answer says whether the credentials work', async () => {
    const { app } = await createTestApp();
    const before = service!.marketo.stats();
    const res = await request(app).post('/api/marketo/connection-test').set(auth).expect(200);
    expect(res.body).toEqual({ ok: true, checkedAt: expect.any(String) });
    const after = service!.marketo.stats();
    expect(after.tokenRequests).toBe(before.tokenRequests + 1);
    // Identity calls are free: nothing of the daily budget was spent.
    expect(after.callsToday).toBe(before.callsToday);
  });

  it('when the credentials are wrong, then the connection test says so with the code, and no secret', async () => {
    harness = await createSyncHarness({ client: { clientSecret: 'a-wrong-secret-for-the-test' } });
    service = await createHarnessService(harness);
    const res = await request(service.app)
      .post('/api/marketo/connection-test')
      .set(auth)
      .expect(200);
    expect(res.body).toMatchObject({
      ok: false,
      error: { code: 'MARKETO_AUTH_FAILED', message: expect.stringMatching(/identity/) },
    });
    expect(JSON.stringify(res.body)).not.toContain('a-wrong-secret-for-the-test');
  });

  it('when leads are looked up, then by id and by email (case-insensitive) they come from the local copy', async () => {
    const { app, runner, h } = await createTestApp();
    await runner.start('api').done;
    const lead = h.sandbox.allLeads()[3]!;
    const byId = await request(app).get(`/api/leads/${lead.id}`).set(auth).expect(200);
    expect(byId.body).toMatchObject({ id: lead.id, email: lead.email });
    const byEmail = await request(app)
      .get('/api/leads')
      .query({ email: String(lead.email).toUpperCase() })
      .set(auth)
      .expect(200);
    expect(byEmail.body.leads.map((l: { id: number }) => l.id)).toContain(lead.id);
  });

  it.each([
    ['/api/leads/abc', 400, 'id'],
    ['/api/leads/-4', 400, 'id'],
    ['/api/leads?email=not-an-email', 400, 'email'],
    ['/api/leads', 400, 'email'],
  ])('when %s is asked, then it answers %i naming the field', async (path, status, field) => {
    const { app } = await createTestApp();
    const res = await request(app).get(path).set(auth).expect(status);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field });
  });

  it('when a lead is not in the copy, then 404 JSON', async () => {
    const { app } = await createTestApp();
    const res = await request(app).get('/api/leads/999999').set(auth).expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('when an unknown route is called, then 404 JSON', async () => {
    const { app } = await createTestApp();
    const res = await request(app).get('/nope').expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});
