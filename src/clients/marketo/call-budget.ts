import Bottleneck from 'bottleneck';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../../deps.js';
import type { MarketoBudgetStats } from './types.js';

export type CallBudgetStats = MarketoBudgetStats;

/**
 * Gate for every call sent to Marketo. The in-process implementation below suits one
 * replica; several replicas share Marketo's per-instance limits and need a shared one (e.g.
 * Redis sorted set of start times) behind this same interface.
 */
export interface CallBudget {
  /** Runs `fn` once it may start; `fn` should send its request at once. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  stats(): CallBudgetStats;
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
  /** Stamps call starts. Must move with real time: waiting uses real timers. */
  clock?: Clock;
}

/**
 * Marketo counts call arrivals in a *sliding* 20 s window (606 beyond the limit). A reservoir
 * refilled every 20 s would let `limit` calls through at the end of one period and `limit`
 * more at the start of the next: twice the limit within a few milliseconds. So we keep a log
 * of start times and let a call start only when fewer than `rateLimit` started within the
 * last `rateWindowMs + rateMarginMs`. Bottleneck only bounds concurrency; a start is stamped
 * inside the concurrency slot, immediately before `fn` sends the request.
 */
export class SlidingWindowCallBudget implements CallBudget {
  private readonly limiter: Bottleneck;
  private readonly clock: Clock;
  private readonly rateLimit: number;
  private readonly windowMs: number;
  private readonly maxConcurrency: number;
  /** Start times within the current window, oldest first. */
  private readonly starts: number[] = [];
  private started = 0;
  private inFlight = 0;
  private maxInFlight = 0;
  private maxInWindow = 0;
  private waitingForRoom = 0;

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
    this.limiter = new Bottleneck({ maxConcurrent: options.maxConcurrency });
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.limiter.schedule(() => this.startWhenRoom(fn));
  }

  stats(): CallBudgetStats {
    this.prune(this.clock.now());
    const counts = this.limiter.counts();
    return {
      limit: this.rateLimit,
      windowMs: this.windowMs,
      maxConcurrency: this.maxConcurrency,
      started: this.started,
      inWindow: this.starts.length,
      maxInWindow: this.maxInWindow,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      queued: counts.RECEIVED + counts.QUEUED + this.waitingForRoom,
    };
  }

  /**
   * Waits (real timers) until a start fits in the window, then stamps it (injected clock) and
   * calls `fn` in the same synchronous step, so the stamp is the moment the request leaves and
   * concurrent waiters cannot both take the last place.
   */
  private async startWhenRoom<T>(fn: () => Promise<T>): Promise<T> {
    let now = this.clock.now();
    this.waitingForRoom += 1;
    try {
      for (this.prune(now); this.starts.length >= this.rateLimit; this.prune(now)) {
        const oldest = this.starts[0] ?? now;
        // Capped by the window so a clock stepping backwards cannot park us for long.
        await sleep(Math.min(Math.max(oldest + this.windowMs - now, 1), this.windowMs));
        now = this.clock.now();
      }
    } finally {
      this.waitingForRoom -= 1;
    }
    this.starts.push(now);
    this.started += 1;
    this.maxInWindow = Math.max(this.maxInWindow, this.starts.length);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await fn();
    } finally {
      this.inFlight -= 1;
    }
  }

  /** Drops starts that left the window: a start at `s` counts while `now < s + windowMs`. */
  private prune(now: number): void {
    while (this.starts.length > 0 && (this.starts[0] ?? now) + this.windowMs <= now) {
      this.starts.shift();
    }
  }
}
