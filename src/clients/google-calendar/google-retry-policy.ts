/**
 * What to do after a failed Google call (Calendar API or OAuth token endpoint): pure
 * functions, table-tested in test/unit/google-calendar-retry.test.ts. Codes and advice from
 * Google's "Handle API errors" page (developers.google.com/workspace/calendar/api/guides/errors)
 * and the OAuth 2.0 web-server guide (developers.google.com/identity/protocols/oauth2/web-server)
 * unless marked as our reading.
 *
 * Every call the client makes is safe to send twice, so a dropped connection is retried too:
 * events.insert carries a client-chosen id (a replay answers 409), patch sets the same values,
 * delete treats 404/410 as done, freeBusy and the token refresh only read.
 */

export type GoogleFailureAction =
  /** Transient: back off and send again (within maxRetries). */
  | 'retry'
  /** 401: the access token is expired or invalid; refresh it and send again once. */
  | 'reauth'
  /** `invalid_grant`: the refresh token (or the code) is dead; the agent must reconnect. */
  | 'revoked'
  /** A daily or Calendar usage limit: no use retrying now, a later attempt may pass. */
  | 'wait-for-quota'
  /** The request itself is wrong (or forbidden) and will fail the same way again. */
  | 'fatal';

export interface GoogleFailure {
  /** HTTP status when an answer arrived. */
  status?: number;
  /**
   * `error.errors[0].reason` of a Calendar API answer (`rateLimitExceeded`...), or the OAuth
   * `error` code of a token endpoint answer (`invalid_grant`...).
   */
  reason?: string;
  /** No answer arrived (reset, time-out, DNS). */
  network?: boolean;
}

/** 403 and 429 reasons that Google documents as "back off and retry". */
const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

/**
 * 403 `dailyLimitExceeded` (the project's daily courtesy limit) and `quotaExceeded` ("Calendar
 * usage limits exceeded", which lasts hours): Google advises not to retry right away.
 */
const QUOTA_REASONS = new Set(['dailyLimitExceeded', 'quotaExceeded']);

export function classifyGoogleFailure(failure: GoogleFailure): GoogleFailureAction {
  const { status, reason, network } = failure;
  // The token endpoint answers 400 (sometimes 401) `invalid_grant` for a revoked, expired or
  // already-used grant (RFC 6749 §5.2); resending the same token cannot help.
  if (reason === 'invalid_grant') return 'revoked';
  if (status === undefined) return network === true ? 'retry' : 'fatal';
  // 401 authError "Invalid Credentials": get a new access token with the refresh token.
  // The token endpoint's own 401s (`invalid_client`) are configuration errors.
  if (status === 401) return reason === 'invalid_client' ? 'fatal' : 'reauth';
  if (status === 429) return 'retry';
  if (status === 403 && reason !== undefined) {
    if (RATE_LIMIT_REASONS.has(reason)) return 'retry';
    if (QUOTA_REASONS.has(reason)) return 'wait-for-quota';
  }
  // 408 request time-out (our reading: the request may be resent, every call is idempotent).
  if (status === 408) return 'retry';
  // 500 backendError, 502, 503, 504: "retry using exponential backoff". 501 will not change.
  if (status >= 500 && status !== 501) return 'retry';
  // 400, 403 forbiddenForNonOrganizer / insufficientPermissions, 404, 409, 410, 412...
  return 'fatal';
}

/** Google's exponential back-off: 1 s, 2 s, 4 s... plus up to 1 s of jitter, capped at 32 s. */
const BASE_DELAY_MS = 1_000;
const MAX_JITTER_MS = 1_000;
const MAX_BACKOFF_MS = 32_000;
/**
 * Our reading: a Retry-After beyond this is not worth holding a booking request open for;
 * the call fails as retryable and the caller (outbox, visitor) comes back later.
 */
export const MAX_RETRY_AFTER_MS = 30_000;

/**
 * Milliseconds to wait before retry number `attempt + 1` (attempt counts from 0), or
 * `undefined` when the server asks for a longer pause than we are willing to wait.
 */
export function googleRetryDelayMs(args: {
  attempt: number;
  retryAfterMs?: number;
  /** In [0, 1); injected so tests are deterministic. */
  random: () => number;
}): number | undefined {
  const { attempt, retryAfterMs, random } = args;
  if (retryAfterMs !== undefined) {
    return retryAfterMs > MAX_RETRY_AFTER_MS ? undefined : Math.max(0, retryAfterMs);
  }
  const exponential = BASE_DELAY_MS * 2 ** Math.max(0, attempt);
  return Math.min(exponential + Math.floor(random() * MAX_JITTER_MS), MAX_BACKOFF_MS);
}

/**
 * A Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as milliseconds
 * from `now`; `undefined` when absent or unreadable.
 */
export function parseRetryAfterMs(
  value: string | null | undefined,
  now: number,
): number | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  // An HTTP-date names a weekday and a month; this keeps `-5` from parsing as year -5.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
