import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isoInZone, offsetMinutes } from '../../src/calendar/zone-offsets.js';

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
