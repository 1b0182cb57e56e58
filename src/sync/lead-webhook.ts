import type { Clock } from '../deps.js';
import { createKeyedQueue, type KeyedQueue } from '../keyed-queue.js';
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
 * fields are read and merged here. The read answers a Promise, so calls for the same lead run
 * one after the other in this process (a lead's calls queue behind each other; other leads'
 * calls are not held up): two calls never merge over the same stale read.
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
export function applyLeadWebhook(
  deps: LeadWebhookDeps,
  change: LeadWebhookChange,
): Promise<LeadWebhookResult> {
  let queue = queues.get(deps.store);
  if (!queue) queues.set(deps.store, (queue = createKeyedQueue()));
  return queue.run(change.id, () => mergeLeadChange(deps, change));
}

async function mergeLeadChange(
  deps: LeadWebhookDeps,
  change: LeadWebhookChange,
): Promise<LeadWebhookResult> {
  const { store, clock } = deps;
  const observedAt = clock.now();
  const stored = await store.getLead(change.id);
  const fields = { ...stored?.fields, ...change.fields };
  await store.applyLeadChanges(
    { upserts: [{ id: change.id, fields, observedAt, source: 'webhook' }] },
    { durability: 'journal' },
  );

  // The store ignores an upsert older than what it holds, and never brings back a lead
  // Marketo deleted: known from the read above, or (for a lead we did not have) by looking.
  const ignored =
    stored !== undefined
      ? stored.observedAt > observedAt
      : (await store.getLead(change.id)) === undefined;
  return {
    status: ignored ? 'ignored' : stored === undefined ? 'created' : 'updated',
    leadId: change.id,
  };
}

/** Each store's queue of calls per lead id (a test's stores never share queues). */
const queues = new WeakMap<LeadStore, KeyedQueue<number>>();
