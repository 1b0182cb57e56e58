import type { Clock } from '../deps.js';
import type { LeadStore } from '../store/types.js';

export interface LeadWebhookDeps {
  store: LeadStore;
  clock: Clock;
}

/** Some fields of one Marketo lead, as a trigger campaign's Call Webhook sent them. */
export interface LeadWebhookChange {
  id: number;
  fields: Record<string, unknown>;
}

export interface LeadWebhookResult {
  /**
   * `ignored`: the store kept what it had, because Marketo deleted this lead (ids are never
   * reused) or the stored state was observed later than this call.
   */
  status: 'created' | 'updated' | 'ignored';
  leadId: number;
}

/**
 * Applies a lead change pushed by Marketo to the local copy, at once: the lead is visible to
 * getLead/findLeadsByEmail before this resolves.
 *
 * Merge: a webhook carries only the fields its payload template names, while the store
 * replaces a lead's fields on upsert (an absent field means null for the sync). So the stored
 * fields are read and merged here, synchronously, with no await between the read and the
 * write: nothing can change the lead in between.
 *
 * Durability, a deliberate choice: the change is applied with `durability: 'deferred'`, so
 * we answer once the store has accepted it (validated and applied in memory), and the store
 * writes it within its `deferredWriteMs` (1 s by default), in one write shared with every
 * other change of that window. A crash in that window loses at most that window's webhook
 * upserts, and nothing else: the local copy is a cache of Marketo, and the scheduled sync,
 * the source of truth, re-reads every changed lead, so the next run restores them. Waiting for
 * the disk instead would cost a whole-document write (tens of ms at 10,000 leads, all CPU)
 * per burst of calls, with up to 20 calls in flight per Marketo instance (the webhook
 * concurrency cap). A refusal (invalid record, store closed) still fails the call; a failed
 * write is logged by the store and retried with its next write.
 */
export async function applyLeadWebhook(
  deps: LeadWebhookDeps,
  change: LeadWebhookChange,
): Promise<LeadWebhookResult> {
  const { store, clock } = deps;
  const observedAt = clock.now();
  const stored = store.getLead(change.id);
  const fields = { ...stored?.fields, ...change.fields };
  await store.applyLeadChanges(
    { upserts: [{ id: change.id, fields, observedAt, source: 'webhook' }] },
    { durability: 'deferred' },
  );

  // The store ignores an upsert older than what it holds, and never brings back a lead
  // Marketo deleted: known from the read above, or (for a lead we did not have) by looking.
  const ignored =
    stored !== undefined ? stored.observedAt > observedAt : store.getLead(change.id) === undefined;
  return {
    status: ignored ? 'ignored' : stored === undefined ? 'created' : 'updated',
    leadId: change.id,
  };
}
