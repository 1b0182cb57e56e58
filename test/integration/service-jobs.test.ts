import nock from 'nock';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerTimer } from '../../jobs/outbox-worker.js';
import { createSoleLeader } from '../../src/leader/leader-election.js';
import { runAsLeader } from '../../src/leader/run-as-leader.js';
import { silentLogger } from '../../src/logger.js';
import {
  captureCallbacks,
  invocation,
  publicResolver,
} from '../fixtures/ssfs/flow-steps-harness.js';
import { TEST_SECRETS, useSandboxServices } from '../helpers/test-service.js';

const services = useSandboxServices();
afterEach(() => {
  nock.cleanAll();
});

/** The outbox workers' timer, driven by hand: `due()` runs every pass asked for at once. */
function createHandTimer() {
  let pending: Array<{ run: () => Promise<void>; ms: number; cancelled: boolean }> = [];
  const timer: WorkerTimer = (run, ms) => {
    const entry = { run, ms, cancelled: false };
    pending.push(entry);
    return () => {
      entry.cancelled = true;
    };
  };
  return {
    timer,
    /** Runs the passes due now, and those they ask for at once, until none is left. */
    async due(): Promise<number> {
      let passes = 0;
      for (;;) {
        const now = pending.filter((e) => !e.cancelled && e.ms === 0);
        pending = pending.filter((e) => !e.cancelled && e.ms !== 0);
        if (now.length === 0) return passes;
        for (const entry of now) await entry.run();
        passes += now.length;
      }
    },
  };
}

describe('createService: the jobs it starts and stops', () => {
  it('when a flow step is invoked on a started service, then its outbox routes the leads and sends one callback; after stop() no pass runs', async () => {
    const hand = createHandTimer();
    const service = await services.open(
      { SANDBOX_LEADS: '0', SYNC_ENABLED: 'false' },
      { outboxTimer: hand.timer, resolveCallbackHost: publicResolver },
    );
    const { calls } = captureCallbacks([200]);
    service.start();
    await hand.due();

    await request(service.app)
      .post('/flow-steps/submitAsyncAction')
      .set('x-api-key', TEST_SECRETS.SSFS_API_KEY)
      .send(invocation())
      .expect(201);
    expect(calls).toHaveLength(0);
    await hand.due();

    expect(calls).toHaveLength(1);
    const results = calls[0]!.body.objectData as Array<{ leadData: Record<string, unknown> }>;
    expect(results.map((r) => r.leadData['agentEmail'])).toEqual([
      'ana.silva@example.com',
      'ben.okafor@example.com',
      'chen.wei@example.com',
    ]);

    await service.stop();
    service.outbox.kick();
    expect(await hand.due()).toBe(0);
  });

  it('when the jobs are stopped, then each stops after the one before it has finished, in their order', async () => {
    const events: string[] = [];
    const job = (name: string) => ({
      name,
      start() {
        events.push(`start ${name}`);
        return {
          async stop() {
            events.push(`stopping ${name}`);
            await Promise.resolve();
            events.push(`stopped ${name}`);
          },
        };
      },
    });
    // The service runs its jobs through runAsLeader; alone (no REDIS_URL) it always leads.
    const started = runAsLeader(
      createSoleLeader(),
      [job('lead-sync'), job('meeting-jobs'), job('outbox')],
      silentLogger,
    );
    await started.stop();

    expect(events).toEqual([
      'start lead-sync',
      'start meeting-jobs',
      'start outbox',
      'stopping lead-sync',
      'stopped lead-sync',
      'stopping meeting-jobs',
      'stopped meeting-jobs',
      'stopping outbox',
      'stopped outbox',
    ]);
  });
});
