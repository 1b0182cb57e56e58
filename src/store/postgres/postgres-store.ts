import type pg from 'pg';
import type { ChatConfiguration } from '../../records/chat-configuration.js';
import type { Dialogue, DialogueContent } from '../../records/chat-dialogue.js';
import type { DialogueStats } from '../../records/chat-event.js';
import type { Agent, Meeting, RoutingRule } from '../../records/meeting-contract.js';
import type { OAuthState } from '../../records/oauth-state.js';
import type { AccountRoute } from '../../records/account-routing.js';
import type { RotationState } from '../../records/rotation.js';
import type { RecordChatEventArgs } from '../chat-records.js';
import type {
  HoldMeetingArgs,
  MeetingChange,
  MeetingCountQuery,
  MeetingFilter,
  MeetingTime,
  MeetingStores,
  MeetingUpdateOptions,
} from '../meeting-store-types.js';
import type { Store } from '../types.js';
import { migrateDatabase } from './migrate.js';
import { PgChatRecords } from './pg-chat-records.js';
import { PgConversationRecords } from './pg-conversation-records.js';
import type * as Log from '../../records/conversation-log.js';
import { PgMeetingRecords } from './pg-meeting-records.js';
import { PgNotificationRecords } from './pg-notification-records.js';
import type * as Mail from '../../records/notification.js';
import { createPgPool } from './pg-pool.js';

import { PgBaseStore, type PostgresStoreOptions } from './pg-base-store.js';

export type { PostgresStoreOptions } from './pg-base-store.js';

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
 * options change nothing); reads are plain queries. The records live in pg-*-records.ts;
 * the pool, leads, sync, routing turns and outbox in PgBaseStore.
 */
export class PostgresStore extends PgBaseStore implements Store {
  private readonly chat: PgChatRecords;
  private readonly conversations: PgConversationRecords;
  private readonly meetings: MeetingStores;
  private readonly notifications: PgNotificationRecords;

  constructor(pool: pg.Pool, options: Omit<PostgresStoreOptions, 'connectionString'> = {}) {
    super(pool, options);
    this.chat = new PgChatRecords(pool, this.outbox.enqueueIn);
    this.conversations = new PgConversationRecords(pool);
    this.meetings = new PgMeetingRecords(pool, this.outbox.enqueueIn);
    this.notifications = new PgNotificationRecords(pool);
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
  listAccountRoutes(): Promise<AccountRoute[]> {
    return this.meetings.listAccountRoutes();
  }
  async replaceAccountRoutes(routes: AccountRoute[]): Promise<void> {
    this.open();
    return this.meetings.replaceAccountRoutes(routes);
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
    options?: MeetingUpdateOptions,
  ): Promise<Meeting> {
    this.open();
    return this.meetings.updateMeeting(id, change, now, options);
  }
  countMeetings(queries: MeetingCountQuery[]): Promise<number[]> {
    return this.meetings.countMeetings(queries);
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
  meetingsReassigning(before: number, limit: number): Promise<Meeting[]> {
    return this.meetings.meetingsReassigning(before, limit);
  }

  /* Captured notifications (PgNotificationRecords) */

  async saveNotification(notification: Mail.CapturedNotification): Promise<boolean> {
    this.open();
    return this.notifications.saveNotification(notification);
  }
  listNotifications(filter: Mail.NotificationFilter): Promise<Mail.NotificationPage> {
    return this.notifications.listNotifications(filter);
  }
  async pruneNotifications(before: number): Promise<number> {
    this.open();
    return this.notifications.pruneNotifications(before);
  }
}
