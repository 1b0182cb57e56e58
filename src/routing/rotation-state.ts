/**
 * The rotations' shared state, as the store keeps it: the default rotation's pointer in
 * `lastAgentId` (its place since before rule pools existed), other pools' pointers in
 * `pointers`, a turn count per pool (so a turn given back can tell whether another was taken
 * since), and each agent's meetings or assignments to date. Pure functions over frozen values:
 * the stores call them inside their synchronous mutators, so a read and its write never
 * interleave with another caller's.
 */
export interface RotationState {
  lastAgentId?: string | undefined;
  pointers?: Record<string, string> | undefined;
  turns?: Record<string, number> | undefined;
  totals: Record<string, number>;
}

/** `none`: an assignment outside any rotation (the lead's owner, an agent asked for). */
export const NO_POOL = 'none';

/** The agent who took the pool's last turn. */
export function pointerOf(state: RotationState, pool: string): string | undefined {
  return pool === 'default' ? state.lastAgentId : state.pointers?.[pool];
}

export function turnsTaken(state: RotationState, pool: string): number {
  return state.turns?.[pool] ?? 0;
}

/** `agentId` takes the pool's turn (its pointer and turn count move) and one more to its total. */
export function takeTurn(state: RotationState, pool: string, agentId: string): RotationState {
  const counted = {
    ...state,
    totals: { ...state.totals, [agentId]: (state.totals[agentId] ?? 0) + 1 },
  };
  if (pool === NO_POOL) return counted;
  return withPointer(
    { ...counted, turns: { ...state.turns, [pool]: turnsTaken(state, pool) + 1 } },
    pool,
    agentId,
  );
}

/**
 * Undoes an agent's count, and the pool's turn `turn` if it is still the pool's last (a turn
 * taken since, even one that came round to the same agent, keeps the pointer where it is).
 */
export function giveBack(
  state: RotationState,
  args: {
    pool: string;
    agentId: string;
    turn?: number | undefined;
    previousPointer?: string | undefined;
  },
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
  return withPointer(
    { ...uncounted, turns: { ...state.turns, [args.pool]: args.turn - 1 } },
    args.pool,
    args.previousPointer,
  );
}

function withPointer(
  state: RotationState,
  pool: string,
  agentId: string | undefined,
): RotationState {
  if (pool === 'default') {
    const { lastAgentId: _previous, ...rest } = state;
    return agentId === undefined ? rest : { ...rest, lastAgentId: agentId };
  }
  const pointers = { ...state.pointers };
  if (agentId === undefined) delete pointers[pool];
  else pointers[pool] = agentId;
  return { ...state, pointers };
}
