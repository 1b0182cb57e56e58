import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { silentLogger } from '../../src/logger.js';
import { connectRedis } from '../../src/redis-connection.js';

/** The Redis the tests use for real (.ci/run starts it when it is down). */
export const TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * A connection to the test Redis and a key prefix of this run's own, so parallel runs never
 * meet; `cleanup()` deletes the prefix's keys and closes. Fails loudly (never skips) when
 * Redis is not running.
 */
export async function connectTestRedis(): Promise<{
  redis: Redis;
  prefix: string;
  cleanup(): Promise<void>;
}> {
  const redis = await connectRedis(TEST_REDIS_URL, silentLogger).catch((error: unknown) => {
    throw new Error(`These tests need a running Redis (bash .ci/run starts it): ${String(error)}`);
  });
  const prefix = `test:${process.pid}:${randomBytes(6).toString('hex')}`;
  return {
    redis,
    prefix,
    async cleanup() {
      const keys: string[] = [];
      for await (const batch of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
        keys.push(...(batch as string[]));
      }
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
