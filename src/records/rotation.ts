import { z } from 'zod';

/**
 * The rotations' shared state, as the store keeps it: the default rotation's pointer in
 * `lastAgentId` (its place since before rule pools existed), other pools' pointers in
 * `pointers`, each pointer's followers (who came after the taker then, so the rotation goes on
 * when the taker leaves; routing/round-robin.ts), a turn count per pool (so a turn given back
 * can tell whether another was taken since), what was routed to each agent to date (`totals`),
 * and of that the Call Webhook and flow-step assignments (`assigned`). routing/ decides the
 * next value (pure functions over frozen values); the store reads it and writes it back under
 * the rotation's lock, and validates it with this schema on the way in.
 */
export const rotationStateSchema = z.object({
  /** The default rotation's pointer: the agent who took the last turn. */
  lastAgentId: z.string().optional(),
  /** Pointers of the other rotations (a rule's own pool, `rule:<id>`). */
  pointers: z.record(z.string(), z.string()).optional(),
  /** Per pool, who followed the pointer's agent then: the rotation outlives its last taker. */
  followers: z.record(z.string(), z.array(z.string())).optional(),
  /** Turns taken per pool, so a hold given back can tell whether another turn came since. */
  turns: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /**
   * Per weighted pool, the seats each agent had in the cycle under way (taken or passed over;
   * routing/weighted-rotation.ts). Absent for a pool whose weights are all equal: strict round
   * robin needs only its pointer.
   */
  seats: z.record(z.string(), z.record(z.string(), z.number().int().nonnegative())).optional(),
  /** Meetings held for and assignments made to each agent, less those given back. */
  totals: z.record(z.string(), z.number().int().nonnegative()),
  /** Call Webhook and flow-step assignments per agent (counted from when this was added). */
  assigned: z.record(z.string(), z.number().int().nonnegative()).optional(),
});

export interface RotationState {
  lastAgentId?: string | undefined;
  pointers?: Record<string, string> | undefined;
  followers?: Record<string, string[]> | undefined;
  turns?: Record<string, number> | undefined;
  seats?: Record<string, Record<string, number>> | undefined;
  totals: Record<string, number>;
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
  /** The pool's seats before this turn (weighted pools only). */
  previousSeats?: Record<string, number> | undefined;
}
