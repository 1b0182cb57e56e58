import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  connectLeaderRedis,
  createLeaderElection,
} from '../../src/leader/create-leader-election.js';
import type { LeaderElection } from '../../src/leader/leader-election.js';
import { createLeaseElection } from '../../src/leader/lease-election.js';
import { createRedisLeaderLock, type LeaderLock } from '../../src/leader/redis-leader-lock.js';
import { runAsLeader } from '../../src/leader/run-as-leader.js';
import { systemClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { systemScheduler } from '../../src/scheduler.js';

// The real Redis of the machine (.ci/run starts it); each test has a key of its own.
const REDIS_URL = 'redis://127.0.0.1:6379';
const TTL_MS = 300;
const CHECK_MS = 100;

let admin: Redis;
let key: string;
const opened: Array<{ election: LeaderElection; redis: Redis }> = [];

beforeAll(async () => {
  admin = await connectLeaderRedis(REDIS_URL, silentLogger).catch((error: unknown) => {
    throw new Error(`these tests need Redis at ${REDIS_URL} (.ci/run starts it): ${String(error)}`);
  });
});
afterAll(async () => {
  await admin.quit();
});
afterEach(async () => {
  for (const { election, redis } of opened.splice(0)) {
    await election.stop().catch(() => undefined);
    redis.disconnect();
  }
  await admin.del(key);
});

/** Counts each election's lock calls, so a test waits for checks to happen, never for time. */
function counted(lock: LeaderLock) {
  const calls = { acquire: 0, renew: 0 };
  return {
    calls,
    lock: {
      acquire: (holder: string, ttl: number) => ((calls.acquire += 1), lock.acquire(holder, ttl)),
      renew: (holder: string, ttl: number) => ((calls.renew += 1), lock.renew(holder, ttl)),
      release: (holder: string) => lock.release(holder),
    } satisfies LeaderLock,
  };
}

async function elections(count: number, ttlMs = TTL_MS) {
  key = `test:leader:${randomUUID()}`;
  const made = [];
  for (let i = 0; i < count; i += 1) {
    const redis = await connectLeaderRedis(REDIS_URL, silentLogger);
    const { lock, calls } = counted(createRedisLeaderLock(redis, key));
    const election = createLeaseElection({
      lock,
      holder: `replica-${i}`,
      ttlMs,
      checkMs: CHECK_MS,
      clock: systemClock,
      scheduler: systemScheduler,
      logger: silentLogger,
    });
    opened.push({ election, redis });
    made.push({ election, redis, calls, name: `replica-${i}` });
  }
  // At any moment at most one leads: checked at every change of every election.
  const leaders = new Set<string>();
  let overlaps = 0;
  for (const { election, name } of made) {
    election.onChange((leader) => {
      if (leader) leaders.add(name);
      else leaders.delete(name);
      if (leaders.size > 1) overlaps += 1;
    });
  }
  return { made, leaders, overlaps: () => overlaps };
}

/** Resolves when `predicate` holds, looked at on every change and every 10 ms; fails after 5 s. */
function until(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const look = setInterval(() => {
      if (predicate()) {
        clearInterval(look);
        resolve(Date.now() - started);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(look);
        reject(new Error(`timed out waiting until ${what}`));
      }
    }, 10);
  });
}

describe('the job leader on Redis', () => {
  it('when three replicas campaign on one key, then exactly one leads, through many renewals', async () => {
    const { made, leaders, overlaps } = await elections(3);
    for (const { election } of made) election.start();
    await until(() => leaders.size === 1, 'one replica leads');
    const leader = made.find((m) => m.election.isLeader())!;
    const followers = made.filter((m) => m !== leader);
    // Ten checks of every follower, while the leader renews.
    await until(() => followers.every((f) => f.calls.acquire >= 10), 'ten checks each');
    expect(leader.calls.renew).toBeGreaterThanOrEqual(5);
    expect(made.filter((m) => m.election.isLeader())).toEqual([leader]);
    expect(overlaps()).toBe(0);
    expect(await admin.get(key)).toBe(leader.name);
  });

  it('when the leader stops gracefully, then another takes over at its next check, well before the lease would expire', async () => {
    const { made, leaders, overlaps } = await elections(2, 5_000);
    for (const { election } of made) election.start();
    await until(() => leaders.size === 1, 'one replica leads');
    const leader = made.find((m) => m.election.isLeader())!;
    const follower = made.find((m) => m !== leader)!;

    const stoppedAt = Date.now();
    await leader.election.stop();
    await until(() => follower.election.isLeader(), 'the follower leads');
    const takeoverMs = Date.now() - stoppedAt;
    console.log(`graceful handover: ${takeoverMs} ms (lease 5000 ms, check ${CHECK_MS} ms)`);
    expect(takeoverMs).toBeLessThan(2_000);
    expect(overlaps()).toBe(0);
  });

  it('when the leader crashes (its connection drops, the key stays), then it stops its jobs at once and another leads within ttl + one check', async () => {
    const { made, leaders, overlaps } = await elections(3);
    const jobs = made.map(({ election, name }) => {
      const job = { starts: 0, stops: 0 };
      const handle = runAsLeader(
        election,
        [
          {
            name: 'sync',
            start: () => ((job.starts += 1), { stop: () => void (job.stops += 1) }),
          },
        ],
        silentLogger,
      );
      return { name, job, handle };
    });
    await until(() => leaders.size === 1, 'one replica leads');
    const leader = made.find((m) => m.election.isLeader())!;
    const leaderJob = jobs.find((j) => j.name === leader.name)!.job;
    expect(leaderJob).toEqual({ starts: 1, stops: 0 });

    const crashedAt = Date.now();
    leader.redis.disconnect();
    const remainingMs = await admin.pttl(key);
    await until(() => leaderJob.stops === 1, 'the crashed leader stops its jobs', 1_000);
    const stoppedJobsMs = Date.now() - crashedAt;
    await until(
      () => made.some((m) => m !== leader && m.election.isLeader()),
      'another replica leads',
    );
    const takeoverMs = Date.now() - crashedAt;
    console.log(
      `crash takeover: ${takeoverMs} ms (the crashed leader stopped its jobs after ${stoppedJobsMs} ms; ` +
        `lease had ${remainingMs} ms left; ttl ${TTL_MS} ms, check ${CHECK_MS} ms)`,
    );
    // The key was not released: the others waited for it to expire.
    expect(takeoverMs).toBeGreaterThanOrEqual(remainingMs - 50);
    expect(takeoverMs).toBeLessThan(1_000);
    // Fencing: the old leader's jobs had stopped before the new leader's could start.
    expect(stoppedJobsMs).toBeLessThan(takeoverMs);
    expect(overlaps()).toBe(0);
    const holder = await admin.get(key);
    const newLeader = jobs.find((j) => j.name === holder)!;
    expect(newLeader.job).toEqual({ starts: 1, stops: 0 });
    for (const { handle } of jobs) await handle.stop();
  });

  it('when another holder takes the key, then the leader stops its jobs at its next renewal and does not take it back', async () => {
    const { made, leaders } = await elections(1, 5_000);
    const job = { starts: 0, stops: 0 };
    const handle = runAsLeader(
      made[0]!.election,
      [{ name: 'outbox', start: () => ((job.starts += 1), { stop: () => void (job.stops += 1) }) }],
      silentLogger,
    );
    await until(() => leaders.size === 1, 'the replica leads');
    await admin.set(key, 'intruder', 'PX', 5_000);
    await until(() => job.stops === 1, 'the jobs stop', 1_000);
    expect(made[0]!.election.isLeader()).toBe(false);
    const checks = made[0]!.calls.acquire;
    await until(() => made[0]!.calls.acquire >= checks + 3, 'three more checks');
    expect(made[0]!.election.isLeader()).toBe(false);
    expect(job).toEqual({ starts: 1, stops: 1 });
    await handle.stop();
    // Its stop never releases a key it does not hold.
    expect(await admin.get(key)).toBe('intruder');
  });

  it('when REDIS_URL is unset, then the one process leads; when Redis is unreachable, then the start fails naming Redis', async () => {
    const deps = { clock: systemClock, scheduler: systemScheduler, logger: silentLogger };
    const sole = await createLeaderElection(
      {
        redisUrl: undefined,
        ttlMs: TTL_MS,
        checkMs: CHECK_MS,
        instanceId: 'sandbox',
        keyPrefix: 'test',
      },
      deps,
    );
    sole.election.start();
    expect(sole.election.isLeader()).toBe(true);
    await sole.close();
    expect(sole.election.isLeader()).toBe(false);

    key = `test:leader:${randomUUID()}`;
    const error = await createLeaderElection(
      {
        redisUrl: 'redis://127.0.0.1:1',
        ttlMs: TTL_MS,
        checkMs: CHECK_MS,
        instanceId: 'x',
        keyPrefix: 'test',
      },
      deps,
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REDIS_UNREACHABLE' });
    expect(String(error)).toMatch(/Redis at redis:\/\/127\.0\.0\.1:1 \(REDIS_URL\) is unreachable/);
  });
});
