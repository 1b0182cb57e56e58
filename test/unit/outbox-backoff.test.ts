import { describe, expect, it } from 'vitest';
import { outboxBackoffMs } from '../../src/outbox/outbox-backoff.js';
import {
  OutboxHandlerError,
  decideOutboxFailure,
  describeOutboxError,
} from '../../src/outbox/outbox-handler.js';

describe('outboxBackoffMs', () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [10, 512_000],
    [12, 2_048_000],
    [13, 3_600_000],
    [30, 3_600_000],
    [1000, 3_600_000],
  ])('when attempt %i failed, then the longest delay is %i ms', (attempt, ceiling) => {
    expect(outboxBackoffMs(attempt, () => 1)).toBe(ceiling);
    expect(outboxBackoffMs(attempt, () => 0)).toBe(ceiling / 2);
  });

  it('when jitter is random, then every delay is within [d/2, d] and the gaps never shrink', () => {
    let previousMax = 0;
    for (let attempt = 1; attempt <= 15; attempt++) {
      const delay = outboxBackoffMs(attempt);
      const ceiling = Math.min(3_600_000, 1_000 * 2 ** (attempt - 1));
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
      expect(ceiling / 2).toBeGreaterThanOrEqual(previousMax / 2);
      previousMax = ceiling;
    }
  });

  it('when base and cap are given, then they apply', () => {
    expect(outboxBackoffMs(3, () => 1, { baseMs: 10, maxMs: 30 })).toBe(30);
    expect(outboxBackoffMs(1, () => 1, { baseMs: 10, maxMs: 30 })).toBe(10);
  });
});

describe('decideOutboxFailure', () => {
  const retryable = new OutboxHandlerError('BUSY', 'try later', { retryable: true });
  const permanent = new OutboxHandlerError('REJECTED', 'no', { retryable: false });
  const held = new OutboxHandlerError('MARKETO_AUTH_FAILED', 'refused', {
    retryable: false,
    holdFor: 'marketo-credentials',
  });
  it.each([
    ['a hold on attempt 1', held, 1, 'hold'],
    ['a hold on the last attempt', held, 15, 'hold'],
    ['a hold past the last attempt', held, 40, 'hold'],
    ['a retryable error on attempt 1', retryable, 1, 'retry'],
    ['a retryable error on attempt 14', retryable, 14, 'retry'],
    ['a retryable error on the last attempt', retryable, 15, 'dead'],
    ['a permanent error on attempt 1', permanent, 1, 'dead'],
    ['an unclassified error on attempt 1', new Error('boom'), 1, 'retry'],
    ['an unclassified error on the last attempt', new Error('boom'), 15, 'dead'],
  ])('when %s, then %s', (_name, error, attempt, action) => {
    expect(decideOutboxFailure(error, attempt, 15).action).toBe(action);
  });

  it('when an error is stored, then only its code and message are kept, capped', () => {
    expect(describeOutboxError(permanent)).toBe('REJECTED: no');
    expect(describeOutboxError(new Error('x'.repeat(900)))).toHaveLength(500);
  });
});
