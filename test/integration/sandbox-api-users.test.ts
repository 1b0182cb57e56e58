import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { createMarketoSandbox } from '../../src/sandbox/index.js';

const USERS = [
  { clientId: 'replica-a', clientSecret: 'secret-a' },
  { clientId: 'replica-b', clientSecret: 'secret-b' },
];

function setup() {
  const clock = createManualClock(Date.UTC(2026, 10, 24, 12));
  const sandbox = createMarketoSandbox({
    seedLeads: 5,
    clock,
    moreApiUsers: USERS,
    rateLimit: 3,
    rateWindowMs: 1_000,
  });
  const tokenOf = async (clientId: string, clientSecret: string) =>
    (
      await request(sandbox.app)
        .get('/identity/oauth/token')
        .query({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
        })
        .expect(200)
    ).body.access_token as string;
  const call = (token: string) =>
    request(sandbox.app)
      .get('/rest/v1/leads/describe.json')
      .set({ Authorization: `Bearer ${token}` });
  return { clock, sandbox, tokenOf, call };
}

describe('several API users of one sandbox instance', () => {
  it('when two users and the default one sign in, then each gets a token of its own and keeps it until it expires', async () => {
    const { tokenOf } = setup();
    const a = await tokenOf('replica-a', 'secret-a');
    const b = await tokenOf('replica-b', 'secret-b');
    const main = await tokenOf('sandbox-client', 'sandbox-secret');
    expect(new Set([a, b, main]).size).toBe(3);
    expect(await tokenOf('replica-a', 'secret-a')).toBe(a);
  });

  it('when a user sends another user’s secret, then it answers HTTP 401', async () => {
    const { sandbox } = setup();
    await request(sandbox.app)
      .get('/identity/oauth/token')
      .query({
        grant_type: 'client_credentials',
        client_id: 'replica-a',
        client_secret: 'secret-b',
      })
      .expect(401);
  });

  it('when both users call, then the calls are counted by user and logged with their arrival, and the rate limit is the instance’s, shared', async () => {
    const { clock, sandbox, tokenOf, call } = setup();
    const a = await tokenOf('replica-a', 'secret-a');
    const b = await tokenOf('replica-b', 'secret-b');
    const start = clock.now();
    await call(a).expect(200);
    clock.advance(10);
    await call(b).expect(200);
    await call(a).expect(200);
    // The fourth call in the window is over the instance's 3, whoever makes it.
    expect((await call(b)).body.errors).toEqual([expect.objectContaining({ code: '606' })]);

    expect(sandbox.stats()).toMatchObject({
      calls: 3,
      callsByClient: { 'replica-a': 2, 'replica-b': 1 },
      errorsByCode: { '606': 1 },
    });
    expect(sandbox.callLog()).toEqual([
      { at: start, clientId: 'replica-a', path: '/rest/v1/leads/describe.json' },
      { at: start + 10, clientId: 'replica-b', path: '/rest/v1/leads/describe.json' },
      { at: start + 10, clientId: 'replica-a', path: '/rest/v1/leads/describe.json' },
    ]);
    sandbox.resetStats();
    expect(sandbox.callLog()).toEqual([]);
    expect(sandbox.stats().callsByClient).toEqual({});
  });
});
