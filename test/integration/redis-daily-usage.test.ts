import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DailyQuota } from '../../src/clients/marketo/daily-quota.js';
import { MarketoApiError } from '../../src/clients/marketo/marketo-error.js';
import { createRedisDailyUsage } from '../../src/clients/marketo/redis-daily-usage.js';
import { createManualClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { createManualScheduler } from '../../src/scheduler.js';
import { connectTestRedis } from '../helpers/redis-test-prefix.js';

let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ redis, prefix, cleanup } = await connectTestRedis());
});
afterEach(async () => {
  await cleanup();
});

const noon = Date.parse('2026-11-24T18:00:00Z'); // 12:00 CST
const nextMidnight = Date.parse('2026-11-25T06:00:00Z');

/** A replica's quota on the shared Redis, its totals read at start as createRuntime does. */
async function replica(clock: ReturnType<typeof createManualClock>, dailyQuota: number) {
  const port = createRedisDailyUsage(redis, `${prefix}:marketo`);
  const initial = await port.merge({ day: '2026-11-24', calls: 0, errorsByCode: {} });
  return new DailyQuota({
    dailyQuota,
    clock,
    logger: silentLogger,
    usage: { port, initial },
    scheduler: createManualScheduler(clock),
  });
}

function refused(quota: DailyQuota): boolean {
  try {
    quota.assertCanCall('test');
    return false;
  } catch (error) {
    if (error instanceof MarketoApiError && error.code === 'MARKETO_DAILY_QUOTA') return true;
    throw error;
  }
}

describe('daily Marketo usage shared through Redis', () => {
  it('when two replicas call, then each counts both, and the budget stops both once reached together', async () => {
    const clock = createManualClock(noon);
    const a = await replica(clock, 6);
    const b = await replica(clock, 6);
    for (let i = 0; i < 3; i += 1) a.recordCall();
    for (let i = 0; i < 2; i += 1) b.recordCall();
    a.recordError('606');
    await a.flush();
    await b.flush();
    await a.flush();
    expect(a.snapshot().callsToday).toBe(5);
    expect(b.snapshot().callsToday).toBe(5);
    expect(b.errorsByCode()).toEqual({ '606': 1 });
    expect(refused(a)).toBe(false);

    a.recordCall();
    await a.flush();
    await b.flush();
    expect(refused(b)).toBe(true); // b made none of the sixth call, yet the day is spent
    expect(b.snapshot()).toMatchObject({ callsToday: 6, pausedUntil: nextMidnight });
  });

  it('when one replica meets 607, then the others and a replica started later pause until midnight Central', async () => {
    const clock = createManualClock(noon);
    const a = await replica(clock, 1_000);
    const b = await replica(clock, 1_000);
    a.recordCall();
    a.pauseUntilReset();
    await a.flush();
    await b.flush();
    expect(refused(b)).toBe(true);
    const later = await replica(clock, 1_000);
    expect(later.snapshot()).toEqual({
      day: '2026-11-24',
      callsToday: 1,
      pausedUntil: nextMidnight,
    });
    expect(refused(later)).toBe(true);

    clock.set(nextMidnight);
    expect(refused(b)).toBe(false);
  });
});
