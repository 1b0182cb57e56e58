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
 * we answer once the store has accepted it (validated and applied in memory), and a write
 * carrying it starts within the store's `deferredWriteMs` (1 s by default), shared with every
 * other change of that window, or sooner with any awaited write. So a crash loses at most the
 * webhook upserts of the last `deferredWriteMs` (more only while writes are failing, which the
 * store logs), and nothing else: every other caller still waits for the disk. That loss is
 * repaired by the next sync run: the local copy is a cache of Marketo, and the sync, the
 * source of truth, re-reads every lead changed since its cursor, which these changes are.
 * Waiting for the disk here would cost a whole-document write (tens of ms of CPU at 10,000
 * leads) per burst of calls, with up to 20 calls in flight per Marketo instance (the webhook
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
