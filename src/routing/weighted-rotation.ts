import { rotationStart, type RotationPointer } from './round-robin.js';

/**
 * Weighted round robin that is strict round robin when every weight is the same.
 *
 * A pool deals its turns in cycles of W seats, W the sum of its (gcd-reduced) weights: an agent
 * of weight w has w seats a cycle. Seat by seat, the agent who gets it is chosen by Balinski and
 * Young's quota method ("The quota method of apportionment", Amer. Math. Monthly 82, 1975): only
 * agents whose share would not pass their upper quota may have the seat, and of those the one
 * whose next seat is due soonest, (seats + 1) / weight (an earliest virtual deadline); equal
 * deadlines go by ring order after the agent of the last seat. From a fresh cycle, with everyone
 * free, every agent's count after t turns stays within one of t·w/W, at every t (the property
 * test in test/unit/weighted-rotation-property.test.ts holds the walk to that).
 *
 * An agent who cannot take a turn (busy, booked, out of office, at a cap) lets their seat go by
 * and keeps their place: the next seat is dealt, and they are dealt their next seat where their
 * weight puts it. That is strict round robin's rule (agent four busy after three took the last
 * meeting: five gets it, then one; four waits for the next cycle), which this walk is when all
 * weights are equal: every seat is then a tie, so it goes to the first agent after the last
 * seat who has had none this cycle. Such a pool keeps no seats at all (its pointer says it all),
 * so reordering or resizing it behaves exactly as before weights existed. Weight 0: no seats.
 */

export interface RotationMember {
  id: string;
  /** 0..100; absent is 1. */
  weight?: number | undefined;
}

export interface RotationWalkArgs {
  /** The pool's agents, in rotation order. */
  members: readonly RotationMember[];
  /** The pool's pointer: who took its last turn, and who followed them then. */
  pointer: RotationPointer;
  /** The pool's seats in the cycle under way, as stored (rotation.seats[pool]). */
  seats: Readonly<Record<string, number>> | undefined;
  /** Why the agent cannot take this turn (`busy`, `out-of-office`, …); undefined when free. */
  unavailable: (id: string) => string | undefined;
}

export interface PassedAgent {
  agentId: string;
  reason: string;
}

export interface RotationWalk {
  /** Who takes the turn; undefined when nobody of weight above 0 is free. */
  picked: string | undefined;
  /** Who the turn went past, each once, in the order passed (weight-0 agents first). */
  passed: PassedAgent[];
  /** The pool's seats after the turn: undefined when the pool keeps none (unweighted). */
  seats: Record<string, number> | undefined;
  /** The picked agent's weight, when the pool is weighted. */
  weight?: number;
}

const weightOf = (member: RotationMember): number => member.weight ?? 1;

/** Whether the pool's positive weights differ (only then does it keep seats). */
export function isWeightedPool(members: readonly RotationMember[]): boolean {
  const weights = new Set(members.map(weightOf).filter((w) => w > 0));
  return weights.size > 1;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Weights divided by their greatest common divisor: 2, 4, 6 deal like 1, 2, 3. */
function reducedWeights(members: readonly RotationMember[]): Map<string, number> {
  const positive = members.map(weightOf).filter((w) => w > 0);
  const divisor = positive.reduce(gcd, 0) || 1;
  return new Map(members.map((m) => [m.id, weightOf(m) / divisor]));
}

/**
 * The cycle under way, as far as it still fits the pool: seats of agents no longer in it are
 * dropped, no agent has more seats than their weight, and a cycle with no seat left starts anew.
 */
function openCycle(
  stored: Readonly<Record<string, number>> | undefined,
  ring: readonly string[],
  weights: ReadonlyMap<string, number>,
  total: number,
): Map<string, number> {
  const seats = new Map<string, number>();
  for (const id of ring) {
    const had = stored?.[id] ?? 0;
    if (had > 0) seats.set(id, Math.min(had, weights.get(id)!));
  }
  return sum(seats) >= total ? new Map() : seats;
}

function sum(seats: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const n of seats.values()) total += n;
  return total;
}

/**
 * The next seat: among agents below their upper quota for it (seats·W < (dealt + 1)·w), the
 * earliest deadline (seats + 1) / w, compared crosswise in integers; ties by ring order from
 * `from`. Someone is always below their quota, since the quotas add up to dealt + 1.
 */
function nextSeat(
  ring: readonly string[],
  weights: ReadonlyMap<string, number>,
  seats: ReadonlyMap<string, number>,
  total: number,
  from: number,
): string {
  const dealt = sum(seats);
  let best: string | undefined;
  for (let step = 0; step < ring.length; step += 1) {
    const id = ring[(from + step) % ring.length]!;
    const w = weights.get(id)!;
    const had = seats.get(id) ?? 0;
    if (had * total >= (dealt + 1) * w) continue;
    if (best === undefined) {
      best = id;
      continue;
    }
    const bw = weights.get(best)!;
    const bHad = seats.get(best) ?? 0;
    // Strictly earlier only: on a tie the one met first from `from` keeps it.
    if ((had + 1) * bw < (bHad + 1) * w) best = id;
  }
  return best!;
}

/**
 * One turn of the pool: seats are dealt from the cycle under way until one falls to a free
 * agent, who takes the turn; the agents whose seats went by are `passed`. Pure: the store runs
 * it on the rotation read under its lock, and the caller writes `seats` with the pointer.
 */
export function walkRotation(args: RotationWalkArgs): RotationWalk {
  const weights = reducedWeights(args.members);
  const ring = args.members.filter((m) => weights.get(m.id)! > 0).map((m) => m.id);
  const passed: PassedAgent[] = args.members
    .filter((m) => weights.get(m.id) === 0)
    .map((m) => ({ agentId: m.id, reason: 'weight-0' }));
  if (ring.length === 0) return { picked: undefined, passed, seats: undefined };
  const weighted = isWeightedPool(args.members);
  const reasons = new Map(ring.map((id) => [id, args.unavailable(id)]));
  let from = rotationStart(ring, args.pointer);
  if (ring.every((id) => reasons.get(id) !== undefined)) {
    // Nobody can: everyone is named, in ring order from the pointer, and nothing moves.
    for (let step = 0; step < ring.length; step += 1) {
      const id = ring[(from + step) % ring.length]!;
      passed.push({ agentId: id, reason: reasons.get(id)! });
    }
    return { picked: undefined, passed, seats: undefined };
  }
  let total = 0;
  for (const id of ring) total += weights.get(id)!;
  let seats = weighted ? openCycle(args.seats, ring, weights, total) : new Map<string, number>();
  const noted = new Set<string>();
  // A free agent has a seat within what is left of this cycle and the whole next one.
  for (let dealt = 0; dealt <= 2 * total; dealt += 1) {
    if (sum(seats) >= total) seats = new Map();
    const id = nextSeat(ring, weights, seats, total, from);
    seats.set(id, (seats.get(id) ?? 0) + 1);
    const reason = reasons.get(id);
    if (reason === undefined) {
      const member = args.members.find((m) => m.id === id)!;
      return {
        picked: id,
        passed,
        seats: weighted ? closeCycle(seats, total) : undefined,
        ...(weighted ? { weight: weightOf(member) } : {}),
      };
    }
    if (!noted.has(id)) {
      noted.add(id);
      passed.push({ agentId: id, reason });
    }
    from = (ring.indexOf(id) + 1) % ring.length;
  }
  throw new Error('weighted rotation: no seat fell to a free agent'); // unreachable (see above)
}

/** The seats to store: none once the cycle is complete (the next turn starts a new one). */
function closeCycle(seats: ReadonlyMap<string, number>, total: number): Record<string, number> {
  return sum(seats) >= total ? {} : Object.fromEntries(seats);
}
