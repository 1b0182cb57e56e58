import type { Clock } from '../deps.js';
import type { Agent, RoutingRule } from '../records/meeting-contract.js';
import type { RoutingAgent } from '../store/types.js';
import type { AssignAgentDeps } from './assign-agent.js';
import { routingAgentAt, toRoutingAgent } from './meeting-routing.js';

/**
 * What the Call Webhook and the flow step route over: the meetings' agents, in the same order,
 * and their owner field and rules, read from the store on every call so an admin's change
 * applies at once. One definition, so webhooks, flow steps and meetings never route apart. With
 * a clock, an agent out of office now takes no leads (their weight applies as for meetings).
 */
export function createRoutingSources(
  store: { listAgents(): Promise<Agent[]>; listRoutingRules(): Promise<RoutingRule[]> },
  ownerField: string | undefined,
  clock?: Clock,
): { agents: () => Promise<RoutingAgent[]>; routing: NonNullable<AssignAgentDeps['routing']> } {
  return {
    agents: async () =>
      (await store.listAgents()).map(
        clock === undefined ? toRoutingAgent : routingAgentAt(clock.now()),
      ),
    // Owner and rules before the rotation, for the Call Webhook and the flow step as for meetings.
    routing: {
      agents: () => store.listAgents(),
      rules: () => store.listRoutingRules(),
      ownerField,
    },
  };
}
