import { describe, expect, it } from 'vitest';
import {
  agentCaps,
  capWindows,
  outOfOfficeAt,
  outOfOfficeDuring,
  reachedCap,
} from '../../src/routing/agent-limits.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('agent limits (routing/agent-limits.ts)', () => {
  it.each([
    // A Sunday 23:30 in Los Angeles is Monday 07:30 UTC: the agent's day and week are Sunday's.
    [
      'America/Los_Angeles',
      '2026-11-30T07:30:00Z',
      ['2026-11-29T08:00:00.000Z', '2026-11-30T08:00:00.000Z'],
      ['2026-11-23T08:00:00.000Z', '2026-11-30T08:00:00.000Z'],
    ],
    // Monday 00:30 in Tokyo is Sunday 15:30 UTC: already the new week there.
    [
      'Asia/Tokyo',
      '2026-11-29T15:30:00Z',
      ['2026-11-29T15:00:00.000Z', '2026-11-30T15:00:00.000Z'],
      ['2026-11-29T15:00:00.000Z', '2026-12-06T15:00:00.000Z'],
    ],
    // The week of the spring DST change in Berlin has 167 hours, its Sunday 23.
    [
      'Europe/Berlin',
      '2027-03-28T12:00:00Z',
      ['2027-03-27T23:00:00.000Z', '2027-03-28T22:00:00.000Z'],
      ['2027-03-21T23:00:00.000Z', '2027-03-28T22:00:00.000Z'],
    ],
  ])(
    'when an agent in %s has a meeting at %s, then its day and week (from Monday) are theirs',
    (zone, at, day, week) => {
      const windows = capWindows({ timeZone: zone }, Date.parse(at));
      expect([iso(windows.day.from), iso(windows.day.to)]).toEqual(day);
      expect([iso(windows.week.from), iso(windows.week.to)]).toEqual(week);
    },
  );

  it('when an agent has no caps, then there is nothing to count', () => {
    expect(agentCaps({ id: 'a1', timeZone: 'UTC' }, Date.UTC(2026, 10, 25, 9))).toEqual([]);
  });

  it('when an agent has both caps, then the daily is counted first, and the first one reached is the reason', () => {
    const caps = agentCaps(
      { id: 'a1', timeZone: 'UTC', maxMeetingsPerDay: 2, maxMeetingsPerWeek: 5 },
      Date.UTC(2026, 10, 25, 9),
      'm-1',
    );
    expect(caps).toEqual([
      {
        reason: 'daily-cap',
        max: 2,
        query: {
          agentId: 'a1',
          from: Date.UTC(2026, 10, 25),
          to: Date.UTC(2026, 10, 26),
          excludeId: 'm-1',
        },
      },
      {
        reason: 'weekly-cap',
        max: 5,
        query: {
          agentId: 'a1',
          from: Date.UTC(2026, 10, 23),
          to: Date.UTC(2026, 10, 30),
          excludeId: 'm-1',
        },
      },
    ]);
    expect(reachedCap(caps, [1, 4])).toBeUndefined();
    expect(reachedCap(caps, [2, 4])).toBe('daily-cap');
    expect(reachedCap(caps, [1, 5])).toBe('weekly-cap');
    expect(reachedCap(caps, [2, 5])).toBe('daily-cap');
  });

  it.each([
    ['ends as the meeting starts', 9, 10, false],
    ['starts as the meeting ends', 10.5, 12, false],
    ['covers its first minute', 8, 10.02, true],
    ['lies inside it', 10.1, 10.2, true],
  ])(
    'when an out-of-office period %s, then it overlaps the meeting: %s',
    (_what, from, to, overlaps) => {
      const hour = (h: number) => Date.UTC(2026, 10, 25) + h * 3600_000;
      const agent = { outOfOffice: [{ start: hour(from), end: hour(to) }] };
      expect(outOfOfficeDuring(agent, hour(10), hour(10.5))).toBe(overlaps);
    },
  );

  it('when the period’s end is the instant asked, then the agent is back (end exclusive)', () => {
    const agent = { outOfOffice: [{ start: 100, end: 200 }] };
    expect([
      outOfOfficeAt(agent, 99),
      outOfOfficeAt(agent, 100),
      outOfOfficeAt(agent, 200),
    ]).toEqual([false, true, false]);
    expect(outOfOfficeAt({}, 150)).toBe(false);
  });
});
