import { describe, expect, it } from 'vitest';
import { dateRangeQuerySchema, daysOf } from '../../src/reports/report-range.js';

describe('report date range', () => {
  it.each([
    [
      'UTC',
      { from: '2026-11-24', to: '2026-11-25' },
      '2026-11-24T00:00:00.000Z',
      '2026-11-26T00:00:00.000Z',
    ],
    [
      'Berlin in winter',
      { from: '2026-11-24', to: '2026-11-24', timeZone: 'Europe/Berlin' },
      '2026-11-23T23:00:00.000Z',
      '2026-11-24T23:00:00.000Z',
    ],
    [
      'a day of 23 hours (New York, spring forward)',
      { from: '2026-03-08', to: '2026-03-08', timeZone: 'America/New_York' },
      '2026-03-08T05:00:00.000Z',
      '2026-03-09T04:00:00.000Z',
    ],
    [
      'a leap year of 366 days',
      { from: '2024-01-01', to: '2024-12-31' },
      '2024-01-01T00:00:00.000Z',
      '2025-01-01T00:00:00.000Z',
    ],
  ])(
    'when the range is %s, then it runs from the first day to the start of the day after the last',
    (_l, query, from, to) => {
      const range = dateRangeQuerySchema.parse(query);
      expect(new Date(range.from).toISOString()).toBe(from);
      expect(new Date(range.to).toISOString()).toBe(to);
    },
  );

  it.each([
    [{ from: '2026-11-25', to: '2026-11-24' }, 'to'],
    [{ from: '2025-01-01', to: '2026-01-02' }, 'to'],
    [{ from: '2026-02-29', to: '2026-03-01' }, 'from'],
    [{ from: '24/11/2026', to: '2026-11-25' }, 'from'],
    [{ from: '2026-11-24', to: '2026-11-25', timeZone: 'CEST' }, 'timeZone'],
  ])('when the query is %o, then it is refused naming %s', (query, field) => {
    const parsed = dateRangeQuerySchema.safeParse(query);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join('.'))).toEqual([field]);
  });

  it('when the days of a range are listed, then both ends are included across a month end', () => {
    expect(daysOf({ fromDate: '2026-11-29', toDate: '2026-12-01' })).toEqual([
      '2026-11-29',
      '2026-11-30',
      '2026-12-01',
    ]);
  });
});
