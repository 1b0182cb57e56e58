import {
  agentSlots,
  isSlotBookable,
  type BookedInterval,
  type SlotCheck,
} from '../calendar/availability.js';
import type { AgentCalendars } from '../calendar/agent-calendars.js';
import { CalendarGrantError, type Interval } from '../calendar/calendar-types.js';
import type { Logger } from '../logger.js';
import { agentCaps, outOfOfficeDuring, reachedCap } from '../routing/agent-limits.js';
import { unroutableReason } from '../routing/meeting-routing.js';
import type { MeetingStore } from '../store/meeting-store-types.js';
import type { Agent } from '../records/meeting-contract.js';

/**
 * Availability of one agent from all three sources: working hours (availability.ts), the
 * calendar's busy times (cached briefly; `fresh` at commit) and the service's own meetings.
 * A calendar that cannot be read makes the agent unavailable (fail closed, research §6.3):
 * HubSpot's "assume available when disconnected" is how double bookings happen.
 */
export interface AvailabilityDeps {
  store: Pick<MeetingStore, 'agentMeetingTimes' | 'countMeetings'>;
  calendars: AgentCalendars;
  logger: Logger;
}

export type AgentCheck =
  | SlotCheck
  | { ok: false; reason: 'inactive' | 'disconnected' | 'calendar-unavailable' | 'out-of-office' };

const DAY = 24 * 60 * 60 * 1000;

/** The busy window looked up for a booking at `start`: whole UTC days, so lookups share a cache entry. */
export function busyWindow(start: number): Interval {
  const day = Math.floor(start / DAY) * DAY;
  return { start: day - DAY, end: day + 2 * DAY };
}

async function busyOrReason(
  deps: AvailabilityDeps,
  agent: Agent,
  range: Interval,
  fresh: boolean,
): Promise<Interval[] | 'disconnected' | 'calendar-unavailable'> {
  try {
    return await deps.calendars.busy(agent, range, { fresh });
  } catch (error) {
    if (error instanceof CalendarGrantError) return 'disconnected';
    deps.logger.warn(
      { err: error, agentId: agent.id },
      'calendar free/busy failed: agent not offered',
    );
    return 'calendar-unavailable';
  }
}

async function bookedOf(
  deps: AvailabilityDeps,
  agentId: string,
  range: Interval,
  excludeId?: string,
): Promise<BookedInterval[]> {
  const meetings = await deps.store.agentMeetingTimes(agentId, range.start, range.end);
  return meetings
    .filter((m) => m.id !== excludeId)
    .map((m) => ({
      start: m.start,
      end: m.end,
      bufferAfterMs: m.bufferAfterMs,
      bufferBeforeMs: m.bufferBeforeMs,
    }));
}

/** Whether `agent` can take a meeting at `start`, and why not. */
export async function checkAgentSlot(
  deps: AvailabilityDeps,
  agent: Agent,
  start: number,
  now: number,
  options: {
    fresh?: boolean;
    excludeMeetingId?: string;
    ignoreRoutability?: boolean;
    /**
     * The meeting's own calendar event (a reschedule): busy times inside it are that event,
     * not a conflict.
     */
    ownEvent?: Interval;
  } = {},
): Promise<AgentCheck> {
  const unroutable = options.ignoreRoutability ? undefined : unroutableReason(agent);
  if (unroutable !== undefined)
    return { ok: false, reason: unroutable as 'inactive' | 'disconnected' };
  // Hours first: no calendar call for a slot the agent does not work anyway.
  const hours = isSlotBookable({ agent, now, start, busy: [], booked: [] });
  if (!hours.ok) return hours;
  // Out of office is like a busy calendar: skipped, keeping their place (agent-limits.ts).
  if (outOfOfficeDuring(agent, start, start + agent.meetingMinutes * 60_000)) {
    return { ok: false, reason: 'out-of-office' };
  }
  const range = busyWindow(start);
  // The calendar and our own meetings are asked at once.
  const [busy, booked] = await Promise.all([
    busyOrReason(deps, agent, range, options.fresh === true),
    bookedOf(deps, agent.id, range, options.excludeMeetingId),
  ]);
  if (typeof busy === 'string') return { ok: false, reason: busy };
  const own = options.ownEvent;
  return isSlotBookable({
    agent,
    now,
    start,
    busy: own === undefined ? busy : busy.filter((b) => b.start < own.start || b.end > own.end),
    booked,
  });
}

/** The agent's free slots in `range`; none when the calendar cannot be read. */
export async function agentFreeSlots(
  deps: AvailabilityDeps,
  agent: Agent,
  range: Interval,
  now: number,
  /** A meeting being moved: its own time and calendar event do not count (as checkAgentSlot). */
  moving?: { meetingId: string; ownEvent: Interval },
): Promise<Interval[]> {
  if (moving === undefined && unroutableReason(agent) !== undefined) return [];
  // Busy times and meetings just outside the range still decide the slots at its edges: a
  // meeting ending in the buffer before it, or one starting just after a late slot would end.
  const pad =
    (agent.meetingMinutes + agent.bufferAfterMinutes + (agent.bufferBeforeMinutes ?? 0)) * 60_000;
  const lookup = { start: range.start - pad, end: range.end + pad };
  const [busy, booked] = await Promise.all([
    busyOrReason(deps, agent, lookup, false),
    bookedOf(deps, agent.id, lookup, moving?.meetingId),
  ]);
  if (typeof busy === 'string') return [];
  const own = moving?.ownEvent;
  const slots = agentSlots({
    agent,
    range,
    now,
    busy: own === undefined ? busy : busy.filter((b) => b.start < own.start || b.end > own.end),
    booked,
  });
  // No slot is offered while the agent is out of office (the rule checkAgentSlot applies).
  const present = slots.filter((slot) => !outOfOfficeDuring(agent, slot.start, slot.end));
  return withinCaps(deps, agent, present, moving?.meetingId);
}

/**
 * The slots less those on a day or in a week the agent's meetings already fill to a cap (a
 * booking there would pass the agent by: agent-limits.ts). One count per distinct day and week.
 */
async function withinCaps(
  deps: AvailabilityDeps,
  agent: Agent,
  slots: Interval[],
  excludeMeetingId: string | undefined,
): Promise<Interval[]> {
  if (slots.length === 0 || agentCaps(agent, slots[0]!.start).length === 0) return slots;
  const capsOf = slots.map((slot) => agentCaps(agent, slot.start, excludeMeetingId));
  const keyOf = (q: { from: number; to: number }) => `${q.from}/${q.to}`;
  const queries = new Map(capsOf.flat().map((cap) => [keyOf(cap.query), cap.query]));
  const answers = await deps.store.countMeetings([...queries.values()]);
  const counted = new Map([...queries.keys()].map((key, i) => [key, answers[i]!]));
  return slots.filter((_slot, i) => {
    const caps = capsOf[i]!;
    return (
      reachedCap(
        caps,
        caps.map((cap) => counted.get(keyOf(cap.query))!),
      ) === undefined
    );
  });
}
