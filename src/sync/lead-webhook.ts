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
 * Merge: a webhook carries only the fields its payload template names, while a plain upsert
 * replaces a lead's fields (for the sync, an absent field means null). So this is a merging
 * upsert: the store lays the fields over the stored ones inside its own write (on PostgreSQL,
 * one statement under the row's lock), with no read before it. Two calls for one lead, in this
 * process or on two replicas sharing a database, never merge over the same stale read, and
 * the store's answer says created / updated / ignored without a second read.
 *
 * Durability: this resolves only once the change is on disk, so an acknowledged call survives
 * a crash (SIGKILL, power loss). It is written with `durability: 'journal'`: one line appended
 * to the store's lead journal and synced, in one append shared by every call of the same group
 * commit, not a rewrite of the whole document (tens of ms of CPU at 10,000 leads) per burst of
 * calls, with up to 20 calls in flight per Marketo instance (the webhook concurrency cap). A
 * refusal (invalid record, store closed) or a write that fails (disk full, EIO) rejects, and
 * the caller must not acknowledge the call: the change stays applied in memory and goes out
 * with the next write, as with any database whose commit acknowledgement is lost.
 */
export async function applyLeadWebhook(
  deps: LeadWebhookDeps,
  change: LeadWebhookChange,
): Promise<LeadWebhookResult> {
  const { store, clock } = deps;
  const outcome = await store.applyLeadChanges(
    {
      upserts: [
        {
          id: change.id,
          fields: change.fields,
          observedAt: clock.now(),
          source: 'webhook',
          merge: true,
        },
      ],
    },
    { durability: 'journal' },
  );
  // The store ignores an upsert older than what it holds, and never brings back a lead
  // Marketo deleted.
  const status = outcome.ignored.includes(change.id)
    ? 'ignored'
    : outcome.created.includes(change.id)
      ? 'created'
      : 'updated';
  return { status, leadId: change.id };
}
