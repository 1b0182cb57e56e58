/**
 * What to do after a failed call to Graph or to the Microsoft identity platform's token
 * endpoint: a pure function, table-tested in test/unit/microsoft-graph-retry.test.ts.
 *
 * Sources: "Microsoft Graph throttling guidance" (learn.microsoft.com/graph/throttling): on 429
 * wait the seconds in Retry-After and retry; without Retry-After use exponential back-off.
 * "Microsoft Graph error responses" (learn.microsoft.com/graph/errors): 503 and 504 are
 * transient and may carry Retry-After; 401 means the access token is missing, expired or invalid.
 */

export type GraphFailure =
  | {
      kind: 'status';
      status: number;
      /** The raw Retry-After header, if any. */
      retryAfter?: string;
      /** Graph's `error.code` (e.g. ErrorItemNotFound), for messages only. */
      code?: string;
    }
  /** No HTTP answer: refused, reset, DNS, time-out. */
  | { kind: 'network' };

export interface RetryState {
  /** Retries already made for this call (0 after the first failure). */
  retriesSoFar: number;
  maxRetries: number;
  /** A 401 already led to a fresh access token in this call. */
  reauthorized: boolean;
  /** Epoch ms, to read a Retry-After given as an HTTP date. */
  now: number;
  /** A number in [0, 1), the jitter source (injected so tests are exact). */
  random: number;
}

export type RetryDecision =
  | { action: 'retry'; delayMs: number }
  /** Get a fresh access token (refresh) and send again, once. */
  | { action: 'reauth' }
  /** Transient, but the retries are spent or the server asks us to wait too long. */
  | { action: 'give-up' }
  /** A fresh access token was refused too: the grant no longer works. */
  | { action: 'grant-lost' }
  /** The request itself is wrong (400, 403, 404, 409...): sending it again fails the same way. */
  | { action: 'fatal' };

export const BASE_DELAY_MS = 500;
export const MAX_BACKOFF_MS = 8_000;
/**
 * Graph has answered 429 with Retry-After of 300 s (Microsoft Q&A, "Retry-After header upper
 * limit"). A booking waits for this call, so a longer wait is reported as unavailable instead.
 */
export const MAX_RETRY_AFTER_MS = 30_000;

/**
 * 429 throttled; 500/502/503/504 transient service and gateway failures. Every call this module
 * makes is safe to repeat: reads, PATCH of start/end, cancel (a second one finds the event gone,
 * which counts as done) and create, which carries `transactionId` (see graph-calendar-client.ts).
 */
const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);

export function decideGraphRetry(failure: GraphFailure, state: RetryState): RetryDecision {
  if (failure.kind === 'status') {
    if (failure.status === 401)
      return state.reauthorized ? { action: 'grant-lost' } : { action: 'reauth' };
    if (!TRANSIENT_STATUSES.has(failure.status)) return { action: 'fatal' };
  }
  if (state.retriesSoFar >= state.maxRetries) return { action: 'give-up' };

  const asked =
    failure.kind === 'status' ? parseRetryAfterMs(failure.retryAfter, state.now) : undefined;
  if (asked !== undefined) {
    return asked > MAX_RETRY_AFTER_MS ? { action: 'give-up' } : { action: 'retry', delayMs: asked };
  }
  return { action: 'retry', delayMs: backoffMs(state.retriesSoFar, state.random) };
}

/**
 * Exponential back-off with "equal jitter": half of the step is fixed, half is random, so
 * callers throttled together spread out but never retry at once.
 */
export function backoffMs(retriesSoFar: number, random: number): number {
  const step = Math.min(MAX_BACKOFF_MS, BASE_DELAY_MS * 2 ** retriesSoFar);
  return Math.round(step / 2 + (step / 2) * random);
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date names its day and month; anything else (`-1`, `soon`) is not a delay we know.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
