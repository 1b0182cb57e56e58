import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { initialSyncState, type SyncRunSummary } from '../../src/records/sync-state.js';
import { createService, type Service } from '../../src/service.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { createHarnessService, createTestConfig } from '../helpers/test-service.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

let harness: SyncHarness | undefined;
let service: Service | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
  await harness?.close();
  harness = undefined;
});

/** A service on a manual clock at T0, allowing 60 minutes without a sync success. */
async function setUp(env: Record<string, string> = {}) {
  const clock = createManualClock(T0);
  harness = await createSyncHarness({ sandbox: { seedLeads: 0 } });
  service = await createHarnessService(
    harness,
    { READY_MAX_SYNC_AGE_MINUTES: '60', ...env },
    { clock },
  );
  return { clock, harness, service, app: service.app };
}

function failedRun(at: number): SyncRunSummary {
  return {
    runId: 'run-failed',
    mode: 'incremental',
    strategy: 'changes',
    startedAt: iso(at),
    finishedAt: iso(at + MINUTE),
    outcome: 'failed',
    leadsUpserted: 0,
    leadsDeleted: 0,
    calls: 1,
    error: { code: 'MARKETO_API_ERROR', message: 'Marketo getLeadChanges failed: 1003 token' },
  };
}

describe('GET /ready and GET /health', () => {
  it('when the store answers, Marketo is the sandbox and the first sync is not yet due, then /ready is 200 with every check passing and /health is ok', async () => {
    const { app } = await setUp();
    const ready = await request(app).get('/ready').expect(200);
    expect(ready.body).toEqual({
      ready: true,
      checks: { store: { ok: true }, marketo: { ok: true }, sync: { ok: true } },
    });
    const health = await request(app).get('/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', mode: 'sandbox', leader: true });
    expect(health.body.reason).toBeUndefined();
  });

  it('when the store is closed, then /ready is 503 naming the store check, and /health still answers 200', async () => {
    const { app, harness } = await setUp();
    await harness.store.close();
    const ready = await request(app).get('/ready').expect(503);
    expect(ready.body.ready).toBe(false);
    expect(ready.body.failing).toContain('store');
    expect(ready.body.checks.store).toEqual({
      ok: false,
      reason: 'the store is not reachable: STORE_CLOSED',
    });
    await request(app).get('/health').expect(200);
  });

  it('when the sync has failed for longer than READY_MAX_SYNC_AGE_MINUTES, then /ready is 503 naming the sync and /health says degraded with the reason, until a run succeeds', async () => {
    const { app, clock, harness } = await setUp();
    await harness.store.commitSync({
      state: {
        ...initialSyncState(['email']),
        phase: 'incremental',
        lastSuccessAt: iso(T0),
        lastRun: failedRun(T0 + 10 * MINUTE),
      },
    });
    clock.set(T0 + 59 * MINUTE);
    await request(app).get('/ready').expect(200);
    expect((await request(app).get('/health').expect(200)).body.status).toBe('ok');

    clock.set(T0 + 61 * MINUTE);
    const ready = await request(app).get('/ready').expect(503);
    expect(ready.body.failing).toEqual(['sync']);
    expect(ready.body.checks.sync.reason).toBe(
      'the lead sync has not succeeded for over 60 minutes; its last run ended failed (MARKETO_API_ERROR)',
    );
    const health = await request(app).get('/health').expect(200);
    expect(health.body).toMatchObject({
      status: 'degraded',
      reason: ready.body.checks.sync.reason,
      mode: 'sandbox',
      leader: true,
      uptimeSeconds: 61 * 60,
    });
    // Neither probe repeats the run's message (it may quote Marketo's answer or lead data).
    expect(JSON.stringify(health.body) + JSON.stringify(ready.body)).not.toContain('1003');

    await harness.store.commitSync({
      state: { ...initialSyncState(['email']), lastSuccessAt: iso(T0 + 60 * MINUTE) },
    });
    await request(app).get('/ready').expect(200);
  });

  it('when the sync is off (SYNC_ENABLED=false), then a long silence does not fail /ready', async () => {
    const { app, clock } = await setUp({ SYNC_ENABLED: 'false' });
    clock.set(T0 + 48 * 60 * MINUTE);
    await request(app).get('/ready').expect(200);
  });

  it('when Marketo Identity rejects the credentials (not the sandbox), then /ready is 503 naming the marketo check and never shows the secret', async () => {
    harness = await createSyncHarness({
      sandbox: { seedLeads: 0 },
      client: { clientSecret: 'wrong-secret' },
    });
    service = await createService(createTestConfig({ SYNC_ENABLED: 'false' }), {
      logger: silentLogger,
      // A real instance: no sandbox, so the credentials matter.
      runtime: { store: harness.store, marketo: harness.marketo, sandbox: undefined },
    });
    await request(service.app).get('/ready').expect(200);
    await expect(harness.marketo.checkConnection()).rejects.toMatchObject({
      code: 'MARKETO_AUTH_FAILED',
    });
    const ready = await request(service.app).get('/ready').expect(503);
    expect(ready.body.failing).toEqual(['marketo']);
    expect(ready.body.checks.marketo.reason).toMatch(/rejected the last token request/);
    expect(JSON.stringify(ready.body)).not.toContain('wrong-secret');
  });
});
