import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isoInZone, nextOffsetChange, offsetMinutes } from '../../src/calendar/zone-offsets.js';

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'Europe/London',
  'America/New_York',
  'America/St_Johns',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Asia/Kolkata',
  'America/Sao_Paulo',
  // Changes at a UTC midnight.
  'Europe/Chisinau',
];

describe('zone offsets (memoised per UTC day)', () => {
  it('when asked at any instant of 2026–2027 in zones with odd offsets and DST, then it agrees with luxon', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 0, 1) }),
        (name, instant) => {
          const zone = IANAZone.create(name);
          expect(offsetMinutes(zone, instant)).toBe(zone.offset(instant));
          expect(isoInZone(zone, instant)).toBe(
            DateTime.fromMillis(instant, { zone: name }).toISO(),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it.each([
    // The minute before and the minute of each change, on the day it happens.
    ['Europe/Berlin', Date.UTC(2026, 2, 29, 0, 59), 60],
    ['Europe/Berlin', Date.UTC(2026, 2, 29, 1, 0), 120],
    ['America/New_York', Date.UTC(2026, 10, 1, 5, 59), -240],
    ['America/New_York', Date.UTC(2026, 10, 1, 6, 0), -300],
    ['America/St_Johns', Date.UTC(2026, 2, 8, 5, 29), -210],
    ['America/St_Johns', Date.UTC(2026, 2, 8, 5, 30), -150],
  ])('when %s is asked at %i on a change day, then the offset is %i', (name, instant, offset) => {
    const zone = IANAZone.create(name);
    // Ask for the day's start first, so a wrong whole-day memo would show.
    offsetMinutes(zone, instant - (instant % 86_400_000));
    expect(offsetMinutes(zone, instant)).toBe(offset);
  });
});

describe('the next offset change (memoised per change day)', () => {
  const at = (utc: string) => Date.parse(utc);

  it.each([
    [
      'Berlin in spring',
      'Europe/Berlin',
      '2026-03-28T00:00Z',
      '2026-03-30T00:00Z',
      '2026-03-29T01:00Z',
    ],
    [
      'Berlin in autumn',
      'Europe/Berlin',
      '2026-10-24T00:00Z',
      '2026-10-26T00:00Z',
      '2026-10-25T01:00Z',
    ],
    [
      'New York in autumn',
      'America/New_York',
      '2026-10-31T00:00Z',
      '2026-11-03T00:00Z',
      '2026-11-01T06:00Z',
    ],
    [
      'Lord Howe’s 30 minutes',
      'Australia/Lord_Howe',
      '2026-04-03T00:00Z',
      '2026-04-06T00:00Z',
      '2026-04-04T15:00Z',
    ],
    [
      'Chisinau at a UTC midnight',
      'Europe/Chisinau',
      '2026-10-23T12:00Z',
      '2026-10-26T00:00Z',
      '2026-10-25T00:00Z',
    ],
    [
      'a window ending at the change',
      'Europe/Berlin',
      '2026-10-24T00:00Z',
      '2026-10-25T01:00Z',
      '2026-10-25T01:00Z',
    ],
    [
      'a window starting at the change',
      'Europe/Berlin',
      '2026-10-25T01:00Z',
      '2026-10-27T00:00Z',
      undefined,
    ],
    ['a quiet window', 'Europe/Berlin', '2026-11-20T00:00Z', '2026-11-23T00:00Z', undefined],
    ['UTC', 'UTC', '2026-10-24T00:00Z', '2026-10-26T00:00Z', undefined],
  ])('when asked about %s, then it is %s', (_name, name, from, to, expected) => {
    const zone = IANAZone.create(name);
    expect(nextOffsetChange(zone, at(from), at(to))).toBe(expected && at(expected));
  });

  it('when asked about any window of up to four days in 2026–2027, then it is the first instant with another offset', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 0, 1) }),
        fc.integer({ min: 1, max: 4 * 86_400_000 }),
        (name, from, span) => {
          const zone = IANAZone.create(name);
          const change = nextOffsetChange(zone, from, from + span);
          if (zone.offset(from) === zone.offset(from + span)) expect(change).toBeUndefined();
          else {
            expect(change).toBeGreaterThan(from);
            expect(change).toBeLessThanOrEqual(from + span);
            expect(zone.offset(change! - 1)).toBe(zone.offset(from));
            expect(zone.offset(change!)).toBe(zone.offset(from + span));
          }
        },
      ),
      { numRuns: 2000, seed: 9 },
    );
  });
});
