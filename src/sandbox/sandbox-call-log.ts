/**
 * Who made each executed call, and when it arrived: the instance's limits are shared by every
 * API user (rest-api.md "Limits"), so a test of several replicas, each signed in as a user of
 * its own, reads here how many calls each spent in any window, beside the instance's total.
 */
export interface CallLogEntry {
  /** Arrival on the sandbox's clock, as the rate limit counts it. */
  at: number;
  /** The API user whose token the call carried. */
  clientId: string;
  /** The route, as in `stats().callsByPath` (e.g. `/rest/v1/leads.json`). */
  path: string;
}

export interface CallLog {
  record(entry: CallLogEntry): void;
  /** Oldest first; at most the newest `capacity` calls. */
  entries(): CallLogEntry[];
}

/** Enough for a long test or benchmark; a sandbox left running drops its oldest entries. */
export const CALL_LOG_CAPACITY = 200_000;

export function createCallLog(capacity = CALL_LOG_CAPACITY): CallLog {
  let log: CallLogEntry[] = [];
  return {
    record(entry) {
      log.push(entry);
      // Halving at once keeps a record O(1) amortised, unlike a shift per call.
      if (log.length > capacity) log = log.slice(log.length - Math.ceil(capacity / 2));
    },
    entries: () => log.slice(),
  };
}

/**
 * The most arrivals inside one sliding window, by the limiter's rule (sandbox-limits.ts): a
 * call at `t` counts the calls that arrived in `(t - windowMs, t]`. `times` may be unsorted.
 */
export function maxCallsInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let head = 0;
  for (let i = 0; i < sorted.length; i += 1) {
    const cutoff = (sorted[i] ?? 0) - windowMs;
    while ((sorted[head] ?? Infinity) <= cutoff) head += 1;
    most = Math.max(most, i - head + 1);
  }
  return most;
}
