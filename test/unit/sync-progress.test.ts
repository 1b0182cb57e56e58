import { describe, expect, it } from 'vitest';
import { startProgressTicker } from '../../src/cli/progress-ticker.js';
import type { MarketoClientStats } from '../../src/clients/marketo/types.js';
import { createManualClock } from '../../src/deps.js';
import { createManualScheduler } from '../../src/scheduler.js';
import {
  createProgressTracker,
  describeWait,
  formatProgress,
  formatSummary,
  progressAt,
  waitEndsAt,
} from '../../src/sync/progress.js';

const T0 = Date.parse('2026-12-07T02:00:00Z');

function stats(budget: Partial<NonNullable<MarketoClientStats['budget']>> = {}) {
  return {
    calls: 120,
    callsToday: 120,
    dailyQuota: 25_000,
    errorsByCode: {},
    tokenRequests: 1,
    pausedUntil: undefined,
    budget: {
      limit: 50,
      windowMs: 20_500,
      maxConcurrency: 5,
      started: 120,
      inWindow: 50,
      maxInWindow: 50,
      inFlight: 0,
      maxInFlight: 5,
      queued: 0,
      ...budget,
    },
  } satisfies MarketoClientStats;
}

describe('the sync progress line', () => {
  it('when the sync reports nothing while it waits for the call budget, then a line is still written every second saying until when', () => {
    const clock = createManualClock(T0);
    const scheduler = createManualScheduler(clock);
    const waiting = stats({ queued: 3, nextRoomAt: T0 + 4_200 });
    const tracker = createProgressTracker({ runId: 'r', clock, callsSoFar: () => 0 });
    tracker.update({ phase: 'changes' });
    const lines: string[] = [];
    const ticker = startProgressTicker({
      scheduler,
      everyMs: 1000,
      line: () => formatProgress(tracker.get(), { ...waiting, wait: describeWait(waiting, T0) }),
      write: (line) => lines.push(line),
    });

    scheduler.advance(999);
    expect(lines).toHaveLength(0);
    scheduler.advance(4_001);
    expect(lines).toHaveLength(5);
    expect(lines[4]).toContain('today 120/25,000');
    expect(lines[4]).toContain('waiting for the call budget (50 calls per 21 s) until 02:00:04Z');

    ticker.stop();
    scheduler.advance(10_000);
    expect(lines).toHaveLength(5);
    expect(scheduler.pending()).toBe(0);
  });

  it.each([
    ['calls flow', stats({ queued: 0 }), undefined],
    ['the window is full', stats({ queued: 2, nextRoomAt: T0 + 61_000 }), 'call budget'],
    ['every connection is busy', stats({ queued: 2, inFlight: 5, inWindow: 5 }), 'connection'],
    [
      'the daily quota is spent',
      { ...stats(), pausedUntil: Date.parse('2026-12-07T06:00:00Z') },
      'daily quota is used up until 06:00:00Z',
    ],
  ])('when %s, then the wait is described as %s', (_what, s, expected) => {
    const wait = describeWait(s, T0);
    if (expected === undefined) expect(wait).toBeUndefined();
    else expect(wait).toContain(expected);
  });

  it('when an incremental run moves its change cursor towards now, then it has an ETA', () => {
    const clock = createManualClock(T0);
    const tracker = createProgressTracker({ runId: 'r', clock, callsSoFar: () => 0 });
    // The cursor starts four hours back; ten seconds read one hour of changes.
    tracker.update({ changesThrough: new Date(T0 - 4 * 3_600_000).toISOString() });
    tracker.update({ phase: 'changes' });
    expect(tracker.get().etaSeconds).toBeUndefined();
    clock.advance(10_000);
    tracker.update({ changesThrough: new Date(T0 - 3 * 3_600_000).toISOString() });

    // Three hours and ten seconds left at one hour per ten seconds: just over 30 s.
    expect(tracker.get().etaSeconds).toBeCloseTo(30.03, 1);
    expect(formatProgress(tracker.get())).toContain('ETA 30 s');
  });

  it('when the run is done, then the ETA is 0 and the summary line gives the report numbers', () => {
    const clock = createManualClock(T0);
    const tracker = createProgressTracker({ runId: 'r', clock, callsSoFar: () => 0 });
    tracker.update({ phase: 'full-rest', leadsExpected: 2_040, leadsUpserted: 1_000 });
    clock.advance(2_000);
    tracker.update({ phase: 'done', leadsUpserted: 2_000, leadsDeleted: 3 });
    expect(tracker.get().etaSeconds).toBe(0);

    const summary = formatSummary(
      {
        runId: 'r',
        mode: 'full',
        strategy: 'rest',
        startedAt: new Date(T0).toISOString(),
        finishedAt: new Date(T0 + 2_000).toISOString(),
        outcome: 'succeeded',
        leadsUpserted: 2_000,
        leadsDeleted: 3,
        calls: 1_234,
      },
      2_000,
    );
    expect(summary).toBe(
      'Sync succeeded: full (rest), 2,000 leads written, 3 deleted, 1,234 Marketo calls, 2.0 s; 2,000 leads stored.',
    );
  });
});

describe('the full copy ETA', () => {
  it('when the copy waits for the call budget after its first burst, then the ETA counts the wait and the rate slows with it', () => {
    const clock = createManualClock(T0);
    const tracker = createProgressTracker({ runId: 'r', clock, callsSoFar: () => 0 });
    tracker.update({ phase: 'full-rest', leadsExpected: 2_000 });
    clock.advance(1_000);
    // The first burst: half the leads in a second, then no room in the budget for 10 s.
    tracker.update({ leadsUpserted: 1_000 });
    expect(tracker.get().etaSeconds).toBeCloseTo(1);
    const waiting = stats({ queued: 5, nextRoomAt: T0 + 11_000 });

    const early = progressAt(tracker.get(), T0 + 2_000, waitEndsAt(waiting, T0 + 2_000));
    expect(early.etaSeconds).toBe(9);
    const later = progressAt(tracker.get(), T0 + 6_000, waitEndsAt(waiting, T0 + 6_000));
    expect(later.leadsPerSecond).toBeCloseTo(1_000 / 6);
    expect(formatProgress(later)).toContain('ETA 6 s');

    clock.advance(10_000);
    expect(progressAt(tracker.get(), clock.now()).etaSeconds).toBeCloseTo(11);
  });
});
