import { describe, expect, it } from 'vitest';
import { IdentityState, identityRetryMs } from '../../src/clients/marketo/identity-rejection.js';

describe('identityRetryMs', () => {
  it.each([
    [0, 5_000],
    [4_999, 5_000],
    [5_000, 5_000],
    [10_000, 10_000],
    [160_000, 160_000],
    [300_000, 300_000],
    [3 * 86_400_000, 300_000],
  ])('when Identity has refused us for %i ms, then work waits %i ms', (refusedFor, wait) => {
    expect(identityRetryMs(refusedFor)).toBe(wait);
  });
});

describe('IdentityState', () => {
  it('when refusals repeat, then only the first is new; an outage between keeps the refusal; a token ends both', () => {
    const state = new IdentityState();
    expect(state.failed('MARKETO_AUTH_FAILED 401', 'MARKETO_AUTH_FAILED', true, 1_000)).toEqual({
      isNew: true,
      rejection: { code: 'MARKETO_AUTH_FAILED', since: 1_000 },
    });
    expect(state.failed('MARKETO_AUTH_FAILED 401', 'MARKETO_AUTH_FAILED', true, 2_000)).toEqual({
      isNew: false,
      rejection: { code: 'MARKETO_AUTH_FAILED', since: 1_000 },
    });
    // Identity down for a moment: logged as a change, the refusal stands.
    expect(
      state.failed('MARKETO_UNREACHABLE ECONNRESET', 'MARKETO_UNREACHABLE', false, 3_000),
    ).toEqual({ isNew: true, rejection: undefined });
    expect(state.rejection).toEqual({ code: 'MARKETO_AUTH_FAILED', since: 1_000 });
    // Now a misrouted address: a new refusal, from now.
    expect(
      state.failed('MARKETO_URL_NOT_FOUND 200', 'MARKETO_URL_NOT_FOUND', true, 4_000),
    ).toMatchObject({ isNew: true, rejection: { code: 'MARKETO_URL_NOT_FOUND', since: 4_000 } });

    expect(state.succeeded(9_000)).toEqual({
      after: 'MARKETO_URL_NOT_FOUND 200',
      failedForMs: 8_000,
    });
    expect(state.rejection).toBeUndefined();
    expect(state.succeeded(10_000)).toBeUndefined();
  });
});
