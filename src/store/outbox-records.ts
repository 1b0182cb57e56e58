import { z } from 'zod';
import type { Ids } from '../deps.js';
import { StoreError } from '../errors.js';
import type { Changed } from './document-db.js';
import { deepFreeze } from './document-snapshot.js';
import { refuseInvalid } from './record-validation.js';
import {
  claimOutboxSchema,
  completeOutboxSchema,
  enqueueOutboxSchema,
  failOutboxSchema,
  listOutboxSchema,
  releaseOutboxSchema,
  replayOutboxSchema,
  withJsonPayload,
  type ValidNewOutboxItem,
} from './store-arguments.js';
import type { StoreDocument } from './store-document.js';
import {
  type NewOutboxItem,
  type OutboxItem,
  type OutboxStore,
  type OutboxSummary,
} from './types.js';

type ClaimArgs = Parameters<OutboxStore['claimOutbox']>[0];
type CompleteArgs = Parameters<OutboxStore['completeOutbox']>[0];
type FailArgs = Parameters<OutboxStore['failOutbox']>[0];
type ReleaseArgs = Parameters<OutboxStore['releaseOutbox']>[0];
type ListFilter = NonNullable<Parameters<OutboxStore['listOutbox']>[0]>;
type Enqueued = { item: OutboxItem; created: boolean };

/** Longer error texts are cut: an HTML error page per retry would bloat the document. */
export const MAX_OUTBOX_ERROR_CHARS = 2_000;

/**
 * The outbox collection (`doc.outbox`, frozen items by id) and an index of dedupe keys built
 * when the store opens. Every write method is a mutator for `DocumentDb.updateIfChanged`: it
 * validates everything first, then changes the document in one synchronous call, so a claim
 * cannot interleave with another claim or with a completion (research D4).
 *
 * Items are handed out as the frozen objects the document holds (no copy of the payload per
 * claim); a change is always a new frozen item put in the old one's place, never an edit.
 * Order: oldest first means by `createdAt`, then by enqueue order, which the Map keeps (an
 * item keeps its place when it is replaced). Ids are random, so ordering ties by id would
 * shuffle the follow-ups of one completion.
 */
export class OutboxRecords {
  private readonly doc: StoreDocument;
  private readonly ids: Ids;
  /** dedupeKey → id of every item until it is pruned, whatever its status. */
  private readonly idByDedupeKey = new Map<string, string>();

  constructor(doc: StoreDocument, ids: Ids) {
    this.doc = doc;
    this.ids = ids;
    for (const item of doc.outbox.values()) this.idByDedupeKey.set(item.dedupeKey, item.id);
  }

  get(id: string): OutboxItem | undefined {
    return this.doc.outbox.get(id);
  }

  find(dedupeKey: string): OutboxItem | undefined {
    const id = this.idByDedupeKey.get(dedupeKey);
    return id === undefined ? undefined : this.doc.outbox.get(id);
  }

  /** Newest first: by `createdAt` descending, the later enqueued first among equals. */
  list(input: ListFilter = {}): OutboxItem[] {
    const filter = refuseInvalid(listOutboxSchema, input, 'outbox filter');
    const items = oldestFirst(
      [...this.doc.outbox.values()].filter(
        (item) =>
          (filter.status === undefined || item.status === filter.status) &&
          (filter.kind === undefined || item.kind === filter.kind) &&
          (filter.dedupeKeyPrefix === undefined ||
            item.dedupeKey.startsWith(filter.dedupeKeyPrefix)),
      ),
    ).reverse();
    return filter.limit === undefined ? items : items.slice(0, filter.limit);
  }

  summary(): OutboxSummary {
    const byKind = new Map<string, { kind: string; pending: number; dead: number }>();
    let oldestPending: OutboxItem | undefined;
    for (const item of this.doc.outbox.values()) {
      if (item.status !== 'pending' && item.status !== 'dead') continue;
      const counts = byKind.get(item.kind) ?? { kind: item.kind, pending: 0, dead: 0 };
      counts[item.status] += 1;
      byKind.set(item.kind, counts);
      // The Map keeps enqueue order, so the first of the earliest createdAt is the oldest.
      if (item.status === 'pending' && (!oldestPending || item.createdAt < oldestPending.createdAt))
        oldestPending = item;
    }
    const kinds = [...byKind.values()].sort((a, b) => a.kind.localeCompare(b.kind));
    return {
      pending: kinds.reduce((n, k) => n + k.pending, 0),
      dead: kinds.reduce((n, k) => n + k.dead, 0),
      byKind: kinds,
      oldestPending,
    };
  }

  enqueue(items: NewOutboxItem[], now: number): Changed<Enqueued[]> {
    const args = refuseInvalid(enqueueOutboxSchema, { items, now }, 'outbox items');
    const fresh = args.items.map((item, position) => withJsonPayload(item, position, 'item'));
    const result = fresh.map((item) => this.insert(item, args.now));
    return { result, changed: result.some((entry) => entry.created) };
  }

  /**
   * Leases due items: pending, `nextAttemptAt <= now`, no lease or an expired one, of one of
   * `kinds` when given (so `kinds: []` claims nothing). Nothing due means no write at all.
   */
  claim(input: ClaimArgs): Changed<OutboxItem[]> {
    const args = refuseInvalid(claimOutboxSchema, input, 'outbox claim');
    const kinds = args.kinds === undefined ? undefined : new Set(args.kinds);
    const due = [...this.doc.outbox.values()].filter(
      (item) =>
        item.status === 'pending' &&
        item.nextAttemptAt <= args.now &&
        (item.lease === undefined || item.lease.until <= args.now) &&
        (kinds === undefined || kinds.has(item.kind)),
    );
    const claimed = oldestFirst(due)
      .slice(0, args.limit)
      .map((item) =>
        this.replace({
          ...item,
          lease: { token: this.ids.next(), until: args.now + args.leaseMs },
          attempts: item.attempts + 1,
          updatedAt: args.now,
        }),
      );
    return { result: claimed, changed: claimed.length > 0 };
  }

  /**
   * Done, with the follow-ups enqueued in the same mutation (so in the same write). Fenced:
   * only the holder of the current lease may complete. A late outcome whose lease expired but
   * was not taken over is still accepted: the work was done, and refusing it would only
   * deliver the item a second time.
   */
  complete(input: CompleteArgs): Changed<boolean> {
    const args = refuseInvalid(completeOutboxSchema, input, 'outbox completion');
    const followUps = (args.followUps ?? []).map((item, i) =>
      withJsonPayload(item, i, 'follow-up'),
    );
    const item = this.leased(args.id, args.leaseToken);
    if (item === undefined) return { result: false, changed: false };
    this.replace({ ...withoutLease(item), status: 'done', doneAt: args.now, updatedAt: args.now });
    for (const followUp of followUps) this.insert(followUp, args.now);
    return { result: true, changed: true };
  }

  /**
   * Back to pending at `retryAt` (default now), or to the dead letters, with the follow-ups
   * enqueued in the same mutation; fenced as `complete`.
   */
  fail(input: FailArgs): Changed<boolean> {
    const args = refuseInvalid(failOutboxSchema, input, 'outbox failure');
    const followUps = (args.followUps ?? []).map((item, i) =>
      withJsonPayload(item, i, 'follow-up'),
    );
    const item = this.leased(args.id, args.leaseToken);
    if (item === undefined) return { result: false, changed: false };
    const lastError = args.error.slice(0, MAX_OUTBOX_ERROR_CHARS);
    const next = args.dead
      ? { status: 'dead' as const }
      : { nextAttemptAt: args.retryAt ?? args.now };
    this.replace({ ...withoutLease(item), ...next, lastError, updatedAt: args.now });
    for (const followUp of followUps) this.insert(followUp, args.now);
    return { result: true, changed: true };
  }

  /** Back to pending at `retryAt`, untried: the claim's attempt taken back, `lastError` kept. */
  release(input: ReleaseArgs): Changed<boolean> {
    const args = refuseInvalid(releaseOutboxSchema, input, 'outbox release');
    const item = this.leased(args.id, args.leaseToken);
    if (item === undefined) return { result: false, changed: false };
    this.replace({
      ...withoutLease(item),
      attempts: Math.max(0, item.attempts - 1),
      nextAttemptAt: args.retryAt,
      updatedAt: args.now,
    });
    return { result: true, changed: true };
  }

  /**
   * A dead item back to pending, due now, with its attempts reset to 0: an operator replays
   * after fixing the cause, and the item deserves the relay's whole retry budget again, not
   * one try before the attempt cap sends it back. `lastError` stays, as history.
   */
  replay(id: string, now: number): Changed<boolean> {
    const args = refuseInvalid(replayOutboxSchema, { id, now }, 'outbox replay');
    const item = this.doc.outbox.get(args.id);
    if (item?.status !== 'dead') return { result: false, changed: false };
    this.replace({
      ...withoutLease(item),
      status: 'pending',
      attempts: 0,
      nextAttemptAt: args.now,
      updatedAt: args.now,
    });
    return { result: true, changed: true };
  }

  /** Deletes done items with `doneAt < before`; their dedupe keys become free again. */
  prune(before: number): Changed<number> {
    const cutoff = refuseInvalid(z.number(), before, 'outbox prune time');
    let count = 0;
    for (const item of this.doc.outbox.values()) {
      if (item.status !== 'done' || item.doneAt === undefined || item.doneAt >= cutoff) continue;
      this.doc.outbox.delete(item.id);
      this.idByDedupeKey.delete(item.dedupeKey);
      count++;
    }
    return { result: count, changed: count > 0 };
  }

  /** The item if `leaseToken` is its current lease: the fence against a stale worker. */
  private leased(id: string, leaseToken: string): OutboxItem | undefined {
    const item = this.doc.outbox.get(id);
    if (item?.status !== 'pending' || item.lease?.token !== leaseToken) return undefined;
    return item;
  }

  private insert(item: ValidNewOutboxItem, now: number): Enqueued {
    const existing = this.find(item.dedupeKey);
    if (existing !== undefined) return { item: existing, created: false };
    const id = this.ids.next();
    if (this.doc.outbox.has(id)) {
      // Only an injected id source can repeat itself; replacing the item would lose it.
      throw new StoreError('STORE_ID_COLLISION', `Outbox id ${id} is already taken`);
    }
    const stored = this.replace({
      id,
      kind: item.kind,
      dedupeKey: item.dedupeKey,
      payload: item.payload,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: item.nextAttemptAt ?? now,
      createdAt: now,
      updatedAt: now,
    });
    this.idByDedupeKey.set(stored.dedupeKey, stored.id);
    return { item: stored, created: true };
  }

  /** Puts a frozen item in place (an existing id keeps its position in the Map). */
  private replace(item: OutboxItem): OutboxItem {
    const frozen = deepFreeze(item);
    this.doc.outbox.set(frozen.id, frozen);
    return frozen;
  }
}

function withoutLease(item: OutboxItem): Omit<OutboxItem, 'lease'> {
  const { lease: _lease, ...rest } = item;
  return rest;
}

/** By createdAt; the sort is stable, so equal times keep enqueue (Map) order. */
function oldestFirst(items: OutboxItem[]): OutboxItem[] {
  return items.sort((a, b) => a.createdAt - b.createdAt);
}
