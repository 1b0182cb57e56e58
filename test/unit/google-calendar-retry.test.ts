import { describe, expect, it } from 'vitest';
import {
  MAX_RETRY_AFTER_MS,
  classifyGoogleFailure,
  googleRetryDelayMs,
  parseRetryAfterMs,
  type GoogleFailure,
  type GoogleFailureAction,
} from '../../src/clients/google-calendar/index.js';

const table: Array<[string, GoogleFailure, GoogleFailureAction]> = [
  // Calendar API "Handle API errors"
  ['400 timeRangeEmpty', { status: 400, reason: 'timeRangeEmpty' }, 'fatal'],
  ['401 authError (expired access token)', { status: 401, reason: 'authError' }, 'reauth'],
  ['401 without a body', { status: 401 }, 'reauth'],
  ['403 userRateLimitExceeded', { status: 403, reason: 'userRateLimitExceeded' }, 'retry'],
  ['403 rateLimitExceeded', { status: 403, reason: 'rateLimitExceeded' }, 'retry'],
  ['403 dailyLimitExceeded', { status: 403, reason: 'dailyLimitExceeded' }, 'wait-for-quota'],
  [
    '403 quotaExceeded (Calendar usage limits)',
    { status: 403, reason: 'quotaExceeded' },
    'wait-for-quota',
  ],
  ['403 forbiddenForNonOrganizer', { status: 403, reason: 'forbiddenForNonOrganizer' }, 'fatal'],
  ['403 insufficientPermissions', { status: 403, reason: 'insufficientPermissions' }, 'fatal'],
  ['403 without a reason', { status: 403 }, 'fatal'],
  ['404 notFound', { status: 404, reason: 'notFound' }, 'fatal'],
  ['408 request time-out', { status: 408 }, 'retry'],
  ['409 duplicate', { status: 409, reason: 'duplicate' }, 'fatal'],
  ['410 deleted', { status: 410, reason: 'deleted' }, 'fatal'],
  ['412 precondition failed', { status: 412 }, 'fatal'],
  ['429 rateLimitExceeded', { status: 429, reason: 'rateLimitExceeded' }, 'retry'],
  ['429 without a body', { status: 429 }, 'retry'],
  ['500 backendError', { status: 500, reason: 'backendError' }, 'retry'],
  ['501 not implemented', { status: 501 }, 'fatal'],
  ['502 bad gateway', { status: 502 }, 'retry'],
  ['503 unavailable', { status: 503 }, 'retry'],
  ['504 gateway time-out', { status: 504 }, 'retry'],
  // No answer: every call of the client is idempotent (see google-retry-policy.ts)
  ['connection reset', { network: true }, 'retry'],
  ['neither status nor network', {}, 'fatal'],
  // OAuth token endpoint (RFC 6749 §5.2)
  [
    '400 invalid_grant (revoked refresh token)',
    { status: 400, reason: 'invalid_grant' },
    'revoked',
  ],
  ['401 invalid_grant', { status: 401, reason: 'invalid_grant' }, 'revoked'],
  ['401 invalid_client (bad client secret)', { status: 401, reason: 'invalid_client' }, 'fatal'],
  ['400 invalid_request', { status: 400, reason: 'invalid_request' }, 'fatal'],
  ['503 on the token endpoint', { status: 503, reason: 'temporarily_unavailable' }, 'retry'],
];

describe('classifyGoogleFailure', () => {
  it.each(table)('when %s, then the action is as expected', (_name, failure, action) => {
    expect(classifyGoogleFailure(failure)).toBe(action);
  });
});

describe('googleRetryDelayMs', () => {
  it.each([
    [0, 0, 1_000],
    [0, 0.999, 1_999],
    [1, 0.5, 2_500],
    [2, 0, 4_000],
    [4, 0.5, 16_500],
    [5, 0.99, 32_000], // capped at Google's maximum back-off
    [10, 0, 32_000],
  ])(
    'when attempt %i with jitter %f and no Retry-After, then %i ms',
    (attempt, jitter, expected) => {
      expect(googleRetryDelayMs({ attempt, random: () => jitter })).toBe(expected);
    },
  );

  it.each([
    [7_000, 7_000],
    [0, 0],
    [MAX_RETRY_AFTER_MS, MAX_RETRY_AFTER_MS],
    [MAX_RETRY_AFTER_MS + 1, undefined],
  ])('when Retry-After asks %i ms, then the delay is %s', (retryAfterMs, expected) => {
    expect(googleRetryDelayMs({ attempt: 3, retryAfterMs, random: () => 0.5 })).toBe(expected);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.UTC(2026, 10, 24, 12, 0, 0);
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Tue, 24 Nov 2026 12:00:30 GMT', 30_000],
    ['Tue, 24 Nov 2026 11:59:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    ['', undefined],
    [undefined, undefined],
    [null, undefined],
  ])('when the header is %j, then %s ms', (header, expected) => {
    expect(parseRetryAfterMs(header, now)).toBe(expected);
  });
});
