import { dayRange, groupSlotsByDay, poolSlots } from '../calendar/availability.js';
import type { Interval } from '../calendar/calendar-types.js';
import type { Clock } from '../deps.js';
import { unroutableReason } from '../routing/meeting-routing.js';
import type { AgentStore } from '../store/meeting-store-types.js';
import { requestedAgentId } from './book-meeting.js';
import type { SlotQuery, SlotsResponse } from './booking-contract.js';
import { agentFreeSlots, type AvailabilityDeps } from './meeting-availability.js';

export type SlotDeps = AvailabilityDeps & {
  store: AvailabilityDeps['store'] & AgentStore;
  clock: Clock;
};

/**
 * The slots a visitor can book: the union of the free slots of every agent who can take
 * meetings (or of the one asked for), in the visitor's time zone. A slot shown is free for at
 * least one agent now; the booking re-checks it at commit. Agents are read in parallel, each
 * through the short free/busy cache.
 */
export async function listSlots(deps: SlotDeps, query: SlotQuery): Promise<SlotsResponse> {
  const now = deps.clock.now();
  const range = dayRange(query.from, query.days, query.timeZone, now);
  const [all, agentId] = await Promise.all([
    deps.store.listAgents(),
    requestedAgentId(deps.store, query),
  ]);
  let agents = all.filter((agent) => unroutableReason(agent) === undefined);
  if (agentId !== undefined) agents = agents.filter((a) => a.id === agentId);
  // Keys in rotation order, whatever order the calendars answer in.
  const free = await Promise.all(agents.map((agent) => agentFreeSlots(deps, agent, range, now)));
  const perAgent = new Map<string, Interval[]>(agents.map((agent, i) => [agent.id, free[i]!]));
  const slots = poolSlots(perAgent);
  const durations = agents.map((a) => a.meetingMinutes);
  return {
    timeZone: query.timeZone,
    durationMinutes: durations.length === 0 ? 30 : Math.min(...durations),
    days: groupSlotsByDay(slots, query.timeZone),
  };
}
