import type { Meeting } from '../records/meeting-contract.js';
import type { SlotProbe } from '../store/meeting-store-types.js';
import type { AgentCap } from './agent-limits.js';
import {
  NO_POOL,
  pointerOf,
  takeTurn,
  turnMemo,
  type RotationState,
  type TurnMemo,
} from './rotation-state.js';
import { walkRotation } from './weighted-rotation.js';

/** An agent considered for a slot, in rotation order, with what the caller found about them. */
export interface HoldCandidate {
  id: string;
  name: string;
  email: string;
  bufferAfterMs: number;
  /** The agent's meeting length: the meeting ends `durationMs` after its start. */
  durationMs: number;
  /** The agent's calendar provider, recorded on the meeting. */
  provider: Meeting['provider'];
  /** Free per working hours and calendar; the pick adds the check against stored meetings. */
  eligible: boolean;
  /**
   * Why not eligible (`busy`, `disconnected`, `inactive`, `outside-hours`, `out-of-office`), for
   * the record.
   */
  reason?: string | undefined;
  /** The agent's rotation weight (0..100; absent is 1): `rotation` picks only. */
  weight?: number | undefined;
  /** The agent's caps at the slot (agent-limits.ts), counted by the store under its lock. */
  caps?: readonly AgentCap[] | undefined;
}

export interface HoldPickArgs {
  candidates: readonly HoldCandidate[];
  /**
   * `rotation`: the first eligible, free candidate after the pool's pointer, which then moves
   * to that agent (strict round robin). `ordered`: the first eligible, free candidate as given
   * (the lead's owner, an agent asked for); the pointer does not move.
   */
  mode: 'rotation' | 'ordered';
  /** The rotation's pointer key: `default` or `rule:<id>`; `none` for `ordered`. */
  pool: string;
}

export type SkippedAgent = { agentId: string; reason: string };

export type HoldPick =
  | {
      outcome: 'picked';
      candidate: HoldCandidate;
      /** Candidates passed over before the pick, and why. */
      skipped: SkippedAgent[];
      /** The picked agent's weight, when the rotation was weighted. */
      weight?: number;
      /** What the meeting records of its turn, so it can be given back (empty for ordered). */
      memo: TurnMemo;
      /** The rotation once the pick's turn is taken. */
      rotation: RotationState;
    }
  | { outcome: 'taken'; skipped: SkippedAgent[] };

/**
 * The slot each eligible candidate would hold from `start`: the store answers which overlap
 * an active meeting (HoldFacts.overlapping). Ineligible candidates are skipped unasked.
 */
export function holdProbes(candidates: readonly HoldCandidate[], start: number): SlotProbe[] {
  return candidates
    .filter((c) => c.eligible)
    .map((c) => ({
      agentId: c.id,
      start,
      end: start + c.durationMs,
      bufferAfterMs: c.bufferAfterMs,
    }));
}

/**
 * What the store found under its lock that the pick needs: the rotation, the candidates whose
 * probe overlaps a stored meeting, and those already at a cap of meetings then (`daily-cap`,
 * `weekly-cap`; meetings/hold-decision.ts counts them).
 */
export interface HoldPickFacts {
  rotation: RotationState;
  overlapping: ReadonlySet<string>;
  capped?: ReadonlyMap<string, string> | undefined;
}

/**
 * Who holds the slot: the candidates are walked from the pool's pointer (`rotation`, by weight:
 * routing/weighted-rotation.ts) or from the first (`ordered`); one not eligible is skipped with
 * its reason, one whose probe overlaps a stored meeting with `booked`, one at a cap with it.
 * The first left takes the pool's turn (for `ordered`, only its count moves); who was skipped
 * keeps their place. Pure: the store runs it on facts read under its lock.
 */
export function pickHold(facts: HoldPickFacts, args: HoldPickArgs): HoldPick {
  const { candidates } = args;
  const order = candidates.map((c) => c.id);
  const byId = new Map(candidates.map((c) => [c.id, c]));
  const unavailable = (id: string): string | undefined => {
    const candidate = byId.get(id)!;
    if (!candidate.eligible) return candidate.reason ?? 'unavailable';
    if (facts.overlapping.has(id)) return 'booked';
    return facts.capped?.get(id);
  };
  if (args.mode === 'ordered') {
    const skipped: SkippedAgent[] = [];
    for (const candidate of candidates) {
      const reason = unavailable(candidate.id);
      if (reason === undefined) {
        return {
          outcome: 'picked',
          candidate,
          skipped,
          memo: {},
          rotation: takeTurn(facts.rotation, NO_POOL, candidate.id, { order }),
        };
      }
      skipped.push({ agentId: candidate.id, reason });
    }
    return { outcome: 'taken', skipped };
  }
  const walk = walkRotation({
    members: candidates,
    pointer: pointerOf(facts.rotation, args.pool),
    seats: facts.rotation.seats?.[args.pool],
    unavailable,
  });
  if (walk.picked === undefined) return { outcome: 'taken', skipped: walk.passed };
  return {
    outcome: 'picked',
    candidate: byId.get(walk.picked)!,
    skipped: walk.passed,
    ...(walk.weight === undefined ? {} : { weight: walk.weight }),
    memo: turnMemo(facts.rotation, args.pool),
    rotation: takeTurn(facts.rotation, args.pool, walk.picked, {
      order,
      cycle: { seats: walk.seats },
    }),
  };
}
