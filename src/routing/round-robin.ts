import type { RoutingAgent } from '../store/types.js';

/**
 * Strict round robin: the first active agent after the one who took the last assignment, in
 * the configured order, wrapping around. "If you have five agents and agent three took the
 * last meeting, agent four gets the next" (Dynamic Chat routing docs). When the last agent is
 * no longer in the list, the rotation restarts at the first active agent.
 */
export function pickNextAgent(
  agents: readonly RoutingAgent[],
  lastAgentId: string | undefined,
): RoutingAgent | undefined {
  const active = agents.filter((a) => a.active);
  if (active.length === 0) return undefined;
  const lastIndex = lastAgentId === undefined ? -1 : agents.findIndex((a) => a.id === lastAgentId);
  if (lastIndex === -1) return active[0];
  for (let step = 1; step <= agents.length; step += 1) {
    const candidate = agents[(lastIndex + step) % agents.length]!;
    if (candidate.active) return candidate;
  }
  return active[0];
}
