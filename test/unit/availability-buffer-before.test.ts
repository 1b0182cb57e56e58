import { describe, expect, it } from 'vitest';
import {
  agentSlots,
  isSlotBookable,
  type BookedInterval,
  type SlotAgent,
} from '../../src/calendar/availability.js';
import type { Interval } from '../../src/calendar/calendar-types.js';

/**
 * The buffer before meetings (bufferBeforeMinutes): a slot holds [start - before, end + after),
 * which must be clear of the agent's meetings (each with its own buffers) and calendar busy
 * times (which get the agent's buffers, as meetings the agent holds). Monday 2 March 2026,
 * UTC agent working 09:00-12:00, 30-minute meetings, no notice.
 */
const at = (hhmm: string): number => Date.parse(`2026-03-02T${hhmm}:00Z`);
const MIN = 60_000;
const agent = (overrides: Partial<SlotAgent> = {}): SlotAgent => ({
  timeZone: 'UTC',
  availability: [{ day: 'mon', start: '09:00', end: '12:00' }],
  meetingMinutes: 30,
  bufferAfterMinutes: 0,
  bufferBeforeMinutes: 0,
  minimumNoticeMinutes: 0,
  ...overrides,
});
const NOW = at('00:00');
const range: Interval = { start: at('00:00'), end: at('23:59') };
const starts = (slots: Interval[]) =>
  slots.map((s) => new Date(s.start).toISOString().slice(11, 16));
const meeting = (from: string, to: string, before = 0, after = 0): BookedInterval => ({
  start: at(from),
  end: at(to),
  bufferAfterMs: after * MIN,
  bufferBeforeMs: before * MIN,
});

describe('slots with a buffer before', () => {
  it.each<[string, Partial<SlotAgent>, BookedInterval[], Interval[], string[]]>([
    [
      'when the agent keeps 15 minutes before, then the slot right after a meeting is not offered',
      { bufferBeforeMinutes: 15 },
      [meeting('10:00', '10:30')],
      [],
      ['09:00', '09:30', '11:00', '11:30'],
    ],
    [
      'when a meeting keeps its own 30 minutes before, then the slot ending at its start is not offered',
      {},
      [meeting('10:30', '11:00', 30)],
      [],
      ['09:00', '09:30', '11:00', '11:30'],
    ],
    [
      'when the agent keeps 15 before and 15 after and a busy time ends at 10:00, then the next start is 10:30 (both buffers apart)',
      { bufferBeforeMinutes: 15, bufferAfterMinutes: 15 },
      [],
      [{ start: at('09:30'), end: at('10:00') }],
      ['10:30', '11:00', '11:30'],
    ],
    [
      'when there is no buffer before, then slots are as before buffers before existed',
      {},
      [meeting('10:00', '10:30')],
      [{ start: at('11:00'), end: at('11:30') }],
      ['09:00', '09:30', '10:30', '11:30'],
    ],
  ])('%s', (_title, overrides, booked, busy, expected) => {
    const slots = agentSlots({ agent: agent(overrides), range, now: NOW, busy, booked });
    expect(starts(slots)).toEqual(expected);
    // The commit-time check agrees with every start of the grid.
    for (const time of ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30']) {
      const check = isSlotBookable({
        agent: agent(overrides),
        now: NOW,
        start: at(time),
        busy,
        booked,
      });
      expect(check.ok, time).toBe(expected.includes(time));
    }
  });

  it('when a slot is refused for a buffer before, then the reason says booked or busy', () => {
    const withBefore = agent({ bufferBeforeMinutes: 15 });
    expect(
      isSlotBookable({
        agent: withBefore,
        now: NOW,
        start: at('10:30'),
        busy: [],
        booked: [meeting('10:00', '10:30')],
      }),
    ).toEqual({ ok: false, reason: 'booked' });
    expect(
      isSlotBookable({
        agent: withBefore,
        now: NOW,
        start: at('10:30'),
        busy: [{ start: at('10:00'), end: at('10:20') }],
        booked: [],
      }),
    ).toEqual({ ok: false, reason: 'busy' });
  });
});
