import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { DailyUsage, DailyUsageDelta, DailyUsagePort } from './daily-usage-port.js';

/**
 * One atomic step: add this replica's calls to the day's count, keep the latest pause, add its
 * error counts, and answer the totals. A day's key outlives the day by two (the count is only
 * read for today; the margin covers clocks on either side of midnight Central).
 */
const MERGE = `
redis.call('HINCRBY', KEYS[1], 'calls', ARGV[1])
local paused = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
if tonumber(ARGV[2]) > paused then redis.call('HSET', KEYS[1], 'pausedUntil', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
for i = 4, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) end
return {redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2])}`;

const THREE_DAYS_MS = 3 * 24 * 3600 * 1000;

const replySchema = z.tuple([z.array(z.string()), z.array(z.string())]);

/** The daily usage shared by every replica (REDIS_URL): the port of daily-usage-port.ts. */
export function createRedisDailyUsage(redis: Redis, keyPrefix: string): DailyUsagePort {
  return {
    async merge(delta: DailyUsageDelta): Promise<DailyUsage> {
      const errors = Object.entries(delta.errorsByCode).flatMap(([code, n]) => [code, n]);
      const reply = replySchema.parse(
        await redis.eval(
          MERGE,
          2,
          `${keyPrefix}:usage:${delta.day}`,
          `${keyPrefix}:errors`,
          delta.calls,
          delta.pausedUntil ?? 0,
          THREE_DAYS_MS,
          ...errors,
        ),
      );
      const day = pairs(reply[0]);
      const errorsByCode = Object.fromEntries(
        Object.entries(pairs(reply[1])).map(([code, n]) => [code, Number(n)]),
      );
      const pausedUntil = Number(day.pausedUntil ?? 0);
      return {
        day: delta.day,
        calls: Number(day.calls ?? 0),
        ...(pausedUntil > 0 ? { pausedUntil } : {}),
        ...(Object.keys(errorsByCode).length > 0 ? { errorsByCode } : {}),
      };
    },
  };
}

function pairs(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}
