import { DateTime } from 'luxon';
import type { Clock } from '../deps.js';
import { marketoErrors, type MarketoApiError } from './envelope.js';
import type { SandboxLimits } from './sandbox-types.js';

/**
 * Marketo's three call limits, checked on arrival in this order (DEV:help/rest-api/rest-api.md,
 * marketo-integration-best-practices.md):
 *  - concurrency: 10 calls in flight per instance; the 11th gets 615;
 *  - rate: 100 calls per sliding 20 s per instance; beyond that 606;
 *  - daily quota: 50,000 calls per day, reset at midnight US Central; beyond that 607.
 * A rejected call is not executed, so it is neither in flight nor counted. The peaks
 * (`maxInWindow`, `maxConcurrent`) are exact: they are how tests prove a client stays inside.
 */

export const DEFAULT_LIMITS: SandboxLimits = {
  rateLimit: 100,
  rateWindowMs: 20_000,
  maxConcurrency: 10,
  dailyQuota: 50_000,
  latencyMs: 0,
  tokenTtlSeconds: 3600,
  bulkProcessingMs: 2000,
  bulkDailyQuotaBytes: 500_000_000,
  bulkUpdatedAtSupported: true,
};

/** Marketo's day runs midnight to midnight America/Chicago (CST/CDT). */
export const MARKETO_ZONE = 'America/Chicago';

export interface MarketoDay {
  key: string;
  start: number;
  end: number;
}

export function marketoDayOf(ms: number): MarketoDay {
  const start = DateTime.fromMillis(ms, { zone: MARKETO_ZONE }).startOf('day');
  return {
    key: start.toISODate() ?? '',
    start: start.toMillis(),
    end: start.plus({ days: 1 }).toMillis(),
  };
}

export interface CallLimiter {
  /** Admits a call now (returns undefined) or names the limit it breaks. */
  admit(): MarketoApiError | undefined;
  /** Ends an admitted call. */
  release(): void;
  callsToday(): number;
  today(): MarketoDay;
  peaks(): { maxInWindow: number; maxConcurrent: number };
  resetPeaks(): void;
}

export function createCallLimiter(limits: SandboxLimits, clock: Clock): CallLimiter {
  let inFlight = 0;
  let maxConcurrent = 0;
  let maxInWindow = 0;
  // Arrival times of executed calls, oldest first; `head` skips expired ones without shifting.
  let arrivals: number[] = [];
  let head = 0;
  let day = marketoDayOf(clock.now());
  let dayCount = 0;

  const rollDay = (now: number) => {
    if (now >= day.start && now < day.end) return;
    day = marketoDayOf(now);
    dayCount = 0;
  };
  const expire = (now: number) => {
    const cutoff = now - limits.rateWindowMs;
    while (head < arrivals.length && (arrivals[head] ?? Infinity) <= cutoff) head++;
    if (head > 4096 && head * 2 > arrivals.length) {
      arrivals = arrivals.slice(head);
      head = 0;
    }
  };

  return {
    admit() {
      const now = clock.now();
      if (inFlight >= limits.maxConcurrency) return marketoErrors.concurrency();
      expire(now);
      if (arrivals.length - head >= limits.rateLimit) {
        return marketoErrors.rateLimit(limits.rateLimit, limits.rateWindowMs);
      }
      rollDay(now);
      if (dayCount >= limits.dailyQuota) return marketoErrors.dailyQuota();
      arrivals.push(now);
      dayCount++;
      inFlight++;
      maxInWindow = Math.max(maxInWindow, arrivals.length - head);
      maxConcurrent = Math.max(maxConcurrent, inFlight);
      return undefined;
    },
    release() {
      inFlight = Math.max(0, inFlight - 1);
    },
    callsToday() {
      rollDay(clock.now());
      return dayCount;
    },
    today() {
      rollDay(clock.now());
      return day;
    },
    peaks: () => ({ maxInWindow, maxConcurrent }),
    resetPeaks() {
      maxInWindow = 0;
      maxConcurrent = inFlight;
    },
  };
}
