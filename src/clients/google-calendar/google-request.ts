import {
  CalendarGrantError,
  CalendarProviderError,
  type CalendarAccess,
} from '../../calendar/calendar-types.js';
import type { Clock } from '../../deps.js';
import type { Logger } from '../../logger.js';
import type { GoogleAccessTokens } from './google-access-tokens.js';
import { GoogleHttpFailure, toGoogleHttpFailure } from './google-http-failure.js';
import { classifyGoogleFailure, googleRetryDelayMs } from './google-retry-policy.js';

/** What the one retry loop of the module needs; all injectable so tests never wait. */
export interface GoogleRetryDeps {
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1), for the back-off jitter. */
  random: () => number;
  /** Retries after the first attempt. */
  maxRetries: number;
  logger: Logger;
}

/**
 * Sends, and sends again after a transient failure (429, 403 rate limit, 5xx, no answer) with
 * exponential back-off, honouring Retry-After. The only place in the module that retries: the
 * gaxios retries of googleapis and google-auth-library are switched off. Throws a stripped
 * GoogleHttpFailure (never the GaxiosError, which holds the request's secrets).
 */
export async function sendWithRetries<T>(
  deps: GoogleRetryDeps,
  operation: string,
  send: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      const failure = toGoogleHttpFailure(error, deps.clock.now());
      if (failure === undefined) throw error;
      failure.attempts = attempt + 1;
      if (classifyGoogleFailure(failure) !== 'retry' || attempt >= deps.maxRetries) throw failure;
      const delayMs = googleRetryDelayMs({
        attempt,
        retryAfterMs: failure.retryAfterMs,
        random: deps.random,
      });
      if (delayMs === undefined) throw failure;
      deps.logger.warn(
        {
          operation,
          status: failure.status,
          reason: failure.reason,
          attempt: failure.attempts,
          delayMs,
        },
        'Google call failed; retrying',
      );
      await deps.sleep(delayMs);
    }
  }
}

/** The service's error for a failure that retrying here did not (or cannot) cure. */
export function toCalendarError(
  operation: string,
  failure: GoogleHttpFailure,
): CalendarGrantError | CalendarProviderError {
  const action = classifyGoogleFailure(failure);
  if (action === 'revoked') {
    return new CalendarGrantError(
      'google',
      `${operation} refused the grant (${failure.describe()})`,
      failure,
    );
  }
  const tries = failure.attempts > 1 ? ` after ${failure.attempts} attempts` : '';
  return new CalendarProviderError('google', `${operation} failed${tries}: ${failure.describe()}`, {
    ...(failure.status === undefined ? {} : { status: failure.status }),
    retryable: action === 'retry' || action === 'wait-for-quota',
    cause: failure,
  });
}

export interface GoogleAnswer {
  status: number;
  data: unknown;
}

export interface GoogleApiCall {
  /** For errors and logs, e.g. `events.insert`. */
  operation: string;
  /** Statuses that are an answer, not a failure (409 on insert, 404/410 on delete). */
  accept?: readonly number[];
  send: (authorization: string) => Promise<GoogleAnswer>;
}

export type GoogleApiCaller = (
  access: CalendarAccess,
  call: GoogleApiCall,
) => Promise<GoogleAnswer>;

/**
 * Runs a Calendar API call for one agent: a cached or refreshed access token, the retry loop,
 * and one refresh after a 401 ("Invalid Credentials: get a new access token using the
 * long-lived refresh token; if this fails, direct the user through the OAuth flow"). A 401 to
 * a token refreshed for this very call means the grant no longer holds: CalendarGrantError.
 */
export function createGoogleApiCaller(
  deps: GoogleRetryDeps & { tokens: GoogleAccessTokens },
): GoogleApiCaller {
  return async (access, call) => {
    for (let reauthorized = false; ; reauthorized = true) {
      const token = await deps.tokens.get(access);
      try {
        return await sendWithRetries(deps, call.operation, () =>
          call.send(`Bearer ${token.value}`),
        );
      } catch (error) {
        if (!(error instanceof GoogleHttpFailure)) throw error;
        if (error.status !== undefined && call.accept?.includes(error.status)) {
          return { status: error.status, data: undefined };
        }
        if (classifyGoogleFailure(error) !== 'reauth') throw toCalendarError(call.operation, error);
        deps.tokens.forget(access, token.value);
        if (token.refreshed || reauthorized) {
          throw new CalendarGrantError(
            'google',
            `${call.operation} refused a freshly refreshed access token (${error.describe()})`,
            error,
          );
        }
        deps.logger.info(
          { operation: call.operation, agentId: access.agentId },
          'Google 401; refreshing',
        );
      }
    }
  };
}
