import type { RoutingAgent } from '../store/types.js';

/**
 * Where a rotation continues: the agent who took its last turn, and the agents who followed
 * them in the pool's order at that moment. The followers let the rotation go on where it was
 * when the taker has since left the pool (deleted, or out of a rule's agents or group).
 */
export interface RotationPointer {
  agentId?: string | undefined;
  followers?: readonly string[] | undefined;
}

/**
 * The pool's order after `agentId`, wrapping round (`[a4, a5, a1, a2]` after a3 of a1..a5): what
 * a turn records with its taker. A taker outside the pool (not expected) is followed by all.
 */
export function followersOf(ids: readonly string[], agentId: string): string[] {
  const at = ids.indexOf(agentId);
  return at === -1 ? [...ids] : [...ids.slice(at + 1), ...ids.slice(0, at)];
}

/**
 * The index in `ids` at which the search for the next turn begins:
 * - just after the last taker, in the current order, when they are still in the pool (after a
 *   reorder too: the pointer stays on the person, the turn goes to whoever now follows them);
 * - else at the first of the taker's followers still in the pool, so "agent three took the last
 *   meeting and left" continues with four, then five, then one;
 * - else (nobody known is left, or a pointer stored before followers were kept) at the start.
 */
export function rotationStart(ids: readonly string[], pointer: RotationPointer): number {
  if (ids.length === 0) return 0;
  const index = new Map(ids.map((id, i) => [id, i]));
  const taker = pointer.agentId === undefined ? undefined : index.get(pointer.agentId);
  if (taker !== undefined) return (taker + 1) % ids.length;
  for (const id of pointer.followers ?? []) {
    const at = index.get(id);
    if (at !== undefined) return at;
  }
  return 0;
}

/**
 * Strict round robin: the first active agent from `rotationStart`, in the configured order,
 * wrapping around; an inactive agent is passed over and keeps their place. "If you have five
 * agents and agent three took the last meeting, agent four gets the next" (Dynamic Chat
 * routing docs).
 */
export function pickNextAgent(
  agents: readonly RoutingAgent[],
  pointer: RotationPointer = {},
): RoutingAgent | undefined {
  const start = rotationStart(
    agents.map((a) => a.id),
    pointer,
  );
  for (let step = 0; step < agents.length; step += 1) {
    const candidate = agents[(start + step) % agents.length]!;
    if (candidate.active) return candidate;
  }
  return undefined;
}
