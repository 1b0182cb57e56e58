import type { Meeting } from '../../src/records/meeting-contract.js';
import type { RotationState } from '../../src/records/rotation.js';
import type {
  HoldDecision,
  HoldFacts,
  HoldMeetingArgs,
  SlotProbe,
} from '../../src/store/meeting-store-types.js';
import type { Assignment, AssignmentDecision, AssignmentFacts } from '../../src/store/types.js';

/**
 * Small decisions written for the store's contract tests. They are NOT the product's rules
 * (routing/ owns the round robin, meetings/ the booking rules, each tested there): they exist
 * to show what the store guarantees whatever the decision, namely that it sees the facts as
 * they are under the lock, that what it returns is written whole or not at all, and that the
 * store's own checks (SLOT_TAKEN, MEETING_EXISTS, validation) hold even against it.
 */

export const MIN = 60_000;

/** The rotation with `agentId` counted once more and made the default pointer. */
export function counted(rotation: RotationState, agentId: string): RotationState {
  return {
    ...rotation,
    lastAgentId: agentId,
    totals: { ...rotation.totals, [agentId]: (rotation.totals[agentId] ?? 0) + 1 },
    turns: { ...rotation.turns, default: (rotation.turns?.['default'] ?? 0) + 1 },
  };
}

export function assignmentOf(key: string, agentId: string, now: number): Assignment {
  return {
    key,
    agentId,
    agentName: `Agent ${agentId}`,
    agentEmail: `${agentId}@example.com`,
    rule: 'next-in-line',
    assignedAt: now,
    source: 'webhook',
  };
}

export interface TurnResult {
  agentId: string;
  repeated: boolean;
  /** The turn count the decision saw: distinct per turn when turns never interleave. */
  sawTurn: number;
}

/**
 * A turn's decision: the key's previous agent within `windowMs`, else the agent after the
 * default pointer in `order`, counted in the rotation.
 */
export function nextInLine(
  key: string,
  now: number,
  options: { order?: readonly string[]; windowMs?: number } = {},
): (facts: AssignmentFacts) => AssignmentDecision<TurnResult> {
  const order = options.order ?? ['a1', 'a2', 'a3', 'a4', 'a5'];
  const windowMs = options.windowMs ?? 60 * MIN;
  return ({ rotation, previous }) => {
    const sawTurn = rotation.turns?.['default'] ?? 0;
    if (previous !== undefined && now - previous.assignedAt < windowMs) {
      return { result: { agentId: previous.agentId, repeated: true, sawTurn } };
    }
    const last = rotation.lastAgentId === undefined ? -1 : order.indexOf(rotation.lastAgentId);
    const agentId = order[(last + 1) % order.length]!;
    return {
      result: { agentId, repeated: false, sawTurn },
      assignment: assignmentOf(key, agentId, now),
      rotation: counted(rotation, agentId),
    };
  };
}

export type HoldResult =
  | { outcome: 'held'; meeting: Meeting }
  | { outcome: 'replayed'; meeting: Meeting }
  | { outcome: 'visitor-limit' }
  | { outcome: 'taken'; overlapping: string[] };

export interface HoldOptions {
  start?: number;
  minutes?: number;
  bufferMinutes?: number;
  /** Candidates in the order the decision tries them; 1..5 when absent. */
  agents?: number[];
  key?: string;
  createdAt?: number;
  visitorEmail?: string;
  maxPerVisitor?: number;
  /** Decide for the first candidate whatever the facts say (to reach the store's own check). */
  blind?: boolean;
  /** Called with the facts the decision saw. */
  saw?: (facts: HoldFacts) => void;
}

export const at = (hhmm: string): number => Date.parse(`2026-11-25T${hhmm}:00Z`);
export const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

/** The pending meeting the decision stores for agent `agentId`. */
export function pendingMeeting(id: string, probe: SlotProbe, options: HoldOptions = {}): Meeting {
  const createdAt = options.createdAt ?? T0;
  const n = probe.agentId.replace(/^a/, '');
  return {
    id,
    status: 'pending',
    agentId: probe.agentId,
    agentName: `Agent ${n}`,
    agentEmail: `agent${n}@example.com`,
    start: probe.start,
    end: probe.end,
    bufferAfterMs: probe.bufferAfterMs,
    provider: 'local',
    visitor: { email: options.visitorEmail ?? `visitor-${id}@example.com` },
    routing: { rule: 'first-free', pool: 'default', skipped: [] },
    ...(options.key === undefined ? {} : { idempotencyKey: options.key }),
    manageTokenHash: `hash-${id}`,
    history: [{ status: 'pending', at: createdAt, by: 'visitor' }],
    createdAt,
    updatedAt: createdAt,
  };
}

/**
 * A hold whose decision replays the idempotency key's meeting, refuses a visitor at
 * `maxPerVisitor`, else takes the first candidate whose probe does not overlap, counting it in
 * the rotation.
 */
export function firstFree(id: string, options: HoldOptions = {}): HoldMeetingArgs<HoldResult> {
  const start = options.start ?? at('10:00');
  const createdAt = options.createdAt ?? T0;
  const probes = (options.agents ?? [1, 2, 3, 4, 5]).map((n): SlotProbe => ({
    agentId: `a${n}`,
    start,
    end: start + (options.minutes ?? 30) * MIN,
    bufferAfterMs: (options.bufferMinutes ?? 15) * MIN,
  }));
  const visitorEmail = options.visitorEmail ?? `visitor-${id}@example.com`;
  return {
    ...(options.key === undefined ? {} : { idempotencyKey: options.key }),
    visitorEmail,
    now: createdAt,
    probes,
    decide: (facts): HoldDecision<HoldResult> => {
      options.saw?.(facts);
      if (facts.replay !== undefined) {
        return { result: { outcome: 'replayed', meeting: facts.replay } };
      }
      if (
        options.maxPerVisitor !== undefined &&
        facts.upcomingForVisitor >= options.maxPerVisitor
      ) {
        return { result: { outcome: 'visitor-limit' } };
      }
      const probe = options.blind
        ? probes[0]
        : probes.find((p) => !facts.overlapping.has(p.agentId));
      if (probe === undefined) {
        return { result: { outcome: 'taken', overlapping: [...facts.overlapping].sort() } };
      }
      const meeting = pendingMeeting(id, probe, { ...options, visitorEmail });
      return {
        result: { outcome: 'held', meeting },
        meeting,
        rotation: counted(facts.rotation, probe.agentId),
      };
    },
  };
}
