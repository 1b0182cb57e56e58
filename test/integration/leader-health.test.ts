import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { silentLogger } from '../../src/logger.js';
import { SyncRunner } from '../../src/sync/sync-runner.js';
import { createSyncHarness } from '../helpers/sync-harness.js';

let harness: Awaited<ReturnType<typeof createSyncHarness>> | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function appWith(isLeader?: () => boolean) {
  harness = await createSyncHarness({ sandbox: { seedLeads: 10 } });
  return createApp({
    ...harness.deps,
    syncRunner: new SyncRunner(harness.deps, {
      fields: ['email'],
      fullStrategy: 'rest',
      bulkPollMs: 20,
      concurrency: 2,
    }),
    adminTokens: ['admin-token-for-tests-0123456789'],
    syncCron: '*/15 * * * *',
    logger: silentLogger,
    ...(isLeader ? { isLeader } : {}),
  });
}

describe('/health and the job leader', () => {
  it('when another replica holds the job lease, then /health says this one is not the leader, and says so again once it leads', async () => {
    let leader = false;
    const app = await appWith(() => leader);
    expect((await request(app).get('/health').expect(200)).body.leader).toBe(false);
    leader = true;
    expect((await request(app).get('/health').expect(200)).body.leader).toBe(true);
  });

  it('when no election is wired (one process), then /health says it leads', async () => {
    const app = await appWith();
    expect((await request(app).get('/health').expect(200)).body.leader).toBe(true);
  });

  it('when a replica that does not lead is asked to run the sync, then it answers 409 NOT_LEADER and starts nothing', async () => {
    const app = await appWith(() => false);
    const auth = { Authorization: 'Bearer admin-token-for-tests-0123456789' };
    const res = await request(app).post('/api/sync/run').set(auth).expect(409);
    expect(res.body.error.code).toBe('NOT_LEADER');
    const status = await request(app).get('/api/sync/status').set(auth).expect(200);
    expect(status.body).toMatchObject({ state: 'never-run', currentRun: null });
  });
});
