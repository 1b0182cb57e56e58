import type pg from 'pg';
import { randomIds, type Ids } from '../../deps.js';
import { StoreError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type {
  ChatConfiguration,
  Dialogue,
  DialogueContent,
  DialogueStats,
} from '../../records/chat-contract.js';
import type { Agent, Meeting, RoutingRule } from '../../records/meeting-contract.js';
import type { OAuthState } from '../../records/oauth-state.js';
import type { RotationState } from '../../records/rotation.js';
import type { RoutingSettings } from '../../records/routing-settings.js';
import { systemScheduler, type Scheduler } from '../../scheduler.js';
import type { RecordChatEventArgs } from '../chat-records.js';
import type {
  HoldMeetingArgs,
  MeetingChange,
  MeetingFilter,
  MeetingTime,
  MeetingStores,
  SlotProbe,
} from '../meeting-store-types.js';
import type {
  Assignment,
  AssignmentDecision,
  AssignmentFacts,
  NewOutboxItem,
  OutboxItem,
  OutboxStore,
  RoutingStore,
  Store,
  StoredLead,
  StoreInstance,
  SyncState,
  UsageState,
  WriteOptions,
} from '../types.js';
import { migrateDatabase } from './migrate.js';
import { PgChatRecords } from './pg-chat-records.js';
import { PgConversationRecords } from './pg-conversation-records.js';
import type * as Log from '../../records/conversation-log.js';
import { PgLeadRecords, type LeadChanges } from './pg-lead-records.js';
import type { LeadChangesOutcome } from '../../records/lead.js';
import { PgOutboxRecords } from './pg-outbox-records.js';
import { PgRoutingRecords } from './pg-routing-records.js';
import { PgMeetingRecords } from './pg-meeting-records.js';
import { createPgPool, queryRows } from './pg-pool.js';
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
/** Half of the 30 s Marketo waits for a webhook: a 503 it can see, not a timeout. */
const DEFAULT_QUERY_TIMEOUT_MS = 15_000;

/**
 * Opens the PostgreSQL store: a pool, the migrations applied (unless `migrate: false`), and
 * the database's size read once. An unreachable database fails with STORE_UNAVAILABLE.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = createPgPool({
    connectionString: options.connectionString,
    logger: options.logger,
    max: options.maxConnections,
    queryTimeoutMs: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
  });
  try {
    if (options.migrate !== false) await migrateDatabase(options.connectionString, options.logger);
    const store = new PostgresStore(pool, options);
    await store.refreshSize();
    return store;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

/**
 * Store over PostgreSQL, for several replicas on one database. Every write the lowdb store
 * makes "in one durable write" is one transaction here, durable at COMMIT (so `durability`
 * options change nothing); reads are plain queries. The records live in pg-*-records.ts.
 */
export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  private readonly leads: PgLeadRecords;
  private readonly singletons: PgSingletonRecords;
  private readonly outbox: PgOutboxRecords;
  private readonly chat: PgChatRecords;
  private readonly conversations: PgConversationRecords;
  private readonly routing: RoutingStore;
  private readonly meetings: MeetingStores;
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
    this.chat = new PgChatRecords(pool, this.outbox.enqueueIn);
    this.conversations = new PgConversationRecords(pool);
    this.routing = new PgRoutingRecords(pool);
    this.meetings = new PgMeetingRecords(pool, this.outbox.enqueueIn);
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
  private open(): void {
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
  async commitSync(batch: LeadChanges & { state: SyncState }): Promise<{ deleted: number }> {
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
  async pruneOutbox(before: number): Promise<number> {
    this.open();
    return this.outbox.pruneOutbox(before);
  }

  /* Chat */

  getChatConfiguration(): Promise<ChatConfiguration | undefined> {
    return this.chat.getChatConfiguration();
  }
  async saveChatConfiguration(configuration: ChatConfiguration): Promise<void> {
    this.open();
    return this.chat.saveChatConfiguration(configuration);
  }
  listDialogues(): Promise<Dialogue[]> {
    return this.chat.listDialogues();
  }
  getDialogue(id: string): Promise<Dialogue | undefined> {
    return this.chat.getDialogue(id);
  }
  async saveDialogue(dialogue: Dialogue): Promise<void> {
    this.open();
    return this.chat.saveDialogue(dialogue);
  }
  async deleteDialogue(id: string): Promise<boolean> {
    this.open();
    return this.chat.deleteDialogue(id);
  }
  chatRevision(): Promise<number> {
    return this.chat.chatRevision();
  }
  async recordChatEvent(args: RecordChatEventArgs): Promise<boolean> {
    this.open();
    return this.chat.recordChatEvent(args);
  }
  dialogueStats(dialogueId: string): Promise<DialogueStats> {
    return this.chat.dialogueStats(dialogueId);
  }
  findVisitorEmail(visitor: { anonymousId?: string; mktoTrk?: string }) {
    return this.chat.findVisitorEmail(visitor);
  }

  /* The conversation log and dated reports (PgConversationRecords) */

  getConversation(conversationId: string): Promise<Log.ConversationLog | undefined> {
    return this.conversations.getConversation(conversationId);
  }
  listConversations(filter: Log.ConversationListFilter): Promise<Log.ConversationPage> {
    return this.conversations.listConversations(filter);
  }
  getDialogueVersion(id: string, version: number): Promise<DialogueContent | undefined> {
    return this.conversations.getDialogueVersion(id, version);
  }
  dialogueReport(args: Log.ReportRange & { timeZone: string }): Promise<Log.DialogueReportRows> {
    return this.conversations.dialogueReport(args);
  }
  agentMeetingReport(args: Log.ReportRange): Promise<Log.AgentMeetingCounts[]> {
    return this.conversations.agentMeetingReport(args);
  }
  async pruneConversations(before: number): Promise<number> {
    this.open();
    return this.conversations.pruneConversations(before);
  }

  /* Agents, routing rules, OAuth states and meetings (PgMeetingRecords) */

  listAgents(): Promise<Agent[]> {
    return this.meetings.listAgents();
  }
  getAgent(id: string): Promise<Agent | undefined> {
    return this.meetings.getAgent(id);
  }
  findAgentByEmail(email: string): Promise<Agent | undefined> {
    return this.meetings.findAgentByEmail(email);
  }
  async saveAgent(agent: Agent): Promise<void> {
    this.open();
    return this.meetings.saveAgent(agent);
  }
  async updateAgent(id: string, change: (agent: Agent) => Agent): Promise<Agent> {
    this.open();
    return this.meetings.updateAgent(id, change);
  }
  async deleteAgent(id: string): Promise<boolean> {
    this.open();
    return this.meetings.deleteAgent(id);
  }
  async reorderAgents(ids: string[]): Promise<void> {
    this.open();
    return this.meetings.reorderAgents(ids);
  }
  listRoutingRules(): Promise<RoutingRule[]> {
    return this.meetings.listRoutingRules();
  }
  getRoutingRule(id: string): Promise<RoutingRule | undefined> {
    return this.meetings.getRoutingRule(id);
  }
  async saveRoutingRule(rule: RoutingRule): Promise<void> {
    this.open();
    return this.meetings.saveRoutingRule(rule);
  }
  async deleteRoutingRule(id: string): Promise<boolean> {
    this.open();
    return this.meetings.deleteRoutingRule(id);
  }
  async saveOAuthState(state: OAuthState): Promise<void> {
    this.open();
    return this.meetings.saveOAuthState(state);
  }
  async consumeOAuthState(state: string, now: number): Promise<OAuthState | undefined> {
    this.open();
    return this.meetings.consumeOAuthState(state, now);
  }
  async holdMeeting<T>(args: HoldMeetingArgs<T>): Promise<T> {
    this.open();
    return this.meetings.holdMeeting(args);
  }
  async releaseMeeting(
    id: string,
    now: number,
    giveBack: (rotation: RotationState, meeting: Meeting) => RotationState,
  ): Promise<boolean> {
    this.open();
    return this.meetings.releaseMeeting(id, now, giveBack);
  }
  async updateMeeting(
    id: string,
    change: MeetingChange,
    now: number,
    options?: { probe?: SlotProbe; probes?: SlotProbe[] },
  ): Promise<Meeting> {
    this.open();
    return this.meetings.updateMeeting(id, change, now, options);
  }
  getMeeting(id: string): Promise<Meeting | undefined> {
    return this.meetings.getMeeting(id);
  }
  findMeetingByManageTokenHash(hash: string): Promise<Meeting | undefined> {
    return this.meetings.findMeetingByManageTokenHash(hash);
  }
  listMeetings(filter?: MeetingFilter): Promise<Meeting[]> {
    return this.meetings.listMeetings(filter);
  }
  agentMeetings(agentId: string, from: number, to: number): Promise<Meeting[]> {
    return this.meetings.agentMeetings(agentId, from, to);
  }
  agentMeetingTimes(agentId: string, from: number, to: number): Promise<MeetingTime[]> {
    return this.meetings.agentMeetingTimes(agentId, from, to);
  }
  meetingsDue(
    statuses: Array<Meeting['status']>,
    before: number,
    limit: number,
  ): Promise<Meeting[]> {
    return this.meetings.meetingsDue(statuses, before, limit);
  }
}
