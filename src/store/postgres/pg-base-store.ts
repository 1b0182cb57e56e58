import type pg from 'pg';
import { randomIds, type Ids } from '../../deps.js';
import { StoreError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { RotationState } from '../../records/rotation.js';
import type { RoutingSettings } from '../../records/routing-settings.js';
import { systemScheduler, type Scheduler } from '../../scheduler.js';
import type {
  Assignment,
  AssignmentDecision,
  AssignmentFacts,
  NewOutboxItem,
  OutboxItem,
  OutboxStore,
  OutboxSummary,
  RoutingStore,
  StoredLead,
  StoreInstance,
  SyncCommit,
  SyncState,
  UsageState,
  WriteOptions,
} from '../types.js';
import { PgLeadRecords, type LeadChanges } from './pg-lead-records.js';
import type { LeadChangesOutcome } from '../../records/lead.js';
import { PgOutboxRecords } from './pg-outbox-records.js';
import { PgRoutingRecords } from './pg-routing-records.js';
import { queryRows } from './pg-pool.js';
import { PgSingletonRecords } from './pg-singleton-records.js';

export interface PostgresStoreOptions {
  /** DATABASE_URL: postgres://user@host:5432/db */
  connectionString: string;
  /** Outbox item ids and lease tokens; random UUIDs unless a test injects predictable ones. */
  ids?: Ids;
  logger?: Logger;
  /** Apply pending migrations on open (default true; safe with replicas: migrate.ts locks). */
  migrate?: boolean;
  /** How often sizeBytes() is refreshed (default 5 minutes). */
  sizeRefreshMs?: number;
  scheduler?: Scheduler;
  /** Pool size per replica (default 10). */
  maxConnections?: number;
  /** A query unanswered this long fails with STORE_UNAVAILABLE (default 15 s; pg-pool.ts). */
  queryTimeoutMs?: number;
}

const DEFAULT_SIZE_REFRESH_MS = 5 * 60_000;

/**
 * The PostgreSQL store's pool and lifecycle, leads and sync state, usage, instance, routing
 * turns and outbox; PostgresStore (postgres-store.ts) adds chat, conversations, agents,
 * meetings and notifications. Every write the lowdb store makes "in one durable write" is one
 * transaction here, durable at COMMIT (so `durability` options change nothing).
 */
export abstract class PgBaseStore {
  readonly pool: pg.Pool;
  protected readonly leads: PgLeadRecords;
  protected readonly singletons: PgSingletonRecords;
  protected readonly outbox: PgOutboxRecords;
  protected readonly routing: RoutingStore;
  private readonly logger: Logger | undefined;
  private size = 0;
  private closed = false;
  private sizeTimer: { cancel(): void } | undefined;

  constructor(pool: pg.Pool, options: Omit<PostgresStoreOptions, 'connectionString'> = {}) {
    this.pool = pool;
    this.logger = options.logger;
    this.leads = new PgLeadRecords(pool);
    this.singletons = new PgSingletonRecords(pool);
    this.outbox = new PgOutboxRecords(pool, options.ids ?? randomIds);
    this.routing = new PgRoutingRecords(pool);
    this.scheduleSizeRefresh(
      options.scheduler ?? systemScheduler,
      options.sizeRefreshMs ?? DEFAULT_SIZE_REFRESH_MS,
    );
  }

  /* Lifecycle */

  /** Every acknowledged write was committed: nothing to flush. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sizeTimer?.cancel();
    await this.pool.end();
  }

  /** One round trip to the database: it answers, and the pool has a connection to give. */
  async ping(): Promise<void> {
    this.open();
    await queryRows(this.pool, 'a ping', 'SELECT 1');
  }

  /** pg_database_size, read on open and every few minutes (a cached figure, as the interface asks). */
  sizeBytes(): number {
    return this.size;
  }

  async refreshSize(): Promise<void> {
    const rows = await queryRows<{ size: number }>(
      this.pool,
      'the database size',
      'SELECT pg_database_size(current_database())::float8 AS size',
    );
    this.size = rows[0]?.size ?? 0;
  }

  private scheduleSizeRefresh(scheduler: Scheduler, everyMs: number): void {
    this.sizeTimer = scheduler.setTimeout(() => {
      if (this.closed) return;
      this.refreshSize()
        .catch((error: unknown) => this.logger?.warn({ err: error }, 'database size not read'))
        .finally(() => {
          if (!this.closed) this.scheduleSizeRefresh(scheduler, everyMs);
        });
    }, everyMs);
  }

  /** A closed store refuses writes as the lowdb store does (STORE_CLOSED), not as unreachable. */
  protected open(): void {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'The PostgreSQL store is closed.');
  }

  /* Leads and sync */

  getLead(id: number): Promise<StoredLead | undefined> {
    return this.leads.getLead(id);
  }
  findLeadsByEmail(email: string): Promise<StoredLead[]> {
    return this.leads.findLeadsByEmail(email);
  }
  countLeads(): Promise<number> {
    return this.leads.countLeads();
  }
  leadIdsObservedBefore(ms: number): Promise<number[]> {
    return this.leads.leadIdsObservedBefore(ms);
  }
  async applyLeadChanges(
    changes: LeadChanges,
    options?: WriteOptions,
  ): Promise<LeadChangesOutcome> {
    this.open();
    return this.leads.applyLeadChanges(changes, options);
  }
  loadSyncState(): Promise<SyncState> {
    return this.singletons.loadSyncState();
  }
  async commitSync(batch: LeadChanges & { state: SyncState }): Promise<SyncCommit> {
    this.open();
    return this.singletons.commitSync(batch);
  }
  loadUsage(): Promise<UsageState | undefined> {
    return this.singletons.loadUsage();
  }
  async saveUsage(usage: UsageState): Promise<void> {
    this.open();
    return this.singletons.saveUsage(usage);
  }
  loadInstance(): Promise<StoreInstance | undefined> {
    return this.singletons.loadInstance();
  }
  async saveInstance(instance: StoreInstance): Promise<void> {
    this.open();
    return this.singletons.saveInstance(instance);
  }

  /* Routing (PgRoutingRecords) */

  async takeAssignmentTurn<T>(args: {
    key: string;
    keepSince: number;
    decide: (facts: AssignmentFacts) => AssignmentDecision<T>;
  }): Promise<T> {
    this.open();
    return this.routing.takeAssignmentTurn(args);
  }
  routingState(): ReturnType<RoutingStore['routingState']> {
    return this.routing.routingState();
  }
  rotationState(): Promise<RotationState> {
    return this.routing.rotationState();
  }
  routingSettings(): Promise<RoutingSettings> {
    return this.routing.routingSettings();
  }
  async saveRoutingSettings(settings: RoutingSettings): Promise<RoutingSettings> {
    this.open();
    return this.routing.saveRoutingSettings(settings);
  }
  getAssignment(key: string): Promise<Assignment | undefined> {
    return this.routing.getAssignment(key);
  }

  /* Outbox */

  async enqueueOutbox(
    items: NewOutboxItem[],
    now: number,
  ): Promise<Array<{ item: OutboxItem; created: boolean }>> {
    this.open();
    return this.outbox.enqueueOutbox(items, now);
  }
  async claimOutbox(args: Parameters<OutboxStore['claimOutbox']>[0]): Promise<OutboxItem[]> {
    this.open();
    return this.outbox.claimOutbox(args);
  }
  async completeOutbox(args: Parameters<OutboxStore['completeOutbox']>[0]): Promise<boolean> {
    this.open();
    return this.outbox.completeOutbox(args);
  }
  async failOutbox(args: Parameters<OutboxStore['failOutbox']>[0]): Promise<boolean> {
    this.open();
    return this.outbox.failOutbox(args);
  }
  async releaseOutbox(args: Parameters<OutboxStore['releaseOutbox']>[0]): Promise<boolean> {
    this.open();
    return this.outbox.releaseOutbox(args);
  }
  async replayOutbox(id: string, now: number): Promise<boolean> {
    this.open();
    return this.outbox.replayOutbox(id, now);
  }
  getOutboxItem(id: string): Promise<OutboxItem | undefined> {
    return this.outbox.getOutboxItem(id);
  }
  findOutboxItem(dedupeKey: string): Promise<OutboxItem | undefined> {
    return this.outbox.findOutboxItem(dedupeKey);
  }
  listOutbox(filter?: Parameters<OutboxStore['listOutbox']>[0]): Promise<OutboxItem[]> {
    return this.outbox.listOutbox(filter);
  }
  outboxSummary(): Promise<OutboxSummary> {
    return this.outbox.outboxSummary();
  }
  async pruneOutbox(before: number): Promise<number> {
    this.open();
    return this.outbox.pruneOutbox(before);
  }
}
