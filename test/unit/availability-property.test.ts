import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  agentSlots,
  isSlotBookable,
  type BookedInterval,
  type SlotAgent,
} from '../../src/calendar/availability.js';
import type { Interval } from '../../src/calendar/calendar-types.js';
import { WEEKDAYS, type AvailabilityBlock } from '../../src/records/meeting-contract.js';

/**
 * Properties of slot generation over random agents, calendars and ranges near DST changes
 * (Berlin and New York, Lord Howe's 30-minute shift, Santiago's midnight jump, Kathmandu's
 * +05:45). Ranges start from fixed dates; nothing reads the clock.
 *
 * The seeds are pinned, so every run checks the same cases: these four found the autumn-change
 * bug (a slot offered while the agent's clock read the repeated hour before the block's start,
 * in New York, Santiago, Lord Howe and Berlin; issue 9, item 19), whose shrunk cases are plain
 * tests in availability.test.ts. To explore further, run with other seeds and a larger numRuns.
 */
const SEEDS = [20, 30, 40, 62];
const RUNS = { numRuns: 300 };

const MIN = 60_000;
const QUARTER = 15 * MIN;
const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'America/Santiago',
  'UTC',
];
/** A few days before each 2026 DST change of the zones above, and one quiet week. */
const BASES = [
  '2026-03-06',
  '2026-03-27',
  '2026-10-23',
  '2026-10-30',
  '2026-04-03',
  '2026-10-02',
  '2026-09-04',
  '2026-07-06',
].map((d) => Date.parse(`${d}T00:00Z`));

const hhmm = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const blockArb: fc.Arbitrary<AvailabilityBlock> = fc
  .record({
    day: fc.constantFrom(...WEEKDAYS),
    start: fc.integer({ min: 0, max: 95 }),
    length: fc.integer({ min: 1, max: 40 }),
  })
  .map(({ day, start, length }) => ({
    day,
    start: hhmm(start * 15),
    end: hhmm(Math.min(96, start + length) * 15),
  }));

const scenarioArb = fc
  .record({
    timeZone: fc.constantFrom(...ZONES),
    availability: fc.array(blockArb, { maxLength: 12 }),
    meetingMinutes: fc.constantFrom(15, 20, 25, 30, 45, 60, 90),
    bufferAfterMinutes: fc.constantFrom(0, 5, 10, 15, 30),
    minimumNoticeMinutes: fc.constantFrom(0, 30, 60, 240, 1440),
    stepMinutes: fc.constantFrom(undefined, 5, 15, 30, 60),
    base: fc.constantFrom(...BASES),
    startQuarters: fc.integer({ min: 0, max: 4 * 48 }),
    lengthQuarters: fc.integer({ min: 1, max: 4 * 72 }),
    nowQuarters: fc.integer({ min: -4 * 24, max: 4 * 48 }),
    busy: fc.array(fc.tuple(fc.integer({ min: 0, max: 4 * 96 }), fc.integer({ min: 1, max: 16 })), {
      maxLength: 6,
    }),
    booked: fc.array(
      fc.tuple(
        fc.integer({ min: 0, max: 4 * 96 }),
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(0, 10, 30),
      ),
      { maxLength: 4 },
    ),
  })
  .map((s) => {
    const { base } = s;
    const agent: SlotAgent = {
      timeZone: s.timeZone,
      availability: s.availability,
      meetingMinutes: s.meetingMinutes,
      bufferAfterMinutes: s.bufferAfterMinutes,
      minimumNoticeMinutes: s.minimumNoticeMinutes,
    };
    const range: Interval = {
      start: base + s.startQuarters * QUARTER,
      end: base + (s.startQuarters + s.lengthQuarters) * QUARTER,
    };
    const busy: Interval[] = s.busy.map(([from, length]) => ({
      start: base + from * QUARTER,
      end: base + (from + length) * QUARTER,
    }));
    const booked: BookedInterval[] = s.booked.map(([from, length, buffer]) => ({
      start: base + from * QUARTER,
      end: base + (from + length) * QUARTER,
      bufferAfterMs: buffer * MIN,
    }));
    const now = base + s.nowQuarters * QUARTER;
    return { agent, range, busy, booked, now, stepMinutes: s.stepMinutes };
  });

/** An oracle independent of the implementation: read the agent's wall clock at an instant. */
function isWorkingAt(agent: SlotAgent, instant: number): boolean {
  const local = DateTime.fromMillis(instant, { zone: agent.timeZone });
  const weekday = WEEKDAYS[local.weekday - 1];
  const minutes = local.hour * 60 + local.minute;
  const toMinutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  return agent.availability.some(
    (b) => b.day === weekday && toMinutes(b.start) <= minutes && minutes < toMinutes(b.end),
  );
}

describe('slot properties', () => {
  // The two functions never disagreed, before the fix or after: one pinned seed is enough.
  it.each(SEEDS.slice(0, 1))(
    'when a start is in the range, then agentSlots offers it iff isSlotBookable accepts it (seed %i)',
    (seed) => {
      fc.assert(
        fc.property(scenarioArb, fc.array(fc.nat(), { maxLength: 40 }), (scenario, picks) => {
          const slots = agentSlots(scenario);
          const offered = new Set(slots.map((s) => s.start));
          for (const slot of slots)
            expect(isSlotBookable({ ...scenario, ...slot })).toEqual({ ok: true });
          // Candidates on a 5-minute grid: most are off the slot grid, many are on it.
          const span = (scenario.range.end - scenario.range.start) / (5 * MIN);
          for (const pick of picks) {
            const start = scenario.range.start + (pick % span) * 5 * MIN;
            expect(isSlotBookable({ ...scenario, start }).ok).toBe(offered.has(start));
          }
        }),
        { ...RUNS, seed },
      );
    },
  );

  it.each(SEEDS)(
    'when slots are offered, then each is sorted, in hours, noticed, and clear of busy and booked with buffers (seed %i)',
    (seed) => {
      fc.assert(
        fc.property(scenarioArb, (scenario) => {
          const { agent, range, busy, booked, now } = scenario;
          const slots = agentSlots(scenario);
          const bufferMs = agent.bufferAfterMinutes * MIN;
          slots.forEach((slot, i) => {
            if (i > 0) expect(slot.start).toBeGreaterThan(slots[i - 1]?.start ?? -Infinity);
            expect(slot.end - slot.start).toBe(agent.meetingMinutes * MIN);
            expect(slot.start).toBeGreaterThanOrEqual(range.start);
            expect(slot.start).toBeLessThan(range.end);
            expect(slot.start).toBeGreaterThanOrEqual(now + agent.minimumNoticeMinutes * MIN);
            // Blocks sit on a 15-minute wall grid, so 5-minute samples catch any gap.
            for (let t = slot.start; t < slot.end; t += 5 * MIN) {
              expect(isWorkingAt(agent, t)).toBe(true);
            }
            expect(isWorkingAt(agent, slot.end - MIN)).toBe(true);
            for (const b of busy) {
              expect(slot.end + bufferMs <= b.start || b.end + bufferMs <= slot.start).toBe(true);
            }
            for (const m of booked) {
              expect(slot.end + bufferMs <= m.start || m.end + m.bufferAfterMs <= slot.start).toBe(
                true,
              );
            }
          });
        }),
        { ...RUNS, seed },
      );
    },
  );
});
