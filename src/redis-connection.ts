import { Redis } from 'ioredis';
import { AppError } from './errors.js';
import type { Logger } from './logger.js';

/** How long start-up waits for Redis before it gives up (and the service exits with 1). */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connects to REDIS_URL at start-up. Unreachable: an error naming Redis and the host (never
 * the password), so main.ts prints it and exits 1. Once connected, a lost connection is
 * retried with a capped backoff; commands sent meanwhile wait in ioredis's offline queue, and
 * a call that cannot get its budget slot fails rather than going to Marketo unbudgeted.
 */
export async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const where = describeRedisUrl(url);
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 3,
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 5_000),
  });
  redis.on('error', (error: Error) => logger.warn({ err: error.message, redis: where }, 'Redis'));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new AppError(
      'REDIS_UNREACHABLE',
      `Redis at ${where} (REDIS_URL) is unreachable: ${String(error instanceof Error ? error.message : error).replace(/\.$/, '')}. ` +
        'Start Redis, or unset REDIS_URL to count the Marketo budget and the chat limits in this process.',
      { httpStatus: 503, retryable: true },
    );
  }
  return redis;
}

/** `redis://host:port/db` without credentials, for messages and logs. */
export function describeRedisUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}
