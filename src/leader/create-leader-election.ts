import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { Clock } from '../deps.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { describeRedisUrl } from '../redis-connection.js';
import type { Scheduler } from '../scheduler.js';
import { createLeaseElection } from './lease-election.js';
import { createSoleLeader, type LeaderElection } from './leader-election.js';
import { createRedisLeaderLock } from './redis-leader-lock.js';
import { createPgLeaderElection } from '../store/postgres/pg-leader-election.js';

export interface JobLeaderConfig {
  /** REDIS_URL: the lease lives in Redis. */
  redisUrl: string | undefined;
  /** DATABASE_URL without REDIS_URL: a PostgreSQL advisory lock. Neither: the sole process. */
  databaseUrl?: string | undefined;
  ttlMs: number;
  checkMs: number;
  /**
   * The Marketo instance served (marketoInstanceId): the replicas of one instance share one
   * store and one set of jobs, so they share one lease.
   */
  instanceId: string;
  /** REDIS_KEY_PREFIX: several services (or test runs) may share one Redis. */
  keyPrefix: string;
}

/**
 * The election the service runs its jobs under: a lease in Redis when REDIS_URL is set, else
 * the sole process leads. The lease has a connection of its own, so a slow budget call never
 * delays a renewal, and that connection fails commands at once while Redis is away instead of
 * queueing them (a queued renewal would answer too late to mean anything).
 */
export async function createLeaderElection(
  config: JobLeaderConfig,
  deps: { clock: Clock; scheduler: Scheduler; logger: Logger },
): Promise<{ election: LeaderElection; close(): Promise<void> }> {
  const holder = `${hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;
  if (config.redisUrl === undefined && config.databaseUrl !== undefined) {
    // Replicas on one database without Redis: the database's session lock elects the leader.
    const election = createPgLeaderElection({
      connectionString: config.databaseUrl,
      checkMs: config.checkMs,
      scheduler: deps.scheduler,
      logger: deps.logger,
      holder,
    });
    return { election, close: () => election.stop() };
  }
  if (config.redisUrl === undefined) {
    const election = createSoleLeader();
    return { election, close: () => election.stop() };
  }
  const redis = await connectLeaderRedis(config.redisUrl, deps.logger);
  const election = createLeaseElection({
    lock: createRedisLeaderLock(redis, `${config.keyPrefix}:leader:${config.instanceId}`),
    holder,
    ttlMs: config.ttlMs,
    checkMs: config.checkMs,
    ...deps,
  });
  return {
    election,
    async close() {
      await election.stop();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** The lease's own connection, connected now: an unreachable Redis fails the start, by name. */
export async function connectLeaderRedis(url: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectionName: 'marketo-chat-leader',
  });
  // Reconnection is ioredis's own (with backoff); the election sees failed commands meanwhile.
  redis.on('error', (error: unknown) =>
    logger.debug({ err: error }, 'job leader: Redis connection error'),
  );
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new AppError(
      'REDIS_UNREACHABLE',
      `Redis at ${describeRedisUrl(url)} (REDIS_URL) is unreachable ` +
        `(${error instanceof Error ? error.message : String(error)}): ` +
        'the job leader needs it. Start Redis or unset REDIS_URL for a single process.',
      { cause: error },
    );
  }
  return redis;
}
