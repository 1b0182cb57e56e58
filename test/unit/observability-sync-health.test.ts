import { describe, expect, it } from 'vitest';
import { initialSyncState, type SyncRunSummary } from '../../src/records/sync-state.js';
import { assessSync, type SyncFacts } from '../../src/observability/sync-health.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function run(outcome: SyncRunSummary['outcome'], startedAt: number, code?: string): SyncRunSummary {
  return {
    runId: `run-${startedAt}`,
    mode: 'incremental',
    startedAt: iso(startedAt),
    finishedAt: iso(startedAt + 60_000),
    outcome,
    leadsUpserted: 0,
    leadsDeleted: 0,
    calls: 1,
    ...(code === undefined ? {} : { error: { code, message: 'secret detail' } }),
  };
}

/** A replica started at T0 with a 6-hour allowance, now at T0 + `nowH` hours. */
function facts(
  nowH: number,
  change: Omit<Partial<SyncFacts>, 'state'> & { state?: Partial<SyncFacts['state']> } = {},
): SyncFacts {
  const { state, ...rest } = change;
  return {
    enabled: true,
    state: { ...initialSyncState(['email']), ...state },
    localLastRun: undefined,
    localRunning: false,
    now: T0 + nowH * HOUR,
    startedAt: T0,
    maxAgeMs: 6 * HOUR,
    ...rest,
  };
}

describe('assessSync: when the lead sync counts as stuck (/ready, /health, metrics)', () => {
  it.each([
    ['a new replica waits for the first sync within the allowance', false, facts(5)],
    ['no sync ever succeeded past the allowance', true, facts(7)],
    [
      'the last success is within the allowance, though a later run failed',
      false,
      facts(10, {
        state: {
          lastSuccessAt: iso(T0 + 5 * HOUR),
          lastRun: run('failed', T0 + 9 * HOUR, 'MARKETO_API_ERROR'),
        },
      }),
    ],
    [
      'runs have failed for longer than the allowance',
      true,
      facts(12, {
        state: {
          lastSuccessAt: iso(T0 + 5 * HOUR),
          lastRun: run('failed', T0 + 11 * HOUR, 'MARKETO_API_ERROR'),
        },
      }),
    ],
    [
      'a run is under way in this process',
      false,
      facts(12, { localRunning: true, state: { lastSuccessAt: iso(T0) } }),
    ],
    ['the sync is turned off', false, facts(48, { enabled: false })],
    [
      'another replica (the leader) runs a full copy begun after the last run ended',
      false,
      facts(12, {
        state: {
          phase: 'full',
          full: { strategy: 'rest', startedAt: iso(T0 + 8 * HOUR) },
          lastRun: run('failed', T0 + 2 * HOUR, 'MARKETO_API_ERROR'),
        },
      }),
    ],
    [
      'a full copy that failed since it began is not taken for running',
      true,
      facts(12, {
        state: {
          phase: 'full',
          full: { strategy: 'rest', startedAt: iso(T0 + 1 * HOUR) },
          lastRun: run('failed', T0 + 2 * HOUR, 'MARKETO_API_ERROR'),
        },
      }),
    ],
    [
      'this process succeeded but could not persist it (its own run is newer)',
      false,
      facts(12, {
        state: { lastSuccessAt: iso(T0), lastRun: run('failed', T0 + 1 * HOUR, 'X') },
        localLastRun: run('succeeded', T0 + 11 * HOUR),
      }),
    ],
  ])('when %s, then stuck is %s', (_name, stuck, input) => {
    expect(assessSync(input).stuck).toBe(stuck);
  });

  it('when runs have failed for hours, then the reason names the outcome and code but no message text', () => {
    const health = assessSync(
      facts(12, {
        state: {
          lastSuccessAt: iso(T0),
          lastRun: run('failed', T0 + 11 * HOUR, 'MARKETO_AUTH_FAILED'),
        },
      }),
    );
    expect(health.reason).toBe(
      'the lead sync has not succeeded for over 360 minutes; its last run ended failed (MARKETO_AUTH_FAILED)',
    );
    expect(health.reason).not.toContain('secret detail');
  });

  it('when the copy caught up 90 s ago, then the lag is 90 s, and the newer of caught-up time and change cursor counts', () => {
    const now = T0 + 90_000;
    const caughtUp = assessSync({
      ...facts(0),
      now,
      state: { ...initialSyncState(), caughtUpAt: iso(T0) },
    });
    expect(caughtUp.lagSeconds).toBe(90);
    const cursorNewer = assessSync({
      ...facts(0),
      now,
      state: {
        ...initialSyncState(),
        caughtUpAt: iso(T0),
        changes: { pendingLeadIds: [], highWater: iso(T0 + 60_000) },
      },
    });
    expect(cursorNewer.lagSeconds).toBe(30);
    expect(assessSync(facts(0)).lagSeconds).toBeUndefined();
  });
});
