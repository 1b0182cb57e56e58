import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createStoreDailyUsage } from '../../src/clients/marketo/daily-usage-port.js';
import { createMemoryStore } from '../../src/store/index.js';
import { createSyncHarness } from '../helpers/sync-harness.js';
import { ADMIN_AUTH, createHarnessService } from '../helpers/test-service.js';

const auth = ADMIN_AUTH;
let harness: Awaited<ReturnType<typeof createSyncHarness>> | undefined;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await harness?.close();
  harness = undefined;
});

/** The whole service (createService) over the harness's store and Marketo client. */
async function statusApp(h: NonNullable<typeof harness>) {
  const service = await createHarnessService(h, {
    SYNC_FIELDS: 'email,firstName',
    SYNC_FULL_STRATEGY: 'rest',
    MARKETO_MAX_CONCURRENCY: '3',
  });
  cleanups.push(() => service.stop());
  return { app: service.app, runner: service.runner };
}

describe('GET /api/sync/status after Marketo says 607', () => {
  it('when calls are paused for the daily quota, then remaining is 0, and after a restart the pause and the error counts are still shown', async () => {
    const store = createMemoryStore();
    harness = await createSyncHarness({
      sandbox: { seedLeads: 50 },
      store,
      client: { usage: await createStoreDailyUsage(store) },
    });
    const h = harness;
    h.sandbox.injectFault({
      path: '/rest/',
      code: '607',
      message: 'Daily quota reached',
      times: 1,
    });
    const first = await statusApp(h);
    const run = await first.runner.start('api').done;
    expect(run).toMatchObject({ outcome: 'quota-deferred' });

    const paused = await request(first.app).get('/api/sync/status').set(auth).expect(200);
    expect(paused.body.calls).toMatchObject({ remaining: 0, errorsByCode: { '607': 1 } });
    expect(paused.body.calls.today).toBeLessThan(paused.body.calls.dailyQuota);
    expect(paused.body.calls.pausedUntil).toEqual(expect.any(String));

    // A restart: a new client (and sandbox) over the same store.
    await h.marketo.flushUsage();
    const again = await createSyncHarness({
      store,
      client: { usage: await createStoreDailyUsage(store) },
    });
    cleanups.push(() => again.close());
    const after = await statusApp(again);
    const res = await request(after.app).get('/api/sync/status').set(auth).expect(200);
    expect(res.body.calls).toMatchObject({
      remaining: 0,
      errorsByCode: { '607': 1 },
      pausedUntil: paused.body.calls.pausedUntil,
    });
  });
});
