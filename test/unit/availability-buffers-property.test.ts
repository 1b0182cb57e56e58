import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agentSlots,
  isSlotBookable,
  type BookedInterval,
  type SlotAgent,
} from '../../src/calendar/availability.js';
import type { Interval } from '../../src/calendar/calendar-types.js';

/**
 * Properties of slots with buffers before and after (random agents, meetings and busy times on
 * one UTC Monday, pinned seed): every offered slot's time widened by the agent's buffers is
 * clear of every meeting's time widened by its own buffers and of every busy time widened by
 * the agent's buffers (an oracle written apart from the implementation), and the commit-time
 * check accepts exactly the starts the list offers.
 */
const MIN = 60_000;
const QUARTER = 15 * MIN;
const DAY = Date.parse('2026-03-02T00:00Z');

const scenarioArb = fc
  .record({
    start: fc.integer({ min: 24, max: 40 }),
    length: fc.integer({ min: 4, max: 40 }),
    meetingMinutes: fc.constantFrom(15, 30, 45, 60),
    bufferBeforeMinutes: fc.constantFrom(0, 5, 10, 15, 30),
    bufferAfterMinutes: fc.constantFrom(0, 5, 10, 15),
    booked: fc.array(
      fc.tuple(
        fc.integer({ min: 20, max: 80 }),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(0, 10, 30),
        fc.constantFrom(0, 5, 15),
      ),
      { maxLength: 4 },
    ),
    busy: fc.array(fc.tuple(fc.integer({ min: 20, max: 80 }), fc.integer({ min: 1, max: 8 })), {
      maxLength: 4,
    }),
  })
  .map((s) => {
    const agent: SlotAgent = {
      timeZone: 'UTC',
      availability: [
        {
          day: 'mon',
          start: hhmm(s.start * 15),
          end: hhmm(Math.min(96, s.start + s.length) * 15),
        },
      ],
      meetingMinutes: s.meetingMinutes,
      bufferBeforeMinutes: s.bufferBeforeMinutes,
      bufferAfterMinutes: s.bufferAfterMinutes,
      minimumNoticeMinutes: 0,
    };
    const booked: BookedInterval[] = s.booked.map(([from, length, before, after]) => ({
      start: DAY + from * QUARTER,
      end: DAY + (from + length) * QUARTER,
      bufferBeforeMs: before * MIN,
      bufferAfterMs: after * MIN,
    }));
    const busy: Interval[] = s.busy.map(([from, length]) => ({
      start: DAY + from * QUARTER,
      end: DAY + (from + length) * QUARTER,
    }));
    return { agent, booked, busy };
  });

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

const meets = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

describe('slot properties with buffers before and after', () => {
  it('when slots are offered, then each is clear of meetings and busy times with every buffer, and isSlotBookable agrees on every quarter hour', () => {
    fc.assert(
      fc.property(scenarioArb, ({ agent, booked, busy }) => {
        const range = { start: DAY, end: DAY + 24 * 60 * MIN };
        const now = DAY - 60 * MIN;
        const slots = agentSlots({ agent, range, now, busy, booked });
        const before = (agent.bufferBeforeMinutes ?? 0) * MIN;
        const after = agent.bufferAfterMinutes * MIN;
        for (const slot of slots) {
          const held = { start: slot.start - before, end: slot.end + after };
          for (const m of booked) {
            const theirs = {
              start: m.start - (m.bufferBeforeMs ?? 0),
              end: m.end + m.bufferAfterMs,
            };
            expect(meets(held, theirs)).toBe(false);
          }
          for (const b of busy) {
            expect(meets(held, { start: b.start - before, end: b.end + after })).toBe(false);
          }
        }
        const offered = new Set(slots.map((s) => s.start));
        for (let start = range.start; start < range.end; start += QUARTER) {
          const check = isSlotBookable({ agent, now, start, busy, booked });
          expect(check.ok).toBe(offered.has(start));
        }
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});
