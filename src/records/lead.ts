import { z } from 'zod';

/** A lead as kept locally: Marketo's id, the synced fields, and when we observed that state. */
export const storedLeadSchema = z.object({
  id: z.number().int().positive(),
  fields: z.record(z.string(), z.unknown()),
  /** Epoch ms at which this state was observed in Marketo (fetch time, or webhook receipt). */
  observedAt: z.number(),
  source: z.enum(['sync', 'webhook']),
});
export type StoredLead = z.infer<typeof storedLeadSchema>;

/** A lead change to apply: the state of the lead as observed at `observedAt`. */
export interface LeadUpsert {
  id: number;
  fields: Record<string, unknown>;
  observedAt: number;
  source: StoredLead['source'];
}
