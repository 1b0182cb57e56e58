import { randomIds, type Ids } from '../deps.js';
import type { DocumentDb } from './document-db.js';
import { deepFreeze } from './document-snapshot.js';
import { LeadRecords, type LeadChanges } from './lead-records.js';
import { OutboxRecords } from './outbox-records.js';
import { refuseInvalid } from './record-validation.js';
import { RoutingRecords, type AssignmentTurnArgs } from './routing-records.js';
import type { RotationState } from '../records/rotation.js';
import type { RoutingSettings } from '../records/routing-settings.js';
import {
  syncStateSchema,
  storeInstanceSchema,
  usageStateSchema,
  type Assignment,
  type LeadChangesOutcome,
  type NewOutboxItem,
  type OutboxItem,
  type OutboxStore,
  type OutboxSummary,
  type StoredLead,
  type SyncCommit,
  type SyncState,
  type StoreInstance,
  type UsageState,
  type WriteOptions,
} from './types.js';

export interface LowdbStoreOptions {
  /** Outbox item ids and lease tokens; random UUIDs unless a test injects predictable ones. */
  ids?: Ids;
}

/**
 * The lowdb store's leads, sync state, usage, instance, routing turns and outbox, over a JSON
 * file or lowdb's Memory adapter; LowdbStore (lowdb-store.ts) adds chat, agents, meetings and
 * notifications on the same document and group commit.
 */
export abstract class LowdbBaseStore {
  readonly db: DocumentDb;
  protected readonly leads: LeadRecords;
  protected readonly routing: RoutingRecords;
  protected readonly outbox: OutboxRecords;

  constructor(db: DocumentDb, options: LowdbStoreOptions = {}) {
    this.db = db;
    this.leads = new LeadRecords(db.data);
    this.routing = new RoutingRecords(db.data);
    this.outbox = new OutboxRecords(db.data, options.ids ?? randomIds);
  }

  async getLead(id: number): Promise<StoredLead | undefined> {
    return this.leads.get(id);
  }

  async findLeadsByEmail(email: string): Promise<StoredLead[]> {
    return this.leads.findByEmail(email);
  }

  async countLeads(): Promise<number> {
    return this.leads.count();
  }

  async leadIdsObservedBefore(ms: number): Promise<number[]> {
    return this.leads.idsObservedBefore(ms);
  }

  /** A merge reads and writes the lead in one synchronous mutator: nothing runs in between. */
  applyLeadChanges(changes: LeadChanges, options?: WriteOptions): Promise<LeadChangesOutcome> {
    return this.db.updateJournaled(() => {
      const { upserts, deletes, outcome } = this.leads.apply(changes);
      return { result: outcome, entry: { upserts, deletes } };
    }, options);
  }

  async loadSyncState(): Promise<SyncState> {
    // A deep copy: the sync job edits its copy freely and commits it with the page.
    return structuredClone(this.db.data.sync);
  }

  /**
   * A sync page: its leads and the cursor that follows them, durable together. On the JSON file
   * they go to the lead journal as one line (the cursor as `sync`), so a page costs an append,
   * not a rewrite of the whole document (35 MB at 100,000 leads), and replay restores both.
   */
  commitSync(batch: LeadChanges & { state: SyncState }): Promise<SyncCommit> {
    return this.db.updateJournaled(
      (doc) => {
        // Parse before applying the leads so an invalid state leaves the document untouched;
        // zod returns a fresh object, so the caller's later edits do not leak into the store,
        // and freezing it keeps the document's rule: values are replaced, never changed.
        const state = deepFreeze(refuseInvalid(syncStateSchema, batch.state, 'sync state'));
        const { upserts, deletes, deleted, outcome } = this.leads.apply(batch);
        doc.sync = state;
        return {
          result: { deleted, ignored: outcome.ignored },
          entry: { upserts, deletes, sync: state },
        };
      },
      { durability: 'journal' },
    );
  }

  async loadUsage(): Promise<UsageState | undefined> {
    const { usage } = this.db.data;
    return usage === undefined ? undefined : { ...usage };
  }

  saveUsage(usage: UsageState): Promise<void> {
    return this.db.update((doc) => {
      doc.usage = deepFreeze(refuseInvalid(usageStateSchema, usage, 'usage'));
    });
  }

  async loadInstance(): Promise<StoreInstance | undefined> {
    const { instance } = this.db.data;
    return instance === undefined ? undefined : { ...instance };
  }

  saveInstance(instance: StoreInstance): Promise<void> {
    return this.db.update((doc) => {
      doc.instance = deepFreeze(refuseInvalid(storeInstanceSchema, instance, 'instance'));
    });
  }

  /* Routing: a turn's facts, the caller's decision and its write in one synchronous mutator. */

  takeAssignmentTurn<T>(args: AssignmentTurnArgs<T>): Promise<T> {
    return this.db.updateIfChanged(() => this.routing.takeTurn(args));
  }

  async routingState(): Promise<ReturnType<RoutingRecords['state']>> {
    return this.routing.state();
  }

  async rotationState(): Promise<RotationState> {
    return this.routing.rotation();
  }

  async routingSettings(): Promise<RoutingSettings> {
    return this.routing.settings();
  }

  saveRoutingSettings(settings: RoutingSettings): Promise<RoutingSettings> {
    return this.db.updateIfChanged(() => this.routing.saveSettings(settings));
  }

  async getAssignment(key: string): Promise<Assignment | undefined> {
    return this.routing.get(key);
  }

  /* Outbox: items are frozen; every change is one synchronous mutator (outbox-records.ts). */

  enqueueOutbox(
    items: NewOutboxItem[],
    now: number,
  ): Promise<Array<{ item: OutboxItem; created: boolean }>> {
    return this.db.updateIfChanged(() => this.outbox.enqueue(items, now));
  }

  claimOutbox(args: Parameters<OutboxStore['claimOutbox']>[0]): Promise<OutboxItem[]> {
    return this.db.updateIfChanged(() => this.outbox.claim(args));
  }

  completeOutbox(args: Parameters<OutboxStore['completeOutbox']>[0]): Promise<boolean> {
    return this.db.updateIfChanged(() => this.outbox.complete(args));
  }

  failOutbox(args: Parameters<OutboxStore['failOutbox']>[0]): Promise<boolean> {
    return this.db.updateIfChanged(() => this.outbox.fail(args));
  }

  releaseOutbox(args: Parameters<OutboxStore['releaseOutbox']>[0]): Promise<boolean> {
    return this.db.updateIfChanged(() => this.outbox.release(args));
  }

  replayOutbox(id: string, now: number): Promise<boolean> {
    return this.db.updateIfChanged(() => this.outbox.replay(id, now));
  }

  async getOutboxItem(id: string): Promise<OutboxItem | undefined> {
    return this.outbox.get(id);
  }

  async findOutboxItem(dedupeKey: string): Promise<OutboxItem | undefined> {
    return this.outbox.find(dedupeKey);
  }

  async listOutbox(filter?: Parameters<OutboxStore['listOutbox']>[0]): Promise<OutboxItem[]> {
    return this.outbox.list(filter);
  }

  async outboxSummary(): Promise<OutboxSummary> {
    return this.outbox.summary();
  }

  pruneOutbox(before: number): Promise<number> {
    return this.db.updateIfChanged(() => this.outbox.prune(before));
  }

  flush(): Promise<void> {
    return this.db.flush();
  }

  close(): Promise<void> {
    return this.db.close();
  }

  async ping(): Promise<void> {
    this.db.ping();
  }

  sizeBytes(): number {
    return this.db.sizeBytes();
  }
}
