import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisCallBudget } from '../../src/clients/marketo/redis-call-budget.js';
import { createManualClock, systemClock, type Clock } from '../../src/deps.js';
import { connectTestRedis } from '../helpers/redis-test-prefix.js';

// Real Redis, each test under its own key prefix. The replicas are budgets with their own
// connections, as separate processes would have.
let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;
const opened: { budget: RedisCallBudget; connection: Redis }[] = [];

beforeEach(async () => {
  ({ redis, prefix, cleanup } = await connectTestRedis());
});
afterEach(async () => {
  for (const { budget, connection } of opened.splice(0)) {
    await budget.close();
    connection.disconnect();
  }
  await cleanup();
});

function replica(options: {
  limit: number;
  windowMs: number;
  concurrency: number;
  clock?: Clock;
  leaseMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  seed?: number;
}) {
  const connection = redis.duplicate();
  const budget = new RedisCallBudget({
    redis: connection,
    keyPrefix: `${prefix}:marketo`,
    rateLimit: options.limit,
    rateWindowMs: options.windowMs,
    rateMarginMs: 0,
    maxConcurrency: options.concurrency,
    clock: options.clock ?? systemClock,
    random: seededRandom(options.seed ?? 1),
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  opened.push({ budget, connection });
  return { budget, connection };
}

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Most calls whose [start, answer] meets one window: the worst is a window opening at an answer. */
function maxCallsInAnyWindow(calls: { start: number; answer: number }[], windowMs: number) {
  return Math.max(
    ...calls.map(
      ({ answer: t }) => calls.filter((c) => c.answer >= t && c.start < t + windowMs).length,
    ),
  );
}

function maxOverlap(calls: { start: number; answer: number }[]) {
  const edges = calls.flatMap((c) => [
    [c.start, 1],
    [c.answer, -1],
  ]);
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let running = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (running += step!));
  return most;
}

describe('Redis call budget shared by replicas', () => {
  it('when three replicas saturate one Redis budget, then no window holds more than the limit, no more than the cap run at once, and the rate is used', async () => {
    const LIMIT = 10;
    const WINDOW = 1_000;
    const CAP = 3;
    const RUN_MS = 2_000;
    const replicas = [1, 2, 3].map((seed) =>
      replica({ limit: LIMIT, windowMs: WINDOW, concurrency: CAP, seed }),
    );
    const calls: { start: number; answer: number }[] = [];
    const latency = seededRandom(7);
    const began = Date.now();
    // Four callers per replica, each calling again as soon as its call is answered, until
    // RUN_MS has passed: demand far above 10 per second.
    await Promise.all(
      replicas.flatMap(({ budget }) =>
        Array.from({ length: 4 }, async () => {
          while (Date.now() - began < RUN_MS) {
            await budget.run(async () => {
              const start = Date.now();
              await delay(5 + Math.floor(latency() * 20));
              calls.push({ start, answer: Date.now() });
            });
          }
        }),
      ),
    );
    // Safety, strictly: measured inside the call, so each span lies within the budget's own.
    expect(maxCallsInAnyWindow(calls, WINDOW)).toBeLessThanOrEqual(LIMIT);
    expect(maxOverlap(calls)).toBeLessThanOrEqual(CAP);
    // Utilisation, loosely (real time on a shared machine): calls started in the first RUN_MS
    // against the most that sliding windows allow there, LIMIT per WINDOW.
    const first = Math.min(...calls.map((c) => c.start));
    const inRun = calls.filter((c) => c.start < first + RUN_MS).length;
    const utilisation = inRun / ((LIMIT * RUN_MS) / WINDOW);
    console.log(
      `redis budget: ${inRun} calls started in ${RUN_MS} ms over 3 replicas ` +
        `(${calls.length} in all), utilisation ${utilisation.toFixed(3)} of ${LIMIT}/${WINDOW} ms`,
    );
    expect(utilisation).toBeGreaterThan(0.6);
    expect(replicas.every(({ budget }) => budget.stats().started > 0)).toBe(true);
  });

  it('when a replica dies holding a slot, then its lease expires and another replica gets it', async () => {
    const clock = createManualClock();
    const shortSleep = () => delay(5);
    const dying = replica({ limit: 5, windowMs: 1_000, concurrency: 1, clock, leaseMs: 300 });
    const survivor = replica({
      limit: 5,
      windowMs: 1_000,
      concurrency: 1,
      clock,
      sleep: shortSleep,
    });
    let holding: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (holding = resolve));
    void dying.budget.run(() => {
      holding();
      return new Promise<never>(() => undefined); // never answers: the process is gone
    });
    await held;
    dying.connection.disconnect(); // no renewal, no release from now on

    let started = false;
    const later = survivor.budget.run(async () => {
      started = true;
    });
    await delay(50);
    expect(started).toBe(false); // the manual clock has not moved: the lease still holds
    clock.advance(300);
    await later;
    expect(started).toBe(true);
  });

  it('when a call runs longer than its lease, then renewals keep its slot until it ends', async () => {
    const clock = createManualClock();
    const options = { limit: 5, windowMs: 1_000, concurrency: 1, clock, leaseMs: 300 };
    const holder = replica(options);
    const other = replica({ ...options, sleep: () => delay(5) });
    let answer: () => void = () => undefined;
    let holding: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const long = holder.budget.run(() => {
      holding();
      return new Promise<void>((resolve) => (answer = resolve));
    });
    await held;
    const leaseEnd = async () => {
      const [, score] = await redis.zrange(`${prefix}:marketo:flight`, 0, 0, 'WITHSCORES');
      return Number(score);
    };
    clock.advance(200);
    // A renewal runs every 100 ms of real time; wait for one (bounded), then pass the first lease.
    for (let i = 0; i < 200 && (await leaseEnd()) < clock.now() + 300; i += 1) await delay(10);
    expect(await leaseEnd()).toBe(clock.now() + 300);
    clock.advance(200);

    let started = false;
    const next = other.budget.run(async () => {
      started = true;
    });
    await delay(50);
    expect(started).toBe(false);
    answer();
    await long;
    await next;
    expect(started).toBe(true);
  });

  it('when a call is answered, then it counts in the window from its answer time', async () => {
    const clock = createManualClock();
    const { budget } = replica({
      limit: 1,
      windowMs: 1_000,
      concurrency: 5,
      clock,
      sleep: () => delay(5),
    });
    await budget.run(async () => {
      clock.advance(400); // a slow answer: the window starts here, not at the start
    });
    let second = false;
    const next = budget.run(async () => {
      second = true;
    });
    clock.advance(999);
    await delay(50);
    expect(second).toBe(false);
    clock.advance(1);
    await next;
    expect(second).toBe(true);
  });

  it('when Redis cannot be reached, then the call is not sent and fails with a retryable 503', async () => {
    const unreachable = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => undefined);
    const budget = new RedisCallBudget({
      redis: unreachable,
      keyPrefix: `${prefix}:marketo`,
      rateLimit: 5,
      rateWindowMs: 1_000,
      rateMarginMs: 0,
      maxConcurrency: 1,
    });
    let sent = false;
    try {
      await expect(
        budget.run(async () => {
          sent = true;
        }),
      ).rejects.toMatchObject({
        code: 'MARKETO_BUDGET_UNAVAILABLE',
        httpStatus: 503,
        retryable: true,
      });
      expect(sent).toBe(false);
    } finally {
      await budget.close();
      unreachable.disconnect();
    }
  });
});
