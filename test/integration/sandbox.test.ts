import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { createMarketoSandbox, type SandboxOptions } from '../../src/sandbox/index.js';

const CREDENTIALS =
  'grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret';

async function setup(options: SandboxOptions = {}) {
  const clock = createManualClock();
  const sandbox = createMarketoSandbox({ seedLeads: 50, clock, ...options });
  const identity = await request(sandbox.app).get(`/identity/oauth/token?${CREDENTIALS}`);
  const auth = { Authorization: `Bearer ${identity.body.access_token as string}` };
  const get = (path: string) => request(sandbox.app).get(path).set(auth);
  return { clock, sandbox, auth, get };
}

describe('identity', () => {
  it('when the credentials are right, then it issues a bearer token for an hour', async () => {
    const sandbox = createMarketoSandbox({ seedLeads: 0, clock: createManualClock() });
    const res = await request(sandbox.app).get(`/identity/oauth/token?${CREDENTIALS}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.stringMatching(/^[0-9a-f-]{36}:sb$/),
      token_type: 'bearer',
      expires_in: 3600,
      scope: 'apis@sandbox',
    });
  });

  it('when asked again before expiry, then it returns the same token with its remaining life', async () => {
    const { clock, sandbox } = await setup();
    const first = await request(sandbox.app).get(`/identity/oauth/token?${CREDENTIALS}`);
    clock.advance(100_000);
    const second = await request(sandbox.app)
      .post('/identity/oauth/token')
      .type('form')
      .send(CREDENTIALS);
    expect(second.body.access_token).toBe(first.body.access_token);
    expect(second.body.expires_in).toBe(3500);
    expect(sandbox.stats()).toMatchObject({ identityCalls: 3, tokensIssued: 1, calls: 0 });
  });

  it('when the token has expired, then calls get 602 and identity issues a new token', async () => {
    const { clock, sandbox, get } = await setup();
    clock.advance(3600 * 1000);
    const res = await get('/rest/v1/leads/describe.json');
    expect(res.body.errors).toEqual([{ code: '602', message: 'Access token expired' }]);
    const renewed = await request(sandbox.app).get(`/identity/oauth/token?${CREDENTIALS}`);
    expect(renewed.body.expires_in).toBe(3600);
    expect(sandbox.stats()).toMatchObject({ tokensIssued: 2, calls: 0 });
  });

  it('when the client secret is wrong, then it answers HTTP 401 invalid_client', async () => {
    const sandbox = createMarketoSandbox({ seedLeads: 0 });
    const res = await request(sandbox.app).get(
      '/identity/oauth/token?grant_type=client_credentials&client_id=sandbox-client&client_secret=nope',
    );
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: 'invalid_client',
      error_description: 'Bad client credentials',
    });
  });
});

describe('bearer-only authentication', () => {
  it('when the token travels in the query string, then 601 and it is counted as a query-token use', async () => {
    const { sandbox, auth } = await setup();
    const token = auth.Authorization.slice('Bearer '.length);
    const res = await request(sandbox.app).get(
      `/rest/v1/leads/describe.json?access_token=${token}`,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: false, errors: [{ code: '601' }] });
    expect(res.body.requestId).toMatch(/^[0-9a-f]+#[0-9a-f]+$/);
    expect(sandbox.stats()).toMatchObject({
      queryTokenUses: 1,
      calls: 0,
      errorsByCode: { '601': 1 },
    });
  });

  it('when no token is sent, then 601 Access token invalid', async () => {
    const { sandbox } = await setup();
    const res = await request(sandbox.app).get('/rest/v1/leads/describe.json');
    expect(res.body.errors).toEqual([{ code: '601', message: 'Access token invalid' }]);
  });
});

describe('limits', () => {
  it('when more calls than the rate limit arrive in one window, then 606 until the window slides', async () => {
    const { clock, sandbox, get } = await setup({ rateLimit: 5, rateWindowMs: 1000 });
    for (let i = 0; i < 5; i++) {
      expect((await get('/rest/v1/leads/describe.json')).body.success).toBe(true);
    }
    const rejected = await get('/rest/v1/leads/describe.json');
    expect(rejected.body.errors).toEqual([
      { code: '606', message: "Max rate limit '5' exceeded with in '1' secs" },
    ]);
    clock.advance(1000);
    expect((await get('/rest/v1/leads/describe.json')).body.success).toBe(true);
    expect(sandbox.stats()).toMatchObject({ calls: 6, maxInWindow: 5, errorsByCode: { '606': 1 } });
    // The span in which calls arrived, for benchmarks: the rejected one is not counted.
    expect(sandbox.stats()).toMatchObject({
      firstCallAt: clock.now() - 1000,
      lastCallAt: clock.now(),
    });
  });

  it('when more calls than maxConcurrency are in flight, then the extra ones get 615', async () => {
    const { sandbox, auth } = await setup({ latencyMs: 300, maxConcurrency: 2 });
    const server = await sandbox.listen();
    try {
      const bodies = await Promise.all(
        Array.from({ length: 5 }, async () => {
          const res = await fetch(`${server.url}/rest/v1/leads/describe.json`, { headers: auth });
          return (await res.json()) as { success: boolean; errors?: Array<{ code: string }> };
        }),
      );
      const rejected = bodies.filter((body) => body.errors?.[0]?.code === '615');
      expect(bodies.filter((body) => body.success)).toHaveLength(2);
      expect(rejected).toHaveLength(3);
      expect(sandbox.stats()).toMatchObject({ maxConcurrent: 2, calls: 2 });
    } finally {
      await server.close();
    }
  });

  it('when the daily quota is used up, then 607 until midnight US Central', async () => {
    const { clock, sandbox, get } = await setup({ dailyQuota: 3, tokenTtlSeconds: 86_400 });
    const usage = await get('/rest/v1/stats/usage.json');
    expect(usage.body.result).toEqual([
      { date: '2026-11-24', total: 1, users: [{ userId: 'apis@sandbox', count: 1 }] },
    ]);
    await get('/rest/v1/leads/describe.json');
    await get('/rest/v1/leads/describe.json');
    const rejected = await get('/rest/v1/leads/describe.json');
    expect(rejected.body.errors).toEqual([{ code: '607', message: 'Daily quota reached' }]);
    // The manual clock starts at 12:00 UTC = 06:00 CST; Chicago midnight is 18 h later.
    clock.advance(18 * 3600 * 1000);
    expect((await get('/rest/v1/leads/describe.json')).body.success).toBe(true);
    expect(sandbox.stats().callsToday).toBe(1);
  });
});

describe('fault injection and unknown routes', () => {
  it('when a fault is injected, then the next matching calls fail that way and are not executed', async () => {
    const { sandbox, get } = await setup();
    sandbox.injectFault({ path: '/rest/v1/leads', code: '606', times: 2 });
    sandbox.injectFault({ path: /describe2/, httpStatus: 502 });
    expect(
      (await get('/rest/v1/leads.json?filterType=id&filterValues=1')).body.errors[0].code,
    ).toBe('606');
    expect((await get('/rest/v1/leads/describe.json')).body.errors[0].code).toBe('606');
    expect((await get('/rest/v1/leads/describe.json')).body.success).toBe(true);
    expect((await get('/rest/v1/leads/describe2.json')).status).toBe(502);
    expect((await get('/rest/v1/leads/describe2.json')).body.result[0].name).toBe('API Lead');
    expect(sandbox.stats()).toMatchObject({ calls: 2, errorsByCode: { '606': 2, 'http:502': 1 } });
  });

  it('when the path is unknown, then HTTP 404; when the method is wrong, then 605', async () => {
    const { sandbox, auth, get } = await setup();
    expect((await get('/rest/v1/nothing.json')).status).toBe(404);
    const wrong = await request(sandbox.app).delete('/rest/v1/leads.json').set(auth);
    expect(wrong.body.errors).toEqual([{ code: '605', message: 'HTTP Method not supported' }]);
  });
});

describe('control API', () => {
  it('when a demo posts and deletes leads, then the sandbox changes and logs activities', async () => {
    const { sandbox } = await setup();
    const created = await request(sandbox.app)
      .post('/_sandbox/leads')
      .send({ email: 'demo@example.com', firstName: 'Demo' });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    const updated = await request(sandbox.app).post('/_sandbox/leads').send({ id, title: 'CTO' });
    expect(updated.body).toMatchObject({ id, title: 'CTO', email: 'demo@example.com' });
    expect((await request(sandbox.app).delete(`/_sandbox/leads/${id}`)).status).toBe(204);
    expect((await request(sandbox.app).delete(`/_sandbox/leads/${id}`)).status).toBe(404);
    const bad = await request(sandbox.app).post('/_sandbox/leads').send({ shoeSize: 44 });
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'shoeSize' });
    const activities = await request(sandbox.app).get('/_sandbox/activities');
    expect(
      activities.body.activities.map((a: { activityTypeId: number }) => a.activityTypeId),
    ).toEqual([12, 13, 37]);
    expect((await request(sandbox.app).get('/_sandbox/stats')).body).toMatchObject({ calls: 0 });
  });
});
