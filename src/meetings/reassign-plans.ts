import { findAccount, type AccountMatch, type AccountRoute } from '../records/account-routing.js';
import type { Agent, Meeting, RoutingRule } from '../records/meeting-contract.js';
import { planRouting, type RoutingPlan } from '../routing/meeting-routing.js';
import { offeredType } from './meeting-types.js';

/**
 * Where a meeting may go when a reschedule finds its agent no longer free: the same routing
 * that booked it (routing/meeting-routing.ts planRouting), replayed from what the meeting
 * recorded rather than from the lead (a reschedule proves no one's identity):
 *
 * - the account's agent first, when the visitor's email domain is on the account list (or the
 *   meeting was routed by its company's entry, still on the list), as a booking would;
 * - a meeting routed by a rule (`rule:<id>` pool) goes round that rule's agents, in the rule's
 *   own rotation, then the default one, as a booking by that rule would (the rule's conditions
 *   held at booking; they are not asked again);
 * - a meeting of the default rotation, or of the lead's owner, goes round the default rotation
 *   (by weight; a turn there, as a booking's);
 * - a meeting whose booking card named its agent stays with that agent: the card promised that
 *   person (no plan).
 *
 * Only agents who offer the meeting's type are in any plan. A rule deleted or disabled since
 * leaves the default rotation.
 */
/** What the plans are made from: the meeting's routing, type and visitor's email. */
type ReassignedMeeting = Pick<Meeting, 'routing' | 'meetingType'> & {
  visitor?: Pick<Meeting['visitor'], 'email'>;
};

export function reassignPlans(
  meeting: ReassignedMeeting,
  agents: readonly Agent[],
  rules: readonly RoutingRule[],
  accounts: readonly AccountRoute[] = [],
): RoutingPlan[] {
  if (meeting.routing.rule === 'agent') return [];
  const typeId = meeting.meetingType?.id;
  const offering =
    typeId === undefined ? agents : agents.filter((a) => offeredType(a, typeId) !== undefined);
  const { pool } = meeting.routing;
  const rule = pool.startsWith('rule:')
    ? rules.find((r) => r.enabled && `rule:${r.id}` === pool)
    : undefined;
  // The rule's conditions held when the meeting was booked: the rule is taken as matching.
  return planRouting({
    agents: offering,
    rules: rule === undefined ? [] : [{ ...rule, conditions: [] }],
    lead: undefined,
    account: accountOf(meeting, accounts),
  });
}

/** The visitor's account now: by the email's domain, or the company entry the booking matched. */
function accountOf(
  meeting: ReassignedMeeting,
  accounts: readonly AccountRoute[],
): AccountMatch | undefined {
  const byDomain = findAccount(accounts, { email: meeting.visitor?.email });
  if (byDomain !== undefined) return byDomain;
  const booked = meeting.routing.account;
  if (booked?.by !== 'company') return undefined;
  const route = accounts.find((r) => r.match === booked.match);
  return route === undefined ? undefined : { route, by: 'company' };
}

/** Every agent of the plans, in plan order, each once: the agents a reschedule's slots come from. */
export function reassignPool(plans: readonly RoutingPlan[], agents: readonly Agent[]): Agent[] {
  const byId = new Map(agents.map((agent) => [agent.id, agent]));
  const ids = new Set(plans.flatMap((plan) => plan.agentIds));
  return [...ids].flatMap((id) => byId.get(id) ?? []);
}
