import { describe, expect, it } from 'vitest';
import { describeHold, formatAge } from '../../src/console/tabs/integrations/outbox-text.js';

const hold = (code: string, seconds: number) => ({
  reason: 'marketo-credentials',
  code,
  since: '2026-12-07T20:00:00.000Z',
  seconds,
});

describe("the console's outbox words", () => {
  it('when nothing is held, then no notice', () => {
    expect(describeHold(null)).toBeNull();
  });

  it.each([
    ['MARKETO_AUTH_FAILED', 'check MARKETO_CLIENT_ID and MARKETO_CLIENT_SECRET'],
    ['MARKETO_URL_NOT_FOUND', 'check MARKETO_BASE_URL'],
    ['SOMETHING_NEW', 'Marketo refuses to issue a token (SOMETHING_NEW)'],
  ])('when deliveries are held for %s, then the notice names what to check', (code, advice) => {
    const text = describeHold(hold(code, 420));
    expect(text).toContain('on hold for 7 min');
    expect(text).toContain(advice);
    expect(text).toContain('none is lost');
  });

  it.each([
    [59, '59 s'],
    [60, '1 min'],
    [3_900, '1 h 5 min'],
    [3 * 86_400, '3 days'],
  ])('when %i seconds have passed, then the age reads %s', (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });
});
