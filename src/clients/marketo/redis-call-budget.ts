import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../../deps.js';
import { AppError } from '../../errors.js';
import type { CallBudget, CallBudgetStats, SlidingWindowCallBudgetOptions } from './call-budget.js';

export interface RedisCallBudgetOptions extends SlidingWindowCallBudgetOptions {
  redis: Redis;
  /** Keys of one Marketo instance, e.g. `mcs:marketo:<instance>`; every replica uses the same. */
  keyPrefix: string;
  /**
   * A slot's lease: renewed every third of it while the call runs, so a process that dies
   * frees its slots after at most this long (default 30 s).
   */
  leaseMs?: number;
  /** 0 <= x < 1; spreads the waiters' retries (tests pass a seeded one). */
  random?: () => number;
}

/**
 * Why a Lua script and not a library: Bottleneck's ioredis mode still runs on Redis 7 but
 * counts a call when it starts and refills its reservoir per period, and rate-limiter-flexible
 * and BullMQ count arrivals too; none can log a call at its answer time, which is what keeps
 * a stalled process from bunching two windows of arrivals together (see call-budget.ts). So
 * the same rule as SlidingWindowCallBudget, made atomic across processes by one script:
 *   log      sorted set of answered counted calls, scored by answer time;
 *   counted  leases of counted calls in flight (each counts as "now" against the rate);
 *   flight   leases of every call in flight (the concurrency cap, Marketo's 615).
 * Leases carry an expiry, so a crashed holder's slot comes back (stale members are dropped on
 * every reserve). Time comes from the caller's clock: replicas must keep NTP time, and the
 * margin absorbs their skew.
 */
const RESERVE = `
local now, span, limit, cap = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
if redis.call('ZCARD', KEYS[3]) >= cap then
  local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  return {0, tonumber(first[2]) - now, 1}
end
if ARGV[7] == '1' then
  local used = redis.call('ZCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2])
  if used >= limit then
    local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    if oldest[2] then return {0, tonumber(oldest[2]) + span - now, 0} end
    return {0, span, 0}
  end
  redis.call('ZADD', KEYS[2], ARGV[6], ARGV[5])
end
redis.call('ZADD', KEYS[3], ARGV[6], ARGV[5])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], span + tonumber(ARGV[6]) - now) end
return {1, 0, 0}`;

/** Releases a lease; a counted call enters the log at its answer time. Wakes the waiters. */
const RELEASE = `
local had = redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[2])
-- Logged even when its lease had lapsed (a stalled process): the call was sent all the same.
if ARGV[3] == '1' then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
redis.call('PUBLISH', KEYS[4], '1')
return had`;

/** Extends a lease still held (never revives one already dropped). */
const RENEW = `
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  redis.call('ZADD', KEYS[3], 'XX', ARGV[2], ARGV[1])
  redis.call('ZADD', KEYS[2], 'XX', ARGV[2], ARGV[1])
  -- The sets' own expiry was set at a reserve; a long call (a 300 s export) outlives it.
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
  return 1
end
return 0`;

const USAGE = `
local now, span = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {redis.call('ZCARD', KEYS[1]), redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[3]), oldest[2] or -1}`;

const realSleep = (ms: number, signal: AbortSignal) =>
  sleep(ms, undefined, { signal }).catch(() => undefined);

/** A waiter also wakes this often (plus jitter) in case a release message was lost. */
const MAX_WAIT_MS = 1_000;

/**
 * The Marketo call budget shared by every replica through Redis (REDIS_URL). Waiting never
 * polls: a waiter sleeps until the oldest logged call leaves the window (or, when the
 * concurrency cap is the limit, until the next release is published), plus a little jitter so
 * replicas do not all retry at the same millisecond.
 */
export class RedisCallBudget implements CallBudget {
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly keys: [string, string, string, string];
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly span: number;
  private readonly leaseMs: number;
  private readonly waiters = new Set<() => void>();
  private subscribed: Promise<unknown> | undefined;
  private local = { started: 0, inFlight: 0, maxInFlight: 0, queued: 0 };
  private shared = {
    inWindow: 0,
    inFlight: 0,
    maxInWindow: 0,
    nextRoomAt: undefined as number | undefined,
  };

  constructor(private readonly options: RedisCallBudgetOptions) {
    for (const key of ['rateLimit', 'rateWindowMs', 'maxConcurrency'] as const) {
      if (!Number.isInteger(options[key]) || options[key] < 1) {
        throw new RangeError(`${key} must be a positive integer`);
      }
    }
    this.redis = options.redis;
    this.subscriber = options.redis.duplicate();
    // The main connection reports Redis errors; this one only carries wake-ups.
    this.subscriber.on('error', () => undefined);
    const p = options.keyPrefix;
    this.keys = [`${p}:log`, `${p}:counted`, `${p}:flight`, `${p}:released`];
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? realSleep;
    this.span = options.rateWindowMs + options.rateMarginMs;
    this.leaseMs = options.leaseMs ?? 30_000;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.runWithLease(true, fn);
  }

  runUncounted<T>(fn: () => Promise<T>): Promise<T> {
    return this.runWithLease(false, fn);
  }

  /** This process's counts, and the shared window as last seen (refresh() reads it anew). */
  stats(): CallBudgetStats {
    const { rateLimit: limit, maxConcurrency } = this.options;
    return {
      limit,
      windowMs: this.span,
      maxConcurrency,
      started: this.local.started,
      inWindow: this.shared.inWindow,
      maxInWindow: this.shared.maxInWindow,
      inFlight: this.local.inFlight,
      maxInFlight: this.local.maxInFlight,
      queued: this.local.queued,
      ...(this.shared.nextRoomAt !== undefined ? { nextRoomAt: this.shared.nextRoomAt } : {}),
    };
  }

  /** Reads the shared window: calls logged or running counted, and every call in flight. */
  async refresh(): Promise<{ inWindow: number; inFlight: number }> {
    const now = this.clock.now();
    const [logged, counted, flight, oldest] = (await this.redis.eval(
      USAGE,
      3,
      ...this.keys.slice(0, 3),
      now,
      this.span,
    )) as [number, number, number, string | number];
    const inWindow = logged + counted;
    const oldestAt = Number(oldest);
    this.shared.inWindow = inWindow;
    this.shared.inFlight = flight;
    this.shared.nextRoomAt =
      inWindow >= this.options.rateLimit && oldestAt >= 0 ? oldestAt + this.span : undefined;
    return { inWindow, inFlight: flight };
  }

  /** Stops listening for releases (the shared connection is the caller's to close). */
  async close(): Promise<void> {
    this.subscriber.disconnect();
    for (const wake of this.waiters) wake();
  }

  private async runWithLease<T>(counted: boolean, fn: () => Promise<T>): Promise<T> {
    const lease = randomUUID();
    await this.reserve(lease, counted);
    this.local.started += counted ? 1 : 0;
    this.local.inFlight += 1;
    this.local.maxInFlight = Math.max(this.local.maxInFlight, this.local.inFlight);
    const renewal = setInterval(
      () => {
        void this.redis
          .eval(
            RENEW,
            3,
            ...this.keys.slice(0, 3),
            lease,
            this.clock.now() + this.leaseMs,
            this.span + this.leaseMs,
          )
          .catch(() => undefined);
      },
      Math.max(1, Math.floor(this.leaseMs / 3)),
    );
    renewal.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      this.local.inFlight -= 1;
      await this.redis
        .eval(RELEASE, 4, ...this.keys, this.clock.now(), lease, counted ? 1 : 0, this.span * 2)
        .catch(() => undefined);
    }
  }

  /** Waits until the script grants a slot. */
  private async reserve(lease: string, counted: boolean): Promise<void> {
    // Without the release messages waiters still wake on their timers (at most MAX_WAIT_MS).
    this.subscribed ??= this.listenForReleases().catch(() => undefined);
    await this.subscribed;
    this.local.queued += 1;
    try {
      for (;;) {
        const now = this.clock.now();
        const [granted, waitMs, atCap] = (await this.redis
          .eval(
            RESERVE,
            3,
            ...this.keys.slice(0, 3),
            now,
            this.span,
            this.options.rateLimit,
            this.options.maxConcurrency,
            lease,
            now + this.leaseMs,
            counted ? 1 : 0,
          )
          .catch((error: unknown) => {
            // Never sent unbudgeted: the caller gets a retryable 503 and nothing reaches Marketo.
            throw new AppError(
              'MARKETO_BUDGET_UNAVAILABLE',
              'Redis, where the replicas share the Marketo call budget, is unreachable: call not sent',
              { httpStatus: 503, retryable: true, cause: error },
            );
          })) as [number, number, number];
        if (granted === 1) {
          if (counted) {
            this.shared.inWindow += 1;
            this.shared.maxInWindow = Math.max(this.shared.maxInWindow, this.shared.inWindow);
          }
          return;
        }
        const jitter = Math.floor(this.random() * 10);
        await this.waitForRoom(Math.min(Math.max(waitMs, 1), MAX_WAIT_MS) + jitter, atCap === 1);
      }
    } finally {
      this.local.queued -= 1;
    }
  }

  /**
   * Sleeps `ms`, or, when the concurrency cap was the bound, until any replica releases a slot.
   * A release never frees room in the rate window (the call moves from in flight to the log),
   * so a waiter for the window only wakes when its oldest call has left it.
   */
  private async waitForRoom(ms: number, wakeOnRelease: boolean): Promise<void> {
    const stop = new AbortController();
    let wake: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (wake = resolve));
    if (wakeOnRelease) this.waiters.add(wake);
    await Promise.race([this.sleep(ms, stop.signal), released]);
    stop.abort();
    this.waiters.delete(wake);
  }

  private async listenForReleases(): Promise<void> {
    this.subscriber.on('message', () => {
      for (const wake of this.waiters) wake();
    });
    await this.subscriber.subscribe(this.keys[3]);
  }
}
