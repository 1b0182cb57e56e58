import { AppError } from '../errors.js';
import type { Assignment, RoutingAgent } from '../records/assignment.js';
import type { AssignmentDecision, AssignmentFacts } from '../store/types.js';
import { NO_POOL, pointerOf, takeTurn } from './rotation-state.js';
import { walkRotation } from './weighted-rotation.js';

/** How long an assignment is kept, at least: longer than any sensible repeat window. */
export const ASSIGNMENT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export interface AssignmentTurnArgs {
  key: string;
  /** The pool's agents, in rotation order. */
  agents: readonly RoutingAgent[];
  now: number;
  repeatWindowMs: number;
  source: Assignment['source'];
  /** The rotation to take a turn in: `default` (the default) or a rule's `rule:<id>`. */
  pool?: string | undefined;
  /** Recorded as the assignment's `rule` (default `round-robin`). */
  rule?: string | undefined;
  /** The first active agent as listed (the lead's owner), not a turn: no pointer moves. */
  ordered?: boolean | undefined;
}

export interface AssignmentTurnResult {
  assignment: Assignment;
  /** True when the key's assignment younger than the window was returned as is. */
  repeated: boolean;
}

/** Assignments made before this may be swept: kept for repeats only, and never shorter than the window. */
export function assignmentKeepSince(now: number, repeatWindowMs: number): number {
  return now - Math.max(ASSIGNMENT_RETENTION_MS, repeatWindowMs);
}

/**
 * One turn's decision, run by the store on the rotation and the key's last assignment read
 * under the rotation's lock (RoutingStore.takeAssignmentTurn): the same key within the window
 * gets its agent again and the rotation does not move; else the first active agent (ordered)
 * or the next active agent of the pool's rotation (by weight: weighted-rotation.ts) takes the
 * turn. Throws NO_AGENTS (503) when no agent is active, which leaves the store as it was.
 */
export function decideAssignment(
  facts: AssignmentFacts,
  args: AssignmentTurnArgs,
): AssignmentDecision<AssignmentTurnResult> {
  const { previous } = facts;
  // A clock that stepped back gives a negative age: still a repeat, never a second agent.
  if (previous !== undefined && args.now - previous.assignedAt < args.repeatWindowMs) {
    return { result: { assignment: { ...previous }, repeated: true } };
  }
  const pool = args.pool ?? 'default';
  // The rotation by weight (weighted-rotation.ts): strict round robin when weights are equal.
  const walk =
    args.ordered === true
      ? undefined
      : walkRotation({
          members: args.agents,
          pointer: pointerOf(facts.rotation, pool),
          seats: facts.rotation.seats?.[pool],
          unavailable: (id) =>
            args.agents.find((a) => a.id === id)!.active ? undefined : 'inactive',
        });
  const agent =
    walk === undefined
      ? args.agents.find((a) => a.active)
      : args.agents.find((a) => a.id === walk.picked);
  if (agent === undefined) throw noAgents();
  const assignment: Assignment = {
    key: args.key,
    agentId: agent.id,
    agentName: agent.name,
    agentEmail: agent.email,
    rule: args.rule ?? 'round-robin',
    assignedAt: args.now,
    source: args.source,
  };
  const rotation = takeTurn(facts.rotation, walk === undefined ? NO_POOL : pool, agent.id, {
    order: args.agents.map((a) => a.id),
    assignment: true,
    ...(walk === undefined ? {} : { cycle: { seats: walk.seats } }),
  });
  return { result: { assignment: { ...assignment }, repeated: false }, assignment, rotation };
}

/** 503: the service is fine but cannot route now; Marketo's "Webhook is Called" can catch it. */
export function noAgents(cause?: unknown): AppError {
  return new AppError('NO_AGENTS', 'No active sales agent to route to', {
    httpStatus: 503,
    retryable: true,
    cause,
  });
}
