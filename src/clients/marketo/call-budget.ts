import Bottleneck from 'bottleneck';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../../deps.js';
import type { MarketoBudgetStats } from './types.js';

export type CallBudgetStats = MarketoBudgetStats;

/**
 * Gate for every call sent to Marketo. The in-process implementation below suits one
 * replica; several replicas share Marketo's per-instance limits and use RedisCallBudget
 * (redis-call-budget.ts, with REDIS_URL), which keeps the same rules across processes.
 */
export interface CallBudget {
  /** Runs `fn` once it may start; `fn` should send its request at once. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in a concurrency slot without counting it against the rate: for Identity calls,
   * which Marketo does not count as API calls but which are still connections to the instance.
   */
  runUncounted?<T>(fn: () => Promise<T>): Promise<T>;
  stats(): CallBudgetStats;
  /**
   * For a stop: every call still waiting (for room in the window or for a slot) rejects with
   * `reason` at once, and so does every later one. Those calls were never sent, so there is
   * nothing to verify; calls already sent are left to finish (the client aborts them).
   * Optional, so a budget shared through Redis may leave it out.
   */
  abandonWaiting?(reason: Error): void;
}

export interface SlidingWindowCallBudgetOptions {
  /** Calls allowed to start per window (Adobe: ≤ 50 per 20 s for one integration). */
  rateLimit: number;
  /** Marketo's window: 20,000 ms ("100 calls per 20 seconds", help/rest-api/rest-api.md). */
  rateWindowMs: number;
  /** Added to the window so network jitter never lets Marketo see more than rateLimit. */
  rateMarginMs: number;
  /** Calls in flight at once (Marketo: 10 per instance, 615 beyond; Adobe advises ≤ 5). */
  maxConcurrency: number;
  /** Stamps call starts. Must move with `sleep`'s time. */
  clock?: Clock;
  /** Waits while the window is full (real timers by default; tests pass a fake clock's). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const realSleep = (ms: number, signal: AbortSignal) =>
  sleep(ms, undefined, { signal }).catch(() => undefined);

/**
 * Marketo counts call arrivals in a *sliding* 20 s window (606 beyond the limit). A reservoir
 * refilled every 20 s would let `limit` calls through at the end of one period and `limit`
 * more at the start of the next: twice the limit within a few milliseconds. So we keep a log
 * and let a call start only while the calls in flight plus those logged within the last
 * `rateWindowMs + rateMarginMs` are fewer than `rateLimit`. Bottleneck bounds concurrency.
 *
 * A call is logged when its answer arrives, not when it starts: Marketo saw it somewhere in
 * between, so the log time is never earlier than Marketo's, and a stall of this process
 * between stamping and sending (a GC, a busy event loop) can never bunch two windows' worth
 * of arrivals together. While a call is in flight it counts as if it were at "now". The cost
 * is one call latency per window (about 0.1% at 20 s); the margin is kept for clock steps.
 */
export class SlidingWindowCallBudget implements CallBudget {
  private readonly limiter: Bottleneck;
  private readonly clock: Clock;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly rateLimit: number;
  private readonly windowMs: number;
  private readonly maxConcurrency: number;
  /** Completion times of calls within the current window, oldest first. */
  private readonly starts: number[] = [];
  /** Resolves waiters when a call completes (a place may have freed up). */
  private completed: { promise: Promise<void>; resolve: () => void } = settleable();
  private started = 0;
  private inFlight = 0;
  private maxInFlight = 0;
  private maxInWindow = 0;
  private waitingForRoom = 0;
  /** Why no call may wait or start any more (set by abandonWaiting). */
  private abandoned: Error | undefined;
  /** Rejects the callers whose calls have not started yet. */
  private readonly waiting = new Set<(reason: Error) => void>();

  constructor(options: SlidingWindowCallBudgetOptions) {
    for (const key of ['rateLimit', 'rateWindowMs', 'maxConcurrency'] as const) {
      if (!Number.isInteger(options[key]) || options[key] < 1) {
        throw new RangeError(`${key} must be a positive integer`);
      }
    }
    if (!Number.isInteger(options.rateMarginMs) || options.rateMarginMs < 0) {
      throw new RangeError('rateMarginMs must be a non-negative integer');
    }
    this.rateLimit = options.rateLimit;
    this.windowMs = options.rateWindowMs + options.rateMarginMs;
    this.maxConcurrency = options.maxConcurrency;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.limiter = new Bottleneck({ maxConcurrent: options.maxConcurrency });
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.abandonable((start) => this.limiter.schedule(() => this.startWhenRoom(start(fn))));
  }

  runUncounted<T>(fn: () => Promise<T>): Promise<T> {
    return this.abandonable((start) =>
      this.limiter.schedule(() => {
        if (this.abandoned) throw this.abandoned;
        return start(fn)();
      }),
    );
  }

  abandonWaiting(reason: Error): void {
    this.abandoned ??= reason;
    for (const reject of this.waiting) reject(this.abandoned);
    this.waiting.clear();
    // Wakes the calls sleeping in startWhenRoom, which then leave their slot unsent.
    this.wake();
  }

  /**
   * The caller's promise for a call that abandonWaiting can reject until `start` hands it to
   * `fn`. A rejected call's job may still sit in Bottleneck's queue: it ends, unsent, when it
   * reaches a slot and sees the flag.
   */
  private abandonable<T>(
    schedule: (start: (fn: () => Promise<T>) => () => Promise<T>) => Promise<T>,
  ): Promise<T> {
    if (this.abandoned) return Promise.reject(this.abandoned);
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      const start = (fn: () => Promise<T>) => () => {
        this.waiting.delete(reject);
        return fn();
      };
      schedule(start).then(resolve, (error: unknown) => {
        this.waiting.delete(reject);
        reject(error);
      });
    });
  }

  stats(): CallBudgetStats {
    this.prune(this.clock.now());
    const counts = this.limiter.counts();
    return {
      limit: this.rateLimit,
      windowMs: this.windowMs,
      maxConcurrency: this.maxConcurrency,
      started: this.started,
      inWindow: this.starts.length + this.inFlight,
      maxInWindow: this.maxInWindow,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      queued: counts.RECEIVED + counts.QUEUED + this.waitingForRoom,
      // While the window is full, the next start waits for the oldest logged call to leave it.
      ...(this.starts.length + this.inFlight >= this.rateLimit && this.starts[0] !== undefined
        ? { nextRoomAt: this.starts[0] + this.windowMs }
        : {}),
    };
  }

  /**
   * Waits (`sleep`) until a start fits in the window, then stamps it (injected clock) and
   * calls `fn` in the same synchronous step, so the stamp is the moment the request leaves and
   * concurrent waiters cannot both take the last place.
   */
  private async startWhenRoom<T>(fn: () => Promise<T>): Promise<T> {
    let now = this.clock.now();
    this.waitingForRoom += 1;
    try {
      for (this.prune(now); this.starts.length + this.inFlight >= this.rateLimit; this.prune(now)) {
        if (this.abandoned) throw this.abandoned;
        const oldest = this.starts[0];
        // Capped by the window so a clock stepping backwards cannot park us for long.
        const untilExpiry =
          oldest === undefined ? this.windowMs : Math.max(oldest + this.windowMs - now, 1);
        const stop = new AbortController();
        await Promise.race([
          this.sleep(Math.min(untilExpiry, this.windowMs), stop.signal),
          this.completed.promise,
        ]);
        stop.abort();
        now = this.clock.now();
      }
      if (this.abandoned) throw this.abandoned;
    } finally {
      this.waitingForRoom -= 1;
    }
    this.started += 1;
    this.inFlight += 1;
    this.maxInWindow = Math.max(this.maxInWindow, this.starts.length + this.inFlight);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await fn();
    } finally {
      this.inFlight -= 1;
      this.starts.push(this.clock.now());
      this.wake();
    }
  }

  /** Lets the calls waiting for room look again. */
  private wake(): void {
    const { resolve } = this.completed;
    this.completed = settleable();
    resolve();
  }

  /** Drops starts that left the window: a start at `s` counts while `now < s + windowMs`. */
  private prune(now: number): void {
    while (this.starts.length > 0 && (this.starts[0] ?? now) + this.windowMs <= now) {
      this.starts.shift();
    }
  }
}

function settleable(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
