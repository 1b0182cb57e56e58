import { describe, expect, it } from 'vitest';
import {
  addDays,
  createAttemptKeys,
  createSlotFormat,
  dateIn,
  mergeDays,
  slotOffer,
  visitorTimeZone,
  type SlotDay,
} from '../../src/chat/widget/slot-picker.js';

const slot = (date: string, time: string, offset = '+01:00') => ({
  start: `${date}T${time}:00.000${offset}`,
  end: `${date}T${time.slice(0, 3)}30:00.000${offset}`,
});
const day = (date: string, ...times: string[]): SlotDay => ({
  date,
  slots: times.map((t) => slot(date, t)),
});

describe('slot picker rules', () => {
  it.each([
    ['Europe/Berlin', '2026-11-24T23:30:00Z', '2026-11-25'],
    ['America/Los_Angeles', '2026-11-24T05:00:00Z', '2026-11-23'],
    ['Pacific/Kiritimati', '2026-11-24T12:00:00Z', '2026-11-25'],
    ['UTC', '2026-12-31T23:59:59Z', '2026-12-31'],
  ])('when it is %s at %s, then the date there is %s', (zone, instant, date) => {
    expect(dateIn(zone, Date.parse(instant))).toBe(date);
  });

  it.each([
    ['2026-11-24', 7, '2026-12-01'],
    ['2026-12-28', 7, '2027-01-04'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2026-03-28', 1, '2026-03-29'],
  ])('when %s moves by %i days, then it is %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it('when the browser is asked for its zone, then it is an IANA name', () => {
    expect(visitorTimeZone()).toMatch(/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/);
  });

  it('when fresh days arrive, then they replace the same dates, add new ones, drop empty ones, in date order', () => {
    const shown = [day('2026-11-24', '09:00', '09:30'), day('2026-11-26', '10:00')];
    const fresh = [day('2026-11-24', '09:30'), day('2026-11-25', '11:00'), day('2026-11-26')];
    expect(mergeDays(shown, fresh)).toEqual([
      day('2026-11-24', '09:30'),
      day('2026-11-25', '11:00'),
    ]);
  });

  it('when days are offered, then they carry labels in the visitor zone and locale, and the asked day is shown first', () => {
    const format = createSlotFormat('Europe/Berlin', 'en-GB');
    const offer = slotOffer(format, [day('2026-11-24', '09:00'), day('2026-11-26', '14:30')], {
      note: 'That time is no longer available',
      later: 'Later dates',
      date: '2026-11-25',
    });
    expect(offer).toEqual({
      note: 'That time is no longer available',
      caption: 'Times in Europe/Berlin',
      days: [
        { label: 'Tue 24 Nov', times: [{ label: '9:00', start: '2026-11-24T09:00:00.000+01:00' }] },
        {
          label: 'Thu 26 Nov',
          times: [{ label: '14:30', start: '2026-11-26T14:30:00.000+01:00' }],
        },
      ],
      // No slot on the 25th: the first day after it.
      day: 1,
      later: 'Later dates',
    });
    expect(slotOffer(format, [], { note: null, later: 'Later dates' }).day).toBe(0);
  });

  it('when a meeting is described, then its time is in the zone it was booked in', () => {
    const us = createSlotFormat('America/New_York', 'en-US');
    const meeting = { start: '2026-11-24T15:00:00.000Z', end: '2026-11-24T15:30:00.000Z' };
    expect(us.span(meeting)).toBe('Tue, Nov 24, 10:00 AM–10:30 AM (America/New York)');
    expect(us.when('2026-11-25T04:30:00.000Z')).toBe('Tue, Nov 24, 11:30 PM');
  });

  it('when the same slot and email are booked again, then the key is the same; another slot, email, or a finished attempt gets a new one', () => {
    let n = 0;
    const keys = createAttemptKeys(() => `key-${++n}`);
    const a = '2026-11-24T09:00:00.000+01:00';
    const b = '2026-11-24T09:30:00.000+01:00';
    expect(keys.keyFor(a, 'sam@acme.com')).toBe('key-1');
    expect(keys.keyFor(a, 'sam@acme.com')).toBe('key-1');
    expect(keys.keyFor(b, 'sam@acme.com')).toBe('key-2');
    expect(keys.keyFor(a, 'sam@other.com')).toBe('key-3');
    expect(keys.keyFor(a, 'sam@acme.com')).toBe('key-1');
    keys.forget(a, 'sam@acme.com');
    expect(keys.keyFor(a, 'sam@acme.com')).toBe('key-4');
  });
});
