import { matchesCondition, type VisitorLead } from '../chat/audience.js';
import type { AccountMatch } from '../records/account-routing.js';
import type { Agent, RoutingRule } from '../records/meeting-contract.js';
import type { RoutingAgent } from '../store/types.js';
import { outOfOfficeAt } from './agent-limits.js';

/**
 * Who may take a meeting, as an ordered list of plans the booking tries one after the other
 * (Dynamic Chat routing; Chili Piper's ownership → rules → catch-all queues; research §3, §9):
 *
 * 1. an agent the booking card names (`agent`);
 * 2. the account's agent, when the visitor's email domain or company is on the account list
 *    (`account`: Dynamic Chat's highest-priority rule; records/account-routing.ts);
 * 3. the lead's owner, when the owner is one of our agents (`owner`);
 * 4. the first enabled rule, by priority, whose conditions all hold on the lead's synced
 *    fields: round robin over its agents or group, in a rotation of its own (`rule:<id>`);
 * 5. round robin over every agent, by weight (`round-robin`, or `fallback-round-robin` after 2,
 *    3 or 4 found nobody free).
 *
 * A plan whose agents are all busy, disconnected or inactive falls through to the next: the
 * visitor can always book with somebody free (cal.com never returns an empty pool either).
 */
export interface RoutingPlan {
  mode: 'rotation' | 'ordered';
  /** The rotation's pointer key; `none` for ordered plans. */
  pool: string;
  rule: string;
  ruleName?: string;
  /** In rotation order. */
  agentIds: string[];
  /** The account entry that matched (`account` plans). */
  account?: { match: string; by: AccountMatch['by'] };
}

export interface PlanRoutingArgs {
  /** All agents, in rotation order. */
  agents: readonly Agent[];
  rules: readonly RoutingRule[];
  /** The visitor's synced lead fields; undefined for an anonymous visitor. */
  lead: VisitorLead;
  /** The lead field holding the owner's email (ROUTING_OWNER_FIELD). */
  ownerField?: string;
  /** An agent asked for by id. */
  agentId?: string;
  /** The visitor's account entry (findAccount), if any: its agent is tried first. */
  account?: AccountMatch | undefined;
}

export function planRouting(args: PlanRoutingArgs): RoutingPlan[] {
  const plans: RoutingPlan[] = [];
  if (args.agentId !== undefined) {
    // Asked for by name: that agent or nobody (the card promised that person).
    return [{ mode: 'ordered', pool: 'none', rule: 'agent', agentIds: [args.agentId] }];
  }
  const { account } = args;
  if (account !== undefined && args.agents.some((a) => a.id === account.route.agentId)) {
    plans.push({
      mode: 'ordered',
      pool: 'none',
      rule: 'account',
      agentIds: [account.route.agentId],
      account: { match: account.route.match, by: account.by },
    });
  }
  const owner = ownerOf(args);
  if (owner !== undefined) {
    plans.push({ mode: 'ordered', pool: 'none', rule: 'owner', agentIds: [owner.id] });
  }
  const rule = args.rules.find(
    (r) => r.enabled && r.conditions.every((condition) => matchesCondition(condition, args.lead)),
  );
  if (rule !== undefined) {
    const agentIds = ruleAgents(rule, args.agents);
    if (agentIds.length > 0) {
      plans.push({
        mode: 'rotation',
        pool: `rule:${rule.id}`,
        rule: `rule:${rule.id}`,
        ruleName: rule.name,
        agentIds,
      });
    }
  }
  plans.push({
    mode: 'rotation',
    pool: 'default',
    rule: plans.length > 0 ? 'fallback-round-robin' : 'round-robin',
    agentIds: args.agents.map((a) => a.id),
  });
  return plans;
}

function ownerOf(args: PlanRoutingArgs): Agent | undefined {
  if (args.ownerField === undefined || args.lead === undefined) return undefined;
  const value = args.lead[args.ownerField];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const email = value.trim().toLowerCase();
  return args.agents.find((agent) => agent.email === email);
}

/** The rule's agents in rotation order (the order of `agents`, not of the rule's list). */
function ruleAgents(rule: RoutingRule, agents: readonly Agent[]): string[] {
  const { target } = rule;
  if ('agentIds' in target) {
    const wanted = new Set(target.agentIds);
    return agents.filter((a) => wanted.has(a.id)).map((a) => a.id);
  }
  return agents.filter((a) => a.groups.includes(target.group)).map((a) => a.id);
}

/** Why an agent cannot take meetings at all right now, or undefined when they can. */
export function unroutableReason(agent: Agent): string | undefined {
  if (!agent.active) return 'inactive';
  if (agent.calendar.status !== 'connected') return 'disconnected';
  return undefined;
}

/**
 * The agent as a turn of the rotation sees it: active means it can take leads and meetings now.
 * The weight is only written when it is not the default 1.
 */
export function toRoutingAgent(agent: Agent): RoutingAgent {
  return {
    id: agent.id,
    name: agent.name,
    email: agent.email,
    active: unroutableReason(agent) === undefined,
    ...(agent.weight === undefined || agent.weight === 1 ? {} : { weight: agent.weight }),
  };
}

/**
 * toRoutingAgent at `now`: an agent out of office then is not active either, so a lead routed
 * now is not given to someone away (a meeting checks the out-of-office at its own time).
 */
export function routingAgentAt(now: number): (agent: Agent) => RoutingAgent {
  return (agent) => {
    const routing = toRoutingAgent(agent);
    return outOfOfficeAt(agent, now) ? { ...routing, active: false } : routing;
  };
}
