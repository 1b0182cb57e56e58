import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { createMarketoSandbox } from '../../src/sandbox/index.js';

/** The sandbox's seeded random faults and outages (src/sandbox/sandbox-fault-profile.ts). */

const CREDENTIALS =
  'grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret';

async function setup() {
  const clock = createManualClock();
  // The manual clock stands still: a rate limit this high leaves every 606 an injected one.
  const sandbox = createMarketoSandbox({ seedLeads: 20, clock, rateLimit: 100_000 });
  const identity = await request(sandbox.app).get(`/identity/oauth/token?${CREDENTIALS}`);
  const auth = { Authorization: `Bearer ${identity.body.access_token as string}` };
  /** One describe call: its outcome as `ok`, a Marketo code, or `http:<status>`. */
  const call = async () => {
    const res = await request(sandbox.app).get('/rest/v1/leads/describe.json').set(auth);
    if (res.status !== 200) return `http:${res.status}`;
    const body = res.body as { success: boolean; errors?: Array<{ code: string }> };
    return body.success ? 'ok' : (body.errors?.[0]?.code ?? '?');
  };
  return { clock, sandbox, auth, call };
}

async function outcomes(call: () => Promise<string>, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i += 1) out.push(await call());
  return out;
}

const PROFILE = {
  seed: 1234,
  rates: { '502': 0.1, '604': 0.1, '606': 0.1, '611': 0.1, '615': 0.1 },
};

describe('sandbox fault profile', () => {
  it('when the same seed is set twice, then the same calls fail the same way, each kind about its share', async () => {
    const { sandbox, call } = await setup();
    sandbox.setFaultProfile(PROFILE);
    const first = await outcomes(call, 400);
    sandbox.setFaultProfile(PROFILE);
    const second = await outcomes(call, 400);

    expect(second).toEqual(first);
    const tally = (kind: string) => first.filter((outcome) => outcome === kind).length;
    for (const kind of ['http:502', '604', '606', '611', '615']) {
      // 10% of 400 each: 40 expected; mulberry32 with this seed keeps well inside 20..60.
      expect(tally(kind)).toBeGreaterThan(20);
      expect(tally(kind)).toBeLessThan(60);
    }
    expect(sandbox.faultCounts()).toMatchObject({
      '502': tally('http:502') * 2,
      '606': tally('606') * 2,
      lostAnswer: 0,
      outage: 0,
    });
    // Injected failures are not executed calls.
    expect(sandbox.stats().calls).toBe(2 * tally('ok'));
  });

  it('when the rates are small, then a short run still meets every kind, and an answer is lost within the first 1/rate executed calls', async () => {
    const { sandbox, call } = await setup();
    sandbox.setFaultProfile({
      seed: 505,
      rates: { '502': 0.01, '604': 0.01, '606': 0.01, '611': 0.01, '615': 0.01 },
      lostAnswer: 0.01,
    });
    // 200 calls at 1% a kind: left to chance, some kind would often be missing.
    await outcomes(call, 200);
    const counts = sandbox.faultCounts();
    for (const kind of ['502', '604', '606', '611', '615'] as const) {
      expect(counts[kind]).toBeGreaterThanOrEqual(1);
    }
    expect(counts.lostAnswer).toBeGreaterThanOrEqual(1);
  });

  it('when an answer is lost, then the write has happened and the caller got HTTP 502', async () => {
    const { sandbox, auth } = await setup();
    sandbox.setFaultProfile({ seed: 9, lostAnswer: 1 });
    const res = await request(sandbox.app)
      .post('/rest/v1/leads.json')
      .set(auth)
      .send({ action: 'createOnly', lookupField: 'email', input: [{ email: 'lost@example.com' }] });

    expect(res.status).toBe(502);
    expect(sandbox.allLeads().filter((lead) => lead.email === 'lost@example.com')).toHaveLength(1);
    expect(sandbox.faultCounts().lostAnswer).toBe(1);

    // A path whose answers are kept answers as usual.
    sandbox.setFaultProfile({ seed: 9, lostAnswer: 1, keepAnswers: ['/rest/v1/leads.json'] });
    const kept = await request(sandbox.app)
      .post('/rest/v1/leads.json')
      .set(auth)
      .send({ action: 'createOnly', lookupField: 'email', input: [{ email: 'kept@example.com' }] });
    expect(kept.status).toBe(200);
  });

  it('when an outage is on, then every call fails until its end on the sandbox clock', async () => {
    const { sandbox, clock, call } = await setup();
    sandbox.startOutage({ durationMs: 5_000 });
    expect(await outcomes(call, 3)).toEqual(['http:502', 'http:502', 'http:502']);
    clock.advance(5_000);
    expect(await call()).toBe('ok');
    expect(sandbox.faultCounts().outage).toBe(3);
  });

  it('when the profile is set over the control API, then it is validated, applied, read back and removed', async () => {
    const { sandbox, call } = await setup();
    const control = () => request(sandbox.app);

    const bad = await control()
      .put('/_sandbox/fault-profile')
      .send({ seed: 1, rates: { '502': 0.7, '606': 0.7 } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      error: { code: 'VALIDATION_FAILED', message: expect.any(String), field: 'rates' },
    });
    const unknown = await control()
      .put('/_sandbox/fault-profile')
      .send({ seed: 1, rates: { '607': 0.1 } });
    expect(unknown.status).toBe(400);

    await control()
      .put('/_sandbox/fault-profile')
      .send({ seed: 5, rates: { '611': 1 } })
      .expect(200);
    expect(await call()).toBe('611');
    const read = await control().get('/_sandbox/fault-profile').expect(200);
    expect(read.body).toMatchObject({
      profile: { seed: 5, rates: { '611': 1 }, lostAnswer: 0 },
      counts: { '611': 1 },
    });

    await control().delete('/_sandbox/fault-profile').expect(204);
    expect(await call()).toBe('ok');

    await control().post('/_sandbox/outage').send({ durationMs: 60_000, mode: 'drop' }).expect(201);
    await expect(call()).rejects.toThrow(/socket hang up|ECONNRESET/);
    await control().delete('/_sandbox/outage').expect(204);
    expect(await call()).toBe('ok');
    expect((await control().post('/_sandbox/outage').send({ durationMs: 0 })).status).toBe(400);
  });
});
