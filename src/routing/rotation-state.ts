import { followersOf, type RotationPointer } from './round-robin.js';
import type { Meeting } from '../records/meeting-contract.js';

import { NO_POOL, type RotationState, type TurnMemo } from '../records/rotation.js';

export { NO_POOL, type RotationState, type TurnMemo };

/** The pool's pointer: who took its last turn, and who followed them then. */
export function pointerOf(state: RotationState, pool: string): RotationPointer {
  return {
    agentId: pool === 'default' ? state.lastAgentId : state.pointers?.[pool],
    followers: state.followers?.[pool],
  };
}

export function turnsTaken(state: RotationState, pool: string): number {
  return state.turns?.[pool] ?? 0;
}

/** The memo of the turn about to be taken in `pool` (before takeTurn). */
export function turnMemo(state: RotationState, pool: string): TurnMemo {
  const { agentId, followers } = pointerOf(state, pool);
  const seats = state.seats?.[pool];
  return {
    turn: turnsTaken(state, pool) + 1,
    ...(agentId === undefined ? {} : { previousPointer: agentId }),
    ...(followers === undefined ? {} : { previousFollowers: [...followers] }),
    ...(seats === undefined ? {} : { previousSeats: { ...seats } }),
  };
}

/**
 * `agentId` takes the pool's turn (its pointer, with the pool's `order` after them, and the
 * turn count move) and one more to its total; an `assignment` counts in `assigned` too. With
 * `cycle`, the pool's seats become `cycle.seats` (routing/weighted-rotation.ts; undefined: the
 * pool keeps none).
 */
export function takeTurn(
  state: RotationState,
  pool: string,
  agentId: string,
  options: {
    order?: readonly string[];
    assignment?: boolean;
    cycle?: { seats: Record<string, number> | undefined };
  } = {},
): RotationState {
  const counted = {
    ...state,
    totals: addOne(state.totals, agentId),
    ...(options.assignment ? { assigned: addOne(state.assigned ?? {}, agentId) } : {}),
  };
  if (pool === NO_POOL) return counted;
  const turned = withPointer(
    { ...counted, turns: { ...state.turns, [pool]: turnsTaken(state, pool) + 1 } },
    pool,
    {
      agentId,
      ...(options.order === undefined ? {} : { followers: followersOf(options.order, agentId) }),
    },
  );
  return options.cycle === undefined ? turned : withSeats(turned, pool, options.cycle.seats);
}

/**
 * Undoes an agent's count, and the pool's turn `turn` if it is still the pool's last (a turn
 * taken since, even one that came round to the same agent, keeps the pointer where it is).
 */
export function giveBack(
  state: RotationState,
  args: TurnMemo & { pool: string; agentId: string },
): RotationState {
  const count = state.totals[args.agentId] ?? 0;
  const uncounted = {
    ...state,
    totals: { ...state.totals, [args.agentId]: Math.max(0, count - 1) },
  };
  if (
    args.pool === NO_POOL ||
    args.turn === undefined ||
    turnsTaken(state, args.pool) !== args.turn
  ) {
    return uncounted;
  }
  const back = withPointer(
    { ...uncounted, turns: { ...state.turns, [args.pool]: args.turn - 1 } },
    args.pool,
    { agentId: args.previousPointer, followers: args.previousFollowers },
  );
  return withSeats(back, args.pool, args.previousSeats);
}

/** The pool's seats set (or removed, when undefined); a state with no seats left has no `seats`. */
function withSeats(
  state: RotationState,
  pool: string,
  seats: Record<string, number> | undefined,
): RotationState {
  if (seats === undefined && state.seats?.[pool] === undefined) return state;
  const all = { ...state.seats };
  if (seats === undefined) delete all[pool];
  else all[pool] = { ...seats };
  const { seats: _old, ...rest } = state;
  return Object.keys(all).length === 0 ? rest : { ...rest, seats: all };
}

function addOne(counts: Record<string, number>, agentId: string): Record<string, number> {
  return { ...counts, [agentId]: (counts[agentId] ?? 0) + 1 };
}

function withPointer(state: RotationState, pool: string, pointer: RotationPointer): RotationState {
  const followers = { ...state.followers };
  if (pointer.followers === undefined) delete followers[pool];
  else followers[pool] = [...pointer.followers];
  const next = { ...state, followers };
  if (pool === 'default') {
    const { lastAgentId: _previous, ...rest } = next;
    return pointer.agentId === undefined ? rest : { ...rest, lastAgentId: pointer.agentId };
  }
  const pointers = { ...state.pointers };
  if (pointer.agentId === undefined) delete pointers[pool];
  else pointers[pool] = pointer.agentId;
  return { ...next, pointers };
}

/**
 * A meeting's turn given back (a hold released, a cancellation that returns its turn): the
 * function the store runs on the rotation under its lock (releaseMeeting, updateMeeting).
 */
export function giveBackMeeting(
  state: RotationState,
  meeting: Pick<Meeting, 'agentId' | 'routing'>,
): RotationState {
  return giveBack(state, { ...meeting.routing, agentId: meeting.agentId });
}
