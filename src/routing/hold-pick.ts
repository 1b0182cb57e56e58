import type { Meeting } from '../records/meeting-contract.js';
import type { SlotProbe } from '../store/meeting-store-types.js';
import { rotationStart } from './round-robin.js';
import {
  NO_POOL,
  pointerOf,
  takeTurn,
  turnMemo,
  type RotationState,
  type TurnMemo,
} from './rotation-state.js';

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
  /** Why not eligible (`busy`, `disconnected`, `inactive`, `outside-hours`), for the record. */
  reason?: string | undefined;
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
 * Who holds the slot: the candidates are walked from the pool's pointer (`rotation`) or from
 * the first (`ordered`), wrapping round; one not eligible is skipped with its reason, one whose
 * probe overlaps a stored meeting with `booked`. The first left takes the pool's turn (for
 * `ordered`, only its count moves). Pure: the store runs it on facts read under its lock.
 */
export function pickHold(
  facts: { rotation: RotationState; overlapping: ReadonlySet<string> },
  args: HoldPickArgs,
): HoldPick {
  const { candidates } = args;
  const order = candidates.map((c) => c.id);
  const rotating = args.mode === 'rotation';
  const start = rotating ? rotationStart(order, pointerOf(facts.rotation, args.pool)) : 0;
  const skipped: SkippedAgent[] = [];
  for (let step = 0; step < candidates.length; step += 1) {
    const candidate = candidates[(start + step) % candidates.length]!;
    if (!candidate.eligible) {
      skipped.push({ agentId: candidate.id, reason: candidate.reason ?? 'unavailable' });
      continue;
    }
    if (facts.overlapping.has(candidate.id)) {
      skipped.push({ agentId: candidate.id, reason: 'booked' });
      continue;
    }
    return {
      outcome: 'picked',
      candidate,
      skipped,
      memo: rotating ? turnMemo(facts.rotation, args.pool) : {},
      rotation: takeTurn(facts.rotation, rotating ? args.pool : NO_POOL, candidate.id, { order }),
    };
  }
  return { outcome: 'taken', skipped };
}
