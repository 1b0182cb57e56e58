import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  decideGraphRetry,
  parseRetryAfterMs,
  type GraphFailure,
  type RetryDecision,
  type RetryState,
} from '../../src/clients/microsoft-graph/index.js';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const fresh: RetryState = {
  retriesSoFar: 0,
  maxRetries: 3,
  reauthorized: false,
  now: NOW,
  random: 0.5,
};
const status = (code: number, retryAfter?: string): GraphFailure => ({
  kind: 'status',
  status: code,
  ...(retryAfter === undefined ? {} : { retryAfter }),
});

const table: Array<[string, GraphFailure, Partial<RetryState>, RetryDecision]> = [
  // Throttling and transient service failures (learn.microsoft.com/graph/throttling, /graph/errors)
  ['429 with Retry-After seconds', status(429, '7'), {}, { action: 'retry', delayMs: 7000 }],
  ['429 with Retry-After 0', status(429, '0'), {}, { action: 'retry', delayMs: 0 }],
  [
    '429 with Retry-After as an HTTP date',
    status(429, new Date(NOW + 12_000).toUTCString()),
    {},
    { action: 'retry', delayMs: 12_000 },
  ],
  [
    '429 with an unreadable Retry-After: back-off',
    status(429, 'soon'),
    {},
    { action: 'retry', delayMs: 375 },
  ],
  ['429 without Retry-After: back-off', status(429), {}, { action: 'retry', delayMs: 375 }],
  ['429 asking to wait past the cap', status(429, '120'), {}, { action: 'give-up' }],
  ['503 with Retry-After', status(503, '2'), {}, { action: 'retry', delayMs: 2000 }],
  ['503 second retry', status(503), { retriesSoFar: 1 }, { action: 'retry', delayMs: 750 }],
  ['504 gateway time-out', status(504), { retriesSoFar: 2 }, { action: 'retry', delayMs: 1500 }],
  ['500 internal error', status(500), {}, { action: 'retry', delayMs: 375 }],
  ['502 bad gateway', status(502), {}, { action: 'retry', delayMs: 375 }],
  ['network failure', { kind: 'network' }, {}, { action: 'retry', delayMs: 375 }],
  // Retries spent
  ['503 after maxRetries', status(503), { retriesSoFar: 3 }, { action: 'give-up' }],
  ['network after maxRetries', { kind: 'network' }, { retriesSoFar: 3 }, { action: 'give-up' }],
  ['429 with maxRetries 0', status(429, '1'), { maxRetries: 0 }, { action: 'give-up' }],
  // Authentication
  ['401 first time: refresh once', status(401), {}, { action: 'reauth' }],
  [
    '401 after retries were spent still refreshes',
    status(401),
    { retriesSoFar: 3 },
    { action: 'reauth' },
  ],
  [
    '401 with a fresh token: grant lost',
    status(401),
    { reauthorized: true },
    { action: 'grant-lost' },
  ],
  // The request itself is wrong
  ['400 bad request', status(400), {}, { action: 'fatal' }],
  ['403 forbidden', status(403), {}, { action: 'fatal' }],
  ['404 not found', status(404), {}, { action: 'fatal' }],
  ['409 conflict', status(409), {}, { action: 'fatal' }],
  ['410 gone', status(410), {}, { action: 'fatal' }],
  ['501 not implemented', status(501), {}, { action: 'fatal' }],
];

describe('decideGraphRetry', () => {
  it.each(table)('%s', (_name, failure, state, expected) => {
    expect(decideGraphRetry(failure, { ...fresh, ...state })).toEqual(expected);
  });
});

describe('backoffMs', () => {
  it.each([
    [0, 0, 250],
    [0, 0.999, 500],
    [1, 0, 500],
    [2, 1, 2000],
    [4, 0.5, 6000],
    [5, 0.5, 6000], // capped at 8 s
    [10, 1, 8000],
  ])(
    'when %i retries were made and the jitter is %d, then the wait is %i ms',
    (retries, random, expected) => {
      expect(backoffMs(retries, random)).toBe(expected);
    },
  );
});

describe('parseRetryAfterMs', () => {
  it.each<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ['5', 5000],
    [' 30 ', 30_000],
    ['Tue, 24 Nov 2026 12:00:10 GMT', 10_000],
    ['Tue, 24 Nov 2026 11:59:00 GMT', 0], // in the past
    ['-1', undefined],
    ['later', undefined],
  ])('when Retry-After is %s, then the wait is %s ms', (value, expected) => {
    expect(parseRetryAfterMs(value, NOW)).toBe(expected);
  });
});
