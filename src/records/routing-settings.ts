import { z } from 'zod';
import type { MeetingStatus } from './meeting-contract.js';

/** The rotation's admin settings (`PUT /api/routing/settings`), kept in the store. */
export const routingSettingsSchema = z.object({
  /**
   * A cancelled meeting gives its turn back, by the rule of a hold given back: the agent's
   * count goes down by one and, if no other turn was taken in that rotation since, the pointer
   * goes back to where it was before the meeting, so the agent who lost the meeting is next
   * again. A turn taken since keeps the rotation where it is (round robin stays strict: no
   * credit jumps the queue later). Off by default: a cancellation keeps the turn taken.
   */
  cancellationReturnsTurn: z.boolean(),
});
export type RoutingSettings = z.infer<typeof routingSettingsSchema>;

export const DEFAULT_ROUTING_SETTINGS: RoutingSettings = Object.freeze({
  cancellationReturnsTurn: false,
});

/** Whether a meeting's change to `to` gives its turn back to the rotation. */
export function givesTurnBack(settings: RoutingSettings, to: MeetingStatus): boolean {
  return to === 'cancelled' && settings.cancellationReturnsTurn;
}
