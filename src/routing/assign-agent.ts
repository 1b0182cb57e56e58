import type { Clock } from '../deps.js';
import type { Agent, RoutingRule } from '../records/meeting-contract.js';
import type { Assignment, RoutingAgent, RoutingStore } from '../store/types.js';
import {
  assignmentKeepSince,
  decideAssignment,
  noAgents,
  type AssignmentTurnArgs,
} from './assignment-turn.js';
import { planRouting, routingAgentAt } from './meeting-routing.js';

/** The rotation's agents, in order: the store's (async) or a fixed list (tests). */
export type RoutingAgentsSource = () => RoutingAgent[] | Promise<RoutingAgent[]>;

export interface AssignAgentDeps {
  store: RoutingStore;
  clock: Clock;
  /** The rotation as configured now, in order; read on every call so changes apply at once. */
  agents: RoutingAgentsSource;
  /** The same key routed again within this window gets the same agent (ASSIGN_REPEAT_WINDOW_MS). */
  repeatWindowMs: number;
  /**
   * The meetings' routing (owner, rules by priority, then the rotation; meeting-routing.ts),
   * applied when given and the caller passes the lead's fields. Without it: round robin over
   * `agents`.
   */
  routing?: {
    agents: () => Agent[] | Promise<Agent[]>;
    rules: () => RoutingRule[] | Promise<RoutingRule[]>;
    ownerField?: string | undefined;
  };
}

export interface AssignAgentArgs {
  /** What is routed: `lead:<id>`, `email:<lowercased>`, or `ssfs:<token>:<leadId>`. */
  key: string;
  source: Assignment['source'];
  /** The lead's fields (the local copy, with what the caller was sent over it), for rules and owner. */
  lead?: Readonly<Record<string, unknown>>;
}

export interface AgentAssignment {
  agentId: string;
  agentName: string;
  agentEmail: string;
  /** Why this agent, as the store recorded it (e.g. `round-robin`). */
  rule: string;
  /** True when an assignment younger than the window was returned as is. */
  repeated: boolean;
  /** Epoch ms of the assignment (the original one when repeated). */
  assignedAt: number;
}

/**
 * Routes a lead to a sales agent, round robin. The store runs the decision
 * (assignment-turn.ts) on the rotation and the key's last assignment under the rotation's lock
 * and writes its outcome in one transaction (RoutingStore.takeAssignmentTurn), so a repeat
 * within the window, even concurrent or after a Marketo timeout (Marketo does not retry, but
 * an admin may re-run a campaign), returns the same agent and does not move the rotation. The
 * answer is given only once the assignment is durable: Marketo writes the agent to the lead
 * from our answer, so forgetting it in a crash would route the lead's next request to someone
 * else.
 *
 * Used by the Call Webhook route, and by SSFS and chat, which pass their own `source`.
 */
export async function assignAgent(
  deps: AssignAgentDeps,
  args: AssignAgentArgs,
): Promise<AgentAssignment> {
  return takeAssignment(deps, await planAssignment(deps, args));
}

/** What a turn is taken over, once the reads it needs are made (planAssignment). */
export interface AssignmentPlan {
  key: string;
  source: Assignment['source'];
  agents: RoutingAgent[];
  pool?: string | undefined;
  rule?: string | undefined;
  ordered: boolean;
}

/**
 * The reads of an assignment (agents, rules, the lead's plan), apart from its turn: a batch
 * makes them concurrently, then takes its turns in the batch's order (takeAssignment), so the
 * rotation follows the batch however long each lead's reads took. NO_AGENTS (503) when
 * nobody is active: then not even a repeat is answered.
 */
export async function planAssignment(
  deps: AssignAgentDeps,
  args: AssignAgentArgs,
): Promise<AssignmentPlan> {
  const plan = await pickPlan(deps, args);
  if (!plan.agents.some((agent) => agent.active)) throw noAgents();
  return { key: args.key, source: args.source, ...plan };
}

/**
 * Takes the planned turn. The store is called before this returns (no await comes first), so
 * turns asked for one after the other are taken in that order.
 */
export function takeAssignment(
  deps: Pick<AssignAgentDeps, 'store' | 'clock' | 'repeatWindowMs'>,
  plan: AssignmentPlan,
): Promise<AgentAssignment> {
  const now = deps.clock.now();
  const turn: AssignmentTurnArgs = { ...plan, now, repeatWindowMs: deps.repeatWindowMs };
  return deps.store
    .takeAssignmentTurn({
      key: plan.key,
      keepSince: assignmentKeepSince(now, deps.repeatWindowMs),
      decide: (facts) => decideAssignment(facts, turn),
    })
    .then(({ assignment, repeated }) => ({
      agentId: assignment.agentId,
      agentName: assignment.agentName,
      agentEmail: assignment.agentEmail,
      rule: assignment.rule,
      repeated,
      assignedAt: assignment.assignedAt,
    }));
}

/**
 * The first routing plan with an agent who can take leads (the owner, the first matching rule's
 * agents, then everyone), as the agents, pool and rule the turn is taken in. Without
 * `deps.routing`, or without the lead's fields: the plain rotation over `deps.agents()`.
 */
async function pickPlan(
  deps: AssignAgentDeps,
  args: AssignAgentArgs,
): Promise<{ agents: RoutingAgent[]; pool?: string; rule?: string; ordered: boolean }> {
  if (deps.routing === undefined || args.lead === undefined) {
    return { agents: await deps.agents(), ordered: false };
  }
  const [all, rules] = await Promise.all([deps.routing.agents(), deps.routing.rules()]);
  const byId = new Map(all.map((agent) => [agent.id, agent]));
  const plans = planRouting({
    agents: all,
    rules,
    lead: args.lead,
    ...(deps.routing.ownerField === undefined ? {} : { ownerField: deps.routing.ownerField }),
  });
  const routingAgent = routingAgentAt(deps.clock.now());
  for (const plan of plans) {
    const agents = plan.agentIds.map((id) => routingAgent(byId.get(id)!));
    if (!agents.some((agent) => agent.active)) continue;
    return { agents, pool: plan.pool, rule: plan.rule, ordered: plan.mode === 'ordered' };
  }
  return { agents: await deps.agents(), ordered: false };
}
