import { describe, expect, it } from 'vitest';
import {
  DailyQuota,
  callsRemaining,
  marketoDayKey,
  nextMarketoReset,
} from '../../src/clients/marketo/daily-quota.js';
import { createStoreDailyUsage } from '../../src/clients/marketo/daily-usage-port.js';
import { MarketoApiError } from '../../src/clients/marketo/marketo-error.js';
import { createManualClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { createManualScheduler } from '../../src/scheduler.js';
import type { UsageState, UsageStore } from '../../src/store/types.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
/** Lets the saves' promise chains run: one turn of the event loop, no time passes. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('marketoDayKey', () => {
  it.each([
    // CST (UTC-6) in winter, CDT (UTC-5) in summer
    ['2026-01-15T05:59:59Z', '2026-01-14'],
    ['2026-01-15T06:00:00Z', '2026-01-15'],
    ['2026-07-01T04:59:59Z', '2026-06-30'],
    ['2026-07-01T05:00:00Z', '2026-07-01'],
    // 2026-03-08: clocks go forward at 2:00 CST; the day starts at 06:00Z, the next at 05:00Z
    ['2026-03-08T05:59:59Z', '2026-03-07'],
    ['2026-03-08T06:00:00Z', '2026-03-08'],
    ['2026-03-09T04:59:59Z', '2026-03-08'],
    ['2026-03-09T05:00:00Z', '2026-03-09'],
    // 2026-11-01: clocks go back at 2:00 CDT; the day starts at 05:00Z, the next at 06:00Z
    ['2026-11-01T04:59:59Z', '2026-10-31'],
    ['2026-11-01T05:00:00Z', '2026-11-01'],
    ['2026-11-02T05:59:59Z', '2026-11-01'],
    ['2026-11-02T06:00:00Z', '2026-11-02'],
  ])('when it is %s, then the Marketo day is %s', (instant, day) => {
    expect(marketoDayKey(at(instant))).toBe(day);
  });
});

describe('nextMarketoReset', () => {
  it.each([
    ['2026-01-15T12:00:00Z', '2026-01-16T06:00:00.000Z'],
    ['2026-07-01T12:00:00Z', '2026-07-02T05:00:00.000Z'],
    ['2026-03-07T12:00:00Z', '2026-03-08T06:00:00.000Z'],
    ['2026-03-08T12:00:00Z', '2026-03-09T05:00:00.000Z'],
    ['2026-10-31T12:00:00Z', '2026-11-01T05:00:00.000Z'],
    ['2026-11-01T12:00:00Z', '2026-11-02T06:00:00.000Z'],
    // Exactly at midnight Central, the reset is the next one, a day later.
    ['2026-11-24T06:00:00Z', '2026-11-25T06:00:00.000Z'],
  ])('when it is %s, then the quota resets at %s', (instant, reset) => {
    expect(iso(nextMarketoReset(at(instant)))).toBe(reset);
  });

  it('when the clocks change, then the Marketo day lasts 23 h in March and 25 h in November', () => {
    const hours = (dayStartIso: string) =>
      (nextMarketoReset(at(dayStartIso)) - at(dayStartIso)) / 3_600_000;
    expect(hours('2026-03-08T06:00:00Z')).toBe(23);
    expect(hours('2026-11-01T05:00:00Z')).toBe(25);
  });
});

function memoryUsageStore(initial?: UsageState) {
  const saved: UsageState[] = [];
  const store: UsageStore = {
    loadUsage: () => Promise.resolve(initial),
    saveUsage: async (usage) => {
      saved.push(usage);
    },
  };
  return { store, saved };
}

function quotaError(fn: () => void): MarketoApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MarketoApiError) return error;
    throw error;
  }
  throw new Error('expected MARKETO_DAILY_QUOTA');
}

const noon = at('2026-11-24T18:00:00Z'); // 12:00 CST

/** A quota of 1,000 on a manual clock and scheduler, saving to a memory store. */
async function quotaOnManualTime(options: { saveIntervalMs?: number } = {}) {
  const clock = createManualClock(noon);
  const scheduler = createManualScheduler(clock);
  const { store, saved } = memoryUsageStore();
  const quota = new DailyQuota({
    dailyQuota: 1000,
    clock,
    logger: silentLogger,
    usage: await createStoreDailyUsage(store),
    scheduler,
    ...options,
  });
  return { clock, scheduler, saved, quota };
}

describe('DailyQuota', () => {
  const nextMidnight = '2026-11-25T06:00:00.000Z';

  it('when the count reaches the quota, then every later call is refused until midnight Central, and the next day starts fresh', () => {
    const clock = createManualClock(noon);
    const quota = new DailyQuota({ dailyQuota: 3, clock, logger: silentLogger });
    for (let i = 0; i < 3; i += 1) {
      quota.assertCanCall('test');
      quota.recordCall();
    }

    const error = quotaError(() => quota.assertCanCall('getLeadChanges'));
    expect(error).toMatchObject({ code: 'MARKETO_DAILY_QUOTA', httpStatus: 503, retryable: true });
    expect(error.details).toMatchObject({ retryAt: nextMidnight, callsToday: 3, dailyQuota: 3 });
    expect(iso(quota.snapshot().pausedUntil)).toBe(nextMidnight);

    clock.set(at(nextMidnight) - 1);
    expect(() => quota.assertCanCall('test')).toThrow(MarketoApiError);
    clock.set(at(nextMidnight));
    expect(() => quota.assertCanCall('test')).not.toThrow();
    expect(quota.snapshot()).toEqual({ day: '2026-11-25', callsToday: 0, pausedUntil: undefined });
  });

  it('when Marketo answers 607, then calls pause until the next midnight Central', () => {
    const clock = createManualClock(noon);
    const quota = new DailyQuota({ dailyQuota: 1000, clock, logger: silentLogger });
    expect(iso(quota.pauseUntilReset())).toBe(nextMidnight);
    const error = quotaError(() => quota.assertCanCall('test'));
    expect(error.details?.retryAt).toBe(nextMidnight);
  });

  it("when the store holds today's usage, then the count and the pause survive a restart", async () => {
    const clock = createManualClock(noon);
    const pausedUntil = at(nextMidnight);
    const { store } = memoryUsageStore({ day: '2026-11-24', calls: 41, pausedUntil });
    const quota = new DailyQuota({
      dailyQuota: 1000,
      clock,
      logger: silentLogger,
      usage: await createStoreDailyUsage(store),
    });
    expect(quota.snapshot()).toEqual({ day: '2026-11-24', callsToday: 41, pausedUntil });
    expect(() => quota.assertCanCall('test')).toThrow(MarketoApiError);
  });

  it("when the store holds yesterday's usage, then today starts at zero", async () => {
    const clock = createManualClock(noon);
    const { store } = memoryUsageStore({ day: '2026-11-23', calls: 999 });
    const quota = new DailyQuota({
      dailyQuota: 1000,
      clock,
      logger: silentLogger,
      usage: await createStoreDailyUsage(store),
    });
    expect(quota.snapshot().callsToday).toBe(0);
  });

  it('when calls flow, then usage is saved at most once per interval, and flush saves at once', async () => {
    const { scheduler, saved, quota } = await quotaOnManualTime({ saveIntervalMs: 30 });
    for (let i = 0; i < 10; i += 1) quota.recordCall();
    scheduler.advance(29);
    await settle();
    expect(saved).toHaveLength(0);
    scheduler.advance(1);
    await settle();
    expect(saved).toEqual([{ day: '2026-11-24', calls: 10 }]);

    quota.recordCall();
    await quota.flush();
    expect(saved.at(-1)).toEqual({ day: '2026-11-24', calls: 11 });
    expect(scheduler.pending()).toBe(0);
    scheduler.advance(60);
    await settle();
    expect(saved).toHaveLength(2);
  });

  it('when calls pause, then the pause is saved without waiting for the interval', async () => {
    const { saved, quota } = await quotaOnManualTime({ saveIntervalMs: 60_000 });
    quota.pauseUntilReset();
    await settle();
    expect(saved.at(-1)).toEqual({ day: '2026-11-24', calls: 0, pausedUntil: at(nextMidnight) });
  });

  it('when calls are paused after 607, then none remain today although the count is far below the quota', () => {
    const clock = createManualClock(noon);
    const quota = new DailyQuota({ dailyQuota: 1000, clock, logger: silentLogger });
    quota.recordCall();
    const before = { dailyQuota: 1000, ...quota.snapshot() };
    expect(callsRemaining(before)).toBe(999);

    quota.pauseUntilReset();
    expect(callsRemaining({ dailyQuota: 1000, ...quota.snapshot() })).toBe(0);
    clock.set(at(nextMidnight));
    expect(callsRemaining({ dailyQuota: 1000, ...quota.snapshot() })).toBe(1000);
  });

  it('when errors were counted, then the counts are saved with the usage, survive a restart and a new day', async () => {
    const { clock, scheduler, saved, quota } = await quotaOnManualTime();
    quota.recordError('606');
    quota.recordError('606');
    quota.recordError('ECONNRESET');
    await quota.flush();
    expect(saved.at(-1)).toEqual({
      day: '2026-11-24',
      calls: 0,
      errorsByCode: { '606': 2, ECONNRESET: 1 },
    });

    clock.set(at(nextMidnight) + 1000);
    const restarted = new DailyQuota({
      dailyQuota: 1000,
      clock,
      logger: silentLogger,
      usage: await createStoreDailyUsage(memoryUsageStore(saved.at(-1)).store),
      scheduler,
    });
    expect(restarted.errorsByCode()).toEqual({ '606': 2, ECONNRESET: 1 });
    restarted.recordError('606');
    expect(restarted.errorsByCode()).toEqual({ '606': 3, ECONNRESET: 1 });
    expect(restarted.snapshot().callsToday).toBe(0);
  });
});
