import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallBudget } from '../../src/clients/marketo/call-budget.js';
import {
  caught,
  createTestClient,
  mockApi,
  mockIdentity,
  success,
} from '../fixtures/marketo/marketo-nock.js';

// Issue 9, item 22: a stop must not wait for a call queued in the budget (up to a whole 20 s
// window) nor for a request in flight (MARKETO_TIMEOUT_MS, 60 s by default).

const PAGING = '/rest/v1/activities/pagingtoken.json';
const since = new Date('2026-11-20T00:00:00.000Z');

afterEach(() => {
  nock.cleanAll();
});

describe('MarketoClient: stop', () => {
  it('when the client is stopped with a write in flight and a read waiting for the budget, then both end at once with MARKETO_STOPPED (the write outcome-unknown, the read never sent) and later calls fail without a request', async () => {
    mockIdentity();
    // The answer would come after the test's own time-out: only the abort can end the call.
    const write = mockApi()
      .post('/rest/v1/leads.json')
      .delay(30_000)
      .reply(200, success([{ id: 1, status: 'updated' }]));
    const writeSent = new Promise<void>((resolve) => write.on('request', () => resolve()));
    const client = createTestClient({ rateLimit: 1, rateWindowMs: 60_000, timeoutMs: 60_000 });

    const writing = caught(client.syncLeads([{ email: 'pat@example.com' }]));
    await writeSent;
    // The window holds one call, the write in flight: this read waits about 60 s for room.
    const reading = caught(client.getPagingToken(since));
    await new Promise((resolve) => setImmediate(resolve)); // it reaches the budget
    expect(client.stats().budget).toMatchObject({ inFlight: 1, queued: 1 });

    client.stop();
    const [written, read] = await Promise.all([writing, reading]);
    expect(written).toMatchObject({ code: 'MARKETO_STOPPED', retryable: true });
    expect(written.details).toMatchObject({ outcomeUnknown: true });
    expect(read).toMatchObject({ code: 'MARKETO_STOPPED', retryable: true });
    expect(read.details?.['outcomeUnknown']).toBeUndefined();
    expect(read.message).toMatch(/not sent/);

    const later = mockApi().get(PAGING).query(true).reply(200, success([]));
    expect(await caught(client.getPagingToken(since))).toMatchObject({ code: 'MARKETO_STOPPED' });
    expect(later.isDone()).toBe(false);
    expect(client.stats()).toMatchObject({ calls: 1 });
  });

  it('when the budget cannot abandon its waiters (a shared one), then a stop still ends a waiting call at once, and the call never sends when the budget lets it start later', async () => {
    mockIdentity();
    const api = mockApi().get(PAGING).query(true).reply(200, success([]));
    let startLater!: () => Promise<unknown>;
    let reached!: () => void;
    const reachedBudget = new Promise<void>((resolve) => (reached = resolve));
    const budget: CallBudget = {
      run: <T>(fn: () => Promise<T>) =>
        new Promise<T>((resolve, reject) => {
          startLater = () => fn().then(resolve, reject);
          reached();
        }),
      stats: () => ({
        limit: 1,
        windowMs: 20_000,
        maxConcurrency: 1,
        started: 0,
        inWindow: 1,
        maxInWindow: 1,
        inFlight: 0,
        maxInFlight: 1,
        queued: 1,
      }),
    };
    const client = createTestClient({ budget });
    const reading = caught(client.getPagingToken(since));
    await reachedBudget;

    client.stop();
    expect(await reading).toMatchObject({ code: 'MARKETO_STOPPED' });
    await startLater().catch(() => undefined);
    expect(api.isDone()).toBe(false);
    expect(client.stats()).toMatchObject({ calls: 0 });
  });
});
