import { dayRange, groupSlotsByDay, poolSlots } from '../calendar/availability.js';
import type { Interval } from '../calendar/calendar-types.js';
import type { Clock } from '../deps.js';
import type { Agent, Meeting } from '../records/meeting-contract.js';
import { unroutableReason } from '../routing/meeting-routing.js';
import type {
  AccountRoutingStore,
  AgentStore,
  RoutingRuleStore,
} from '../store/meeting-store-types.js';
import { findAccount } from '../records/account-routing.js';
import { requestedAgentId } from './book-meeting.js';
import type { SlotQuery, SlotsResponse } from './booking-contract.js';
import { agentFreeSlots, type AvailabilityDeps } from './meeting-availability.js';
import { agentForType, agentsOfferingType, meetingTypesOf, offeredType } from './meeting-types.js';
import { reassignPlans, reassignPool } from './reassign-plans.js';

export type SlotDeps = AvailabilityDeps & {
  store: AvailabilityDeps['store'] & AgentStore & Pick<AccountRoutingStore, 'listAccountRoutes'>;
  clock: Clock;
};

/**
 * The slots a visitor can book: the union of the free slots of every agent who can take
 * meetings (or of the one asked for), in the visitor's time zone. A slot shown is free for at
 * least one agent now; the booking re-checks it at commit. Agents are read in parallel, each
 * through the short free/busy cache. With a meeting type, only the agents who offer it, with
 * slots of its length; `meetingTypes` lists what the pool (or the named agent) offers. An
 * agent of weight 0 takes no turn of the rotation, so the pool's slots leave them out; a
 * visitor whose email's domain is on the account list sees their account agent's times (all the
 * pool's when that agent has none in the range: the booking falls back to the rotation).
 */
export async function listSlots(deps: SlotDeps, query: SlotQuery): Promise<SlotsResponse> {
  const now = deps.clock.now();
  const range = dayRange(query.from, query.days, query.timeZone, now);
  const [all, agentId, accounts] = await Promise.all([
    deps.store.listAgents(),
    requestedAgentId(deps.store, query),
    query.domain === undefined ? [] : deps.store.listAccountRoutes(),
  ]);
  const named = agentId === undefined ? all : all.filter((a) => a.id === agentId);
  // An unknown type is the visitor's error whoever is free today (400 naming meetingType).
  const typed = agentsOfferingType(named, query.meetingType, agentId);
  const pool = named.filter((agent) => unroutableReason(agent) === undefined);
  const agents = typed.filter(
    (agent) =>
      unroutableReason(agent) === undefined && (agentId !== undefined || agent.weight !== 0),
  );
  const sized = agents.map((agent) => agentForType(agent, query.meetingType));
  const accountId = findAccount(accounts, { domain: query.domain })?.route.agentId;
  const owner = typed.find((a) => a.id === accountId && unroutableReason(a) === undefined);
  const account = owner === undefined ? [] : [agentForType(owner, query.meetingType)];
  const own = agentId !== undefined ? [] : await freeSlotsOf(deps, account, range, now);
  const slots = own.length > 0 ? own : await freeSlotsOf(deps, sized, range, now);
  const type =
    query.meetingType === undefined
      ? undefined
      : meetingTypesOf(typed).find((t) => t.id === query.meetingType);
  const durations = (own.length > 0 ? account : sized).map((a) => a.meetingMinutes);
  return {
    timeZone: query.timeZone,
    durationMinutes: type?.minutes ?? (durations.length === 0 ? 30 : Math.min(...durations)),
    meetingTypes: meetingTypesOf(pool),
    ...(type === undefined ? {} : { meetingType: type }),
    days: groupSlotsByDay(slots, query.timeZone),
  };
}

/**
 * A meeting's new times for a reschedule: the free slots of the agents it may move to (its
 * own agent, whose meeting does not count against itself, then the pool that routing would
 * reassign it within: reassign-plans.ts), each at the meeting's length.
 */
export async function rescheduleSlots(
  deps: SlotDeps & {
    store: Pick<RoutingRuleStore, 'listRoutingRules'> &
      Pick<AccountRoutingStore, 'listAccountRoutes'>;
  },
  meeting: Meeting,
  query: Pick<SlotQuery, 'from' | 'days' | 'timeZone'>,
): Promise<SlotsResponse> {
  const [agents, rules, accounts] = await Promise.all([
    deps.store.listAgents(),
    deps.store.listRoutingRules(),
    deps.store.listAccountRoutes(),
  ]);
  const own = agents.find((agent) => agent.id === meeting.agentId);
  const pool = reassignPool(reassignPlans(meeting, agents, rules, accounts), agents);
  return slotsOfMeetingPool(deps, { meeting, own, pool, query });
}

async function slotsOfMeetingPool(
  deps: SlotDeps,
  args: {
    meeting: Meeting;
    own: Agent | undefined;
    pool: readonly Agent[];
    query: Pick<SlotQuery, 'from' | 'days' | 'timeZone'>;
  },
): Promise<SlotsResponse> {
  const { meeting, own, query } = args;
  const now = deps.clock.now();
  const range = dayRange(query.from, query.days, query.timeZone, now);
  const minutes = Math.round((meeting.end - meeting.start) / 60_000);
  const typeId = meeting.meetingType?.id;
  const sized = (agent: Agent): Agent => ({ ...agent, meetingMinutes: minutes });
  const others = args.pool.filter(
    (agent) =>
      agent.id !== own?.id &&
      unroutableReason(agent) === undefined &&
      (typeId === undefined || offeredType(agent, typeId) !== undefined),
  );
  const ownEvent = { start: meeting.start, end: meeting.end };
  const perAgent = await Promise.all([
    own === undefined
      ? Promise.resolve([])
      : agentFreeSlots(deps, sized(own), range, now, { meetingId: meeting.id, ownEvent }).then(
          // Its own time is where it is already, not a time to move to.
          (slots) => slots.filter((slot) => slot.start !== meeting.start),
        ),
    ...others.map((agent) => agentFreeSlots(deps, sized(agent), range, now)),
  ]);
  return {
    timeZone: query.timeZone,
    durationMinutes: minutes,
    ...(meeting.meetingType === undefined ? {} : { meetingType: { ...meeting.meetingType } }),
    days: groupSlotsByDay(
      poolSlots(new Map(perAgent.map((slots, i) => [`${i}`, slots]))),
      query.timeZone,
    ),
  };
}

/** The union of the agents' free slots, asked in parallel, in rotation order. */
async function freeSlotsOf(
  deps: SlotDeps,
  agents: readonly Agent[],
  range: Interval,
  now: number,
): Promise<Interval[]> {
  const free = await Promise.all(agents.map((agent) => agentFreeSlots(deps, agent, range, now)));
  return poolSlots(new Map(agents.map((agent, i) => [agent.id, free[i]!])));
}
