import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { systemClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/store/index.js';
import { SyncRunner } from '../../src/sync/sync-runner.js';
import { createSyncHarness } from '../helpers/sync-harness.js';

const TOKEN = 'admin-token-for-tests-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };
let harness: Awaited<ReturnType<typeof createSyncHarness>> | undefined;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** The admin app over `marketo`, as the service wires it. */
function statusApp(h: NonNullable<typeof harness>, marketo: typeof h.marketo) {
  const deps = { ...h.deps, marketo };
  const runner = new SyncRunner(deps, {
    fields: ['email', 'firstName'],
    fullStrategy: 'rest',
    bulkPollMs: 20,
    concurrency: 4,
  });
  const app = createApp({
    ...deps,
    syncRunner: runner,
    adminTokens: [TOKEN],
    syncCron: '*/15 * * * *',
    sandbox: { url: h.server.url },
    clock: systemClock,
    logger: silentLogger,
  });
  return { app, runner };
}

describe('GET /api/sync/status after Marketo says 607', () => {
  it('when calls are paused for the daily quota, then remaining is 0, and after a restart the pause and the error counts are still shown', async () => {
    const store = createMemoryStore();
    harness = await createSyncHarness({
      sandbox: { seedLeads: 50 },
      store,
      client: { usageStore: store },
    });
    const h = harness;
    h.sandbox.injectFault({
      path: '/rest/',
      code: '607',
      message: 'Daily quota reached',
      times: 1,
    });
    const first = statusApp(h, h.marketo);
    const run = await first.runner.start('api').done;
    expect(run).toMatchObject({ outcome: 'quota-deferred' });

    const paused = await request(first.app).get('/api/sync/status').set(auth).expect(200);
    expect(paused.body.calls).toMatchObject({ remaining: 0, errorsByCode: { '607': 1 } });
    expect(paused.body.calls.today).toBeLessThan(paused.body.calls.dailyQuota);
    expect(paused.body.calls.pausedUntil).toEqual(expect.any(String));

    // A restart: a new client (and sandbox) over the same store.
    await h.marketo.flushUsage();
    const again = await createSyncHarness({ store, client: { usageStore: store } });
    cleanups.push(() => again.close());
    const after = statusApp(again, again.marketo);
    const res = await request(after.app).get('/api/sync/status').set(auth).expect(200);
    expect(res.body.calls).toMatchObject({
      remaining: 0,
      errorsByCode: { '607': 1 },
      pausedUntil: paused.body.calls.pausedUntil,
    });
  });
});
