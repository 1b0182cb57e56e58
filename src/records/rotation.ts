/**
 * The rotations' shared state, as the store keeps it: the default rotation's pointer in
 * `lastAgentId` (its place since before rule pools existed), other pools' pointers in
 * `pointers`, each pointer's followers (who came after the taker then, so the rotation goes on
 * when the taker leaves; round-robin.ts), a turn count per pool (so a turn given back can tell
 * whether another was taken since), what was routed to each agent to date (`totals`), and of
 * that the Call Webhook and flow-step assignments (`assigned`). Pure functions over frozen
 * values: the stores call them inside their synchronous mutators, so a read and its write never
 * interleave with another caller's.
 */
export interface RotationState {
  lastAgentId?: string | undefined;
  pointers?: Record<string, string> | undefined;
  followers?: Record<string, string[]> | undefined;
  turns?: Record<string, number> | undefined;
  /** Meetings held for and assignments made to each agent, less those given back. */
  totals: Record<string, number>;
  /** Call Webhook and flow-step assignments per agent (counted from when this was added). */
  assigned?: Record<string, number> | undefined;
}

/** `none`: an assignment outside any rotation (the lead's owner, an agent asked for). */
export const NO_POOL = 'none';

/** What a meeting records of its turn, so the turn can be given back (giveBack). */
export interface TurnMemo {
  /** The pool's turn number this turn took (1, 2, …). */
  turn?: number | undefined;
  /** The pool's pointer before this turn. */
  previousPointer?: string | undefined;
  previousFollowers?: string[] | undefined;
}
