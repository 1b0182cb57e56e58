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
  /**
   * Lay `fields` over the stored ones inside the store's write: a field absent here keeps its
   * stored value. Without it (the sync) `fields` is the whole state: an absent field means
   * null, as Marketo omits null fields. A lead the store does not hold gets `fields` as given.
   * For a caller holding only some fields (the lead webhook): no read before the write, so
   * two writers, in one process or on two replicas, never merge over the same stale read.
   */
  merge?: boolean;
}

/**
 * What a lead change did, per upsert, so a caller need not read again: `created`, the ids of
 * upserts that stored a lead the store did not hold; `ignored`, the ids of upserts that changed
 * nothing (the lead was deleted, or the stored state was observed later). Every other upsert
 * updated its lead. In the order of the upserts; an id given twice may appear twice.
 */
export interface LeadChangesOutcome {
  created: number[];
  ignored: number[];
}
