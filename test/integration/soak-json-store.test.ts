import { describe, expect, it } from 'vitest';
import { expectSoakPromisesKept } from '../helpers/soak-expectations.js';
import { runSoak } from '../helpers/soak-run.js';

/**
 * Issue 13, promises 1 and 2 on the JSON-file store: one service process, crashed (SIGKILL) at
 * seeded moments and started again, while the sandbox fails a share of calls (502, 604, 606,
 * 611, 615, answers lost after the write) and goes down for a stretch. Whatever the timing, the
 * outcome asserted is exact: nothing acknowledged lost, nothing doubled, the lead copy equal
 * to Marketo's, the store loading cleanly, the limits never passed. SOAK_SEED replays a run.
 */
const SEED = Number(process.env.SOAK_SEED ?? 1313);

describe('soak on the JSON-file store', () => {
  it('when Marketo fails calls at random, goes down for a while and the service is killed three times, then every acknowledged write is in Marketo once and the limits hold', async () => {
    const report = await runSoak({
      store: 'json',
      nodes: 1,
      seed: SEED,
      acks: 180,
      maxChaosMs: 25_000,
      kills: 3,
      // Below what the traffic asks of Marketo, so the budget really binds.
      rateLimit: 12,
      concurrency: 3,
      log: (line) => console.log(line),
      ...(process.env.SOAK_LOG_DIR ? { logDir: process.env.SOAK_LOG_DIR } : {}),
    });
    expectSoakPromisesKept(report, SEED);
    expect({ seed: SEED, kills: report.kills }).toEqual({ seed: SEED, kills: 3 });
  }, 90_000);
});
