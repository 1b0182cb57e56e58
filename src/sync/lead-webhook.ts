import type { Clock } from '../deps.js';
import type { Logger } from '../logger.js';
import type { LeadStore } from '../store/types.js';

export interface LeadWebhookDeps {
  store: LeadStore;
  clock: Clock;
  logger: Logger;
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
 * Durability, a deliberate choice: we answer once the store has accepted the change (applied
 * in memory, write queued), not once it is on disk. The local copy is a cache of Marketo: the
 * scheduled sync is the source of truth and re-reads every changed lead, so a change lost in a
 * crash comes back at the next run. Waiting for the disk would put a whole-document write
 * (tens of ms at 10,000 leads) in every answer, with up to 20 calls in flight per Marketo
 * instance (the webhook concurrency cap). A refusal (invalid record, store closed) is raised
 * before the write is queued and still fails the call; a failed write is logged here (and by
 * the store) and retried with the store's next write.
 */
export async function applyLeadWebhook(
  deps: LeadWebhookDeps,
  change: LeadWebhookChange,
): Promise<LeadWebhookResult> {
  const { store, clock, logger } = deps;
  const observedAt = clock.now();
  const stored = store.getLead(change.id);
  const fields = { ...stored?.fields, ...change.fields };
  const write = store.applyLeadChanges({
    upserts: [{ id: change.id, fields, observedAt, source: 'webhook' }],
  });

  let answered = false;
  write.catch((err: unknown) => {
    if (answered) {
      logger.error(
        { err, leadId: change.id },
        'webhook lead change not durable; kept in memory, the next store write or sync brings it back',
      );
    }
  });
  // A store that refuses the change rejects before queuing the write: racing with an already
  // settled promise surfaces that refusal (listed first, it wins when already rejected)
  // without waiting for the disk.
  await Promise.race([write, Promise.resolve()]);
  answered = true;

  // The store ignores an upsert older than what it holds, and never brings back a lead
  // Marketo deleted: known from the read above, or (for a lead we did not have) by looking.
  const ignored =
    stored !== undefined ? stored.observedAt > observedAt : store.getLead(change.id) === undefined;
  return {
    status: ignored ? 'ignored' : stored === undefined ? 'created' : 'updated',
    leadId: change.id,
  };
}
