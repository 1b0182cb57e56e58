import { DateTime, IANAZone } from 'luxon';
import { isoInZone, nextOffsetChange, offsetMinutes } from './zone-offsets.js';
import { ValidationError } from '../errors.js';
import type { Agent, Weekday } from '../records/meeting-contract.js';
import type { Interval } from './calendar-types.js';

/**
 * Working hours and bookable slots, pure and deterministic (no clock, no I/O).
 *
 * Weekly blocks are read in the AGENT's time zone, one local date at a time, so 09:00 stays
 * 09:00 on the agent's wall clock across DST (cal.com's repeated DST bugs, research/
 * meetings-chat-peers.md §1.2). A block is every instant at which that wall clock reads a time
 * inside it: a block over the hour skipped by a spring-forward jump is an hour shorter, one over
 * the hour repeated on a fall-back day is an hour longer, and one that starts inside the
 * repeated hour leaves a gap while the clock reads times before its start again.
 *
 * Slots: a start is offered iff all of these hold (agentSlots lists them, isSlotBookable
 * checks one at commit time; a property test keeps the two in step):
 * - it lies on the step grid anchored at the start of its day's block (blocks of one local
 *   day are merged first, and a fall-back gap starts a new one; the grid counts absolute
 *   minutes, so it survives DST);
 * - [start, start + meetingMinutes) lies inside one working interval (working intervals are
 *   merged across midnight, so a block ending 24:00 runs on into a next-day block at 00:00);
 * - start >= now + minimumNotice;
 * - the slot holds [start - bufferBefore, end + bufferAfter); no booked meeting [b0, b1) with
 *   its own buffers Bb, Ba conflicts: start - bufferBefore < b1 + Ba and
 *   b0 - Bb < end + bufferAfter (the store's overlap rule, HoldFacts in meeting-store-types.ts:
 *   each meeting is widened by its own buffers, so no meeting's time with its buffers meets
 *   another's);
 * - no calendar busy interval [c0, c1) conflicts: busy events are meetings the agent holds and
 *   get the agent's buffers too, so start - bufferBefore < c1 + bufferAfter and
 *   c0 - bufferBefore < end + bufferAfter (with no buffer before, the rule before buffers
 *   before existed).
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Indexed by Date#getUTCDay(): 0 is Sunday. */
const WEEKDAY_BY_UTC_DAY: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export type WorkingAgent = Pick<Agent, 'timeZone' | 'availability'>;
export type SlotAgent = Pick<
  Agent,
  | 'timeZone'
  | 'availability'
  | 'meetingMinutes'
  | 'bufferAfterMinutes'
  | 'bufferBeforeMinutes'
  | 'minimumNoticeMinutes'
>;
/** An active meeting of the agent, held from `start - bufferBeforeMs` until `end + bufferAfterMs`. */
export type BookedInterval = Interval & { bufferAfterMs: number; bufferBeforeMs?: number };

export interface SlotQuery {
  agent: SlotAgent;
  now: number;
  /** The agent's calendar free/busy. */
  busy: readonly Interval[];
  /** The agent's active meetings in our store. */
  booked: readonly BookedInterval[];
  /** Grid of slot starts; defaultStepMinutes(meetingMinutes) when absent. */
  stepMinutes?: number;
}

export type SlotRefusal =
  'outside-hours' | 'too-soon' | 'in-past' | 'busy' | 'booked' | 'misaligned';
export type SlotCheck = { ok: true } | { ok: false; reason: SlotRefusal };
export type PoolSlot = Interval & { agentIds: string[] };
export interface SlotDay {
  date: string;
  slots: Array<{ start: string; end: string }>;
}

/**
 * The coarsest of 60/30/20/15 minutes that tiles the meeting (cal.com aligns to whichever of
 * 60/30/20/15/10/5 divides the length), else back-to-back meetings: 30 -> 30, 45 -> 15,
 * 90 -> 30, 120 -> 60, 25 -> 25.
 */
export const defaultStepMinutes = (meetingMinutes: number): number =>
  [60, 30, 20, 15].find((step) => meetingMinutes % step === 0) ?? meetingMinutes;

/** The agent's weekly blocks as absolute intervals within [range.start, range.end), merged. */
export function workingIntervals(agent: WorkingAgent, range: Interval): Interval[] {
  if (range.end <= range.start) return [];
  const blocks = dayBlocks(agent, zoneOf(agent.timeZone), range);
  return mergeIntervals(blocks.map((block) => clip(block, range)));
}

/** Bookable slots whose start lies in [range.start, range.end), sorted by start. */
export function agentSlots(args: SlotQuery & { range: Interval }): Interval[] {
  const { range } = args;
  if (range.end <= range.start) return [];
  const rules = slotRules(args);
  // A slot starting just before range.end may run past it: look that far ahead.
  const window = { start: range.start, end: range.end + rules.durationMs };
  const blocks = dayBlocks(args.agent, zoneOf(args.agent.timeZone), window);
  const working = mergeIntervals(blocks.map((block) => clip(block, window)));
  const slots: Interval[] = [];
  for (const block of blocks) {
    const from = Math.max(range.start, rules.earliest, block.start);
    let start = block.start + Math.ceil((from - block.start) / rules.stepMs) * rules.stepMs;
    for (; start < block.end && start < range.end; start += rules.stepMs) {
      const end = start + rules.durationMs;
      if (isInside(working, start, end) && conflictOf(start, rules, args) === undefined) {
        slots.push({ start, end });
      }
    }
  }
  return slots;
}

/** The commit-time recheck of one start: the same rules as agentSlots, with a reason. */
export function isSlotBookable(args: SlotQuery & { start: number }): SlotCheck {
  const { start } = args;
  const rules = slotRules(args);
  if (start < args.now) return { ok: false, reason: 'in-past' };
  if (start < rules.earliest) return { ok: false, reason: 'too-soon' };
  const end = start + rules.durationMs;
  const window = { start, end };
  const blocks = dayBlocks(args.agent, zoneOf(args.agent.timeZone), window);
  const block = blocks.find((b) => b.start <= start && start < b.end);
  if (block === undefined) return { ok: false, reason: 'outside-hours' };
  if ((start - block.start) % rules.stepMs !== 0) return { ok: false, reason: 'misaligned' };
  const working = mergeIntervals(blocks.map((b) => clip(b, window)));
  if (!isInside(working, start, end)) return { ok: false, reason: 'outside-hours' };
  const conflict = conflictOf(start, rules, args);
  return conflict === undefined ? { ok: true } : { ok: false, reason: conflict };
}

/**
 * Several agents' slots as one list: equal [start, end) pairs are one slot listing every agent
 * free for it, in the map's order (the caller's rotation order). Sorted by start, then end.
 */
export function poolSlots(perAgent: ReadonlyMap<string, readonly Interval[]>): PoolSlot[] {
  const byKey = new Map<string, PoolSlot>();
  for (const [agentId, slots] of perAgent) {
    for (const { start, end } of slots) {
      const key = `${start}/${end}`;
      let pooled = byKey.get(key);
      if (pooled === undefined) {
        pooled = { start, end, agentIds: [] };
        byKey.set(key, pooled);
      }
      if (!pooled.agentIds.includes(agentId)) pooled.agentIds.push(agentId);
    }
  }
  return [...byKey.values()].sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Slots for the visitor: ISO strings with the visitor's offset, grouped by their local date. */
export function groupSlotsByDay(slots: readonly Interval[], timeZone: string): SlotDay[] {
  const zone = zoneOf(timeZone);
  const days: SlotDay[] = [];
  for (const slot of [...slots].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const start = isoInZone(zone, slot.start);
    const date = start.slice(0, 10);
    const entry = { start, end: isoInZone(zone, slot.end) };
    const last = days.at(-1);
    if (last?.date === date) last.slots.push(entry);
    else days.push({ date, slots: [entry] });
  }
  return days;
}

/**
 * [local midnight of `from` (YYYY-MM-DD; today at `now` when absent), midnight `days` dates
 * later) in the visitor's zone: 23 or 25 hours for a day with a DST change.
 */
export function dayRange(
  from: string | undefined,
  days: number,
  timeZone: string,
  now: number,
): Interval {
  if (!Number.isInteger(days) || days < 1) {
    throw new ValidationError('days must be a positive whole number', 'days');
  }
  const zone = zoneOf(timeZone);
  const first = from === undefined ? localDateOf(zone, now) : parseDate(from);
  return {
    start: instantOfWallClock(zone, first),
    end: instantOfWallClock(zone, first + days * DAY),
  };
}

/* ------------------------------------------------------------------------------------------ */

interface SlotRules {
  durationMs: number;
  bufferMs: number;
  bufferBeforeMs: number;
  stepMs: number;
  earliest: number;
}

function slotRules(args: SlotQuery): SlotRules {
  const { agent } = args;
  const step = args.stepMinutes ?? defaultStepMinutes(agent.meetingMinutes);
  if (!Number.isInteger(step) || step < 1) {
    throw new RangeError(`stepMinutes must be a positive integer, got ${step}`);
  }
  return {
    durationMs: agent.meetingMinutes * MINUTE,
    bufferMs: agent.bufferAfterMinutes * MINUTE,
    bufferBeforeMs: (agent.bufferBeforeMinutes ?? 0) * MINUTE,
    stepMs: step * MINUTE,
    earliest: args.now + Math.max(0, agent.minimumNoticeMinutes) * MINUTE,
  };
}

/** `booked` first: our own meetings also show in the calendar's busy, and say more. */
function conflictOf(
  start: number,
  rules: SlotRules,
  args: SlotQuery,
): 'booked' | 'busy' | undefined {
  const heldFrom = start - rules.bufferBeforeMs;
  const heldUntil = start + rules.durationMs + rules.bufferMs;
  if (
    args.booked.some(
      (m) => heldFrom < m.end + m.bufferAfterMs && m.start - (m.bufferBeforeMs ?? 0) < heldUntil,
    )
  ) {
    return 'booked';
  }
  const before = rules.bufferBeforeMs;
  if (args.busy.some((b) => heldFrom < b.end + rules.bufferMs && b.start - before < heldUntil)) {
    return 'busy';
  }
  return undefined;
}

/**
 * Each local date's blocks (merged within the date) as absolute intervals, unclipped, for the
 * dates that overlap `window`. Dates are counted as UTC-midnight epoch values, so date
 * arithmetic never meets DST; only instantOfWallClock does.
 */
function dayBlocks(agent: WorkingAgent, zone: IANAZone, window: Interval): Interval[] {
  const out: Interval[] = [];
  let date = localDateOf(zone, window.start);
  for (; instantOfWallClock(zone, date) < window.end; date += DAY) {
    const weekday = WEEKDAY_BY_UTC_DAY[new Date(date).getUTCDay()];
    const blocks = agent.availability
      .filter((block) => block.day === weekday)
      .flatMap((block) =>
        instantsOfWallRange(
          zone,
          date + minutesOf(block.start) * MINUTE,
          date + minutesOf(block.end) * MINUTE,
        ),
      );
    for (const block of mergeIntervals(blocks)) {
      if (block.start < window.end && block.end > window.start) out.push(block);
    }
  }
  return out;
}

/**
 * The instant at which the zone's wall clock first reads `wall` (a wall-clock time written as
 * UTC epoch ms): the earlier one when the time repeats (fall-back), the jump itself when it is
 * skipped (spring-forward).
 */
const instantOfWallClock = (zone: IANAZone, wall: number): number =>
  instantsOfWallRange(zone, wall, wall + DAY)[0]?.start ?? wall;

/**
 * The instants at which the zone's wall clock reads a time in [wallStart, wallEnd), merged.
 * Skipped wall times (spring-forward) have no instant, so a block over them is shorter; repeated
 * ones (fall-back) have two, so a block over them is longer, and a block that starts inside the
 * repeated hour is two intervals: the clock reads the block's times, goes back to before its
 * start, then reads them again (Berlin 02:15-05:00 on 25 October 2026 leaves out the second
 * 02:00-02:15; New York 01:15-04:00 on 1 November leaves out the second 01:00-01:15).
 *
 * Written out because luxon's DateTime.fromObject settles a repeated time with the offset of the
 * real current date (Settings.now), so its answer would change with the season the code runs in;
 * and because a wall range is not the instants between its two ends' conversions.
 */
function instantsOfWallRange(zone: IANAZone, wallStart: number, wallEnd: number): Interval[] {
  // Every instant that can read a wall time of the range (offsets lie within ±14 h) is in
  // [from, to); real zones change offset at most once in so short a span.
  const from = wallStart - DAY;
  const to = wallEnd + DAY;
  const before = offsetMinutes(zone, from);
  const after = offsetMinutes(zone, to);
  const change = before === after ? to : (nextOffsetChange(zone, from, to) ?? to);
  const readings = [
    { start: from, end: change, offset: before },
    { start: change, end: to, offset: after },
  ].map((piece) =>
    clip({ start: wallStart - piece.offset * MINUTE, end: wallEnd - piece.offset * MINUTE }, piece),
  );
  return mergeIntervals(readings);
}

const wallClockOf = (zone: IANAZone, instant: number): number =>
  instant + offsetMinutes(zone, instant) * MINUTE;

const localDateOf = (zone: IANAZone, instant: number): number =>
  Math.floor(wallClockOf(zone, instant) / DAY) * DAY;

/** `HH:mm` to minutes after midnight; `24:00` is 1440, the next date's midnight. */
function minutesOf(time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

function zoneOf(name: string): IANAZone {
  const zone = IANAZone.create(name);
  if (!zone.isValid) throw new ValidationError(`Unknown time zone: ${name}`, 'timeZone');
  return zone;
}

function parseDate(text: string): number {
  const date = DateTime.fromISO(text, { zone: 'utc' });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || !date.isValid) {
    throw new ValidationError('from must be a date, YYYY-MM-DD', 'from');
  }
  return date.toMillis();
}

const clip = (interval: Interval, range: Interval): Interval => ({
  start: Math.max(interval.start, range.start),
  end: Math.min(interval.end, range.end),
});

const isInside = (intervals: readonly Interval[], start: number, end: number): boolean =>
  intervals.some((interval) => interval.start <= start && end <= interval.end);

/** Sorted, with overlapping and touching intervals joined; empty ones dropped. */
function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.start < i.end).sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && interval.start <= last.end)
      last.end = Math.max(last.end, interval.end);
    else merged.push({ ...interval });
  }
  return merged;
}
