import { describe, expect, it } from 'vitest';
import { MarketoApiError } from '../../src/clients/marketo/index.js';
import { isTransientHttpStatus, parseRetryAfterMs } from '../../src/http/retry-hints.js';
import { deliverToMarketo } from '../../src/marketo-activities/marketo-delivery.js';
import { OutboxHandlerError } from '../../src/outbox/outbox-handler.js';
import type { OutboxItem } from '../../src/store/types.js';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

describe('isTransientHttpStatus', () => {
  it.each([
    [408, true],
    [425, true],
    [429, true],
    [500, true],
    [503, true],
    [400, false],
    [401, false],
    [404, false],
    [413, false],
    [undefined, false],
  ])('when the status is %s, then transient is %s', (status, transient) => {
    expect(isTransientHttpStatus(status)).toBe(transient);
  });
});

describe('parseRetryAfterMs', () => {
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Tue, 24 Nov 2026 12:01:30 GMT', 90_000],
    ['Tue, 24 Nov 2026 11:00:00 GMT', 0], // a date in the past: no wait
    ['-5', undefined],
    ['soon', undefined],
    [undefined, undefined],
    [['120'], undefined],
  ])('when Retry-After is %j, then the wait is %s ms', (value, ms) => {
    expect(parseRetryAfterMs(value, NOW)).toBe(ms);
  });
});

describe('deliverToMarketo', () => {
  const item = { id: 'o-1', kind: 'marketo-activity', dedupeKey: 'k' } as OutboxItem;
  const failWith = (upstreamStatus: number) => () =>
    Promise.reject(
      new MarketoApiError('MARKETO_API_ERROR', `HTTP ${upstreamStatus}`, {
        endpoint: 'addCustomActivities',
        upstreamStatus,
        action: 'fatal',
      }),
    );

  it.each([408, 429])(
    'when Marketo answers a write %i, then the outbox retries it like a 5xx',
    async (status) => {
      const error = await deliverToMarketo(item, failWith(status)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutboxHandlerError);
      expect(error).toMatchObject({ retryable: true });
    },
  );

  it.each([400, 404, 413, 500])(
    'when Marketo answers a write %i, then it goes to the dead letters (a 500 may have written)',
    async (status) => {
      const error = await deliverToMarketo(item, failWith(status)).catch((e: unknown) => e);
      expect(error).toMatchObject({ retryable: false });
    },
  );
});
