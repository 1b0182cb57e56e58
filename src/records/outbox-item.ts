import { z } from 'zod';

export const outboxStatusSchema = z.enum(['pending', 'done', 'dead']);

export const outboxItemSchema = z.object({
  id: z.string(),
  /** The handler that delivers it, e.g. `ssfs-invocation`, `ssfs-callback`, `marketo-activity`. */
  kind: z.string(),
  /** Unique among live items: enqueueing the same key again returns the existing item. */
  dedupeKey: z.string(),
  payload: z.unknown(),
  status: outboxStatusSchema,
  attempts: z.number().int(),
  /** Epoch ms before which the item is not claimed (backoff, or a quota reset). */
  nextAttemptAt: z.number(),
  /** The claim in hand: a unique token per claim, fencing completes and failures. */
  lease: z.object({ token: z.string(), until: z.number() }).optional(),
  lastError: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  doneAt: z.number().optional(),
});
export type OutboxItem = z.infer<typeof outboxItemSchema>;

export interface NewOutboxItem {
  kind: string;
  dedupeKey: string;
  payload: unknown;
  /** Defaults to now. */
  nextAttemptAt?: number;
}
