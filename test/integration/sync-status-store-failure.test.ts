import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { systemClock } from '../../src/deps.js';
import { StoreError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { SyncRunner } from '../../src/sync/sync-runner.js';
import { createSyncHarness } from '../helpers/sync-harness.js';

const FILE = '/srv/conversational/data/store.json';
const TOKEN = 'admin-token-for-tests-0123456789';
let harness: Awaited<ReturnType<typeof createSyncHarness>> | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A store whose sync writes fail from `failing.on` on, as with the disk full. */
function storeWithFailingWrites(store: Store) {
  const failing = { on: false };
  const wrapped: Store = Object.create(store, {
    commitSync: {
      value: (...args: Parameters<Store['commitSync']>) =>
        failing.on
          ? Promise.reject(
              new StoreError('STORE_WRITE_FAILED', `Could not write the store at ${FILE}: ENOSPC`),
            )
          : store.commitSync(...args),
    },
  });
  return { store: wrapped, failing };
}

describe('GET /api/sync/status when the store cannot write', () => {
  it('when every sync fails with STORE_WRITE_FAILED after a success, then the status shows the failure, not the old success', async () => {
    const { store, failing } = storeWithFailingWrites(createMemoryStore());
    harness = await createSyncHarness({ sandbox: { seedLeads: 50 }, store });
    const runner = new SyncRunner(harness.deps, {
      fields: ['email', 'firstName'],
      fullStrategy: 'rest',
      bulkPollMs: 20,
      concurrency: 4,
    });
    const app = createApp({
      ...harness.deps,
      syncRunner: runner,
      adminTokens: [TOKEN],
      syncCron: '*/15 * * * *',
      sandbox: { url: harness.server.url },
      clock: systemClock,
      logger: silentLogger,
    });
    expect(await runner.start('api').done).toMatchObject({ outcome: 'succeeded' });

    failing.on = true;
    harness.sandbox.upsertLead({ email: 'changed@example.com' });
    const failed = await runner.start('api').done;
    expect(failed).toMatchObject({ outcome: 'failed', error: { code: 'STORE_WRITE_FAILED' } });

    const status = await request(app)
      .get('/api/sync/status')
      .set('Authorization', `Bearer ${TOKEN}`);
    expect(status.body).toMatchObject({
      state: 'failed',
      lastRun: { runId: failed.runId, outcome: 'failed' },
      lastError: { code: 'STORE_WRITE_FAILED', message: expect.stringContaining('data store') },
    });
    // The file and the system error stay in the log, as in any HTTP answer.
    expect(status.text).not.toContain(FILE);
  });
});
