import type { DocumentDb } from './document-db.js';
import type { ChatConfiguration } from '../records/chat-configuration.js';
import type { Dialogue, DialogueContent } from '../records/chat-dialogue.js';
import type { DialogueStats } from '../records/chat-event.js';
import type * as Log from '../records/conversation-log.js';
import { ChatRecords, type RecordChatEventArgs } from './chat-records.js';
import type { OAuthState } from '../records/oauth-state.js';
import type { AccountRoute } from '../records/account-routing.js';
import { AgentRecords } from './agent-records.js';
import { MeetingRecords } from './meeting-records.js';
import { NotificationRecords } from './notification-records.js';
import type * as Mail from '../records/notification.js';
import type {
  HoldMeetingArgs,
  MeetingChange,
  MeetingCountQuery,
  MeetingFilter,
  MeetingUpdateOptions,
  MeetingTime,
} from './meeting-store-types.js';
import type { Agent, Meeting, RoutingRule } from '../records/meeting-contract.js';
import type { RotationState } from '../records/rotation.js';
import { type Store } from './types.js';

import { LowdbBaseStore, type LowdbStoreOptions } from './lowdb-base-store.js';

export type { LowdbStoreOptions } from './lowdb-base-store.js';

/**
 * The lowdb implementation of `Store`, over a JSON file or lowdb's Memory adapter (the same
 * class, so one contract suite covers both). `db` is public so that later collections can be
 * built on the same document and the same group commit. Leads, sync, routing turns and the
 * outbox are in LowdbBaseStore.
 */
export class LowdbStore extends LowdbBaseStore implements Store {
  private readonly chat: ChatRecords;
  private readonly agents: AgentRecords;
  private readonly meetings: MeetingRecords;
  private readonly notifications: NotificationRecords;

  constructor(db: DocumentDb, options: LowdbStoreOptions = {}) {
    super(db, options);
    this.chat = new ChatRecords(db.data, this.outbox);
    this.agents = new AgentRecords(db.data);
    this.meetings = new MeetingRecords(db.data, this.outbox);
    this.notifications = new NotificationRecords(db.data);
  }

  /*
   * Chat (chat-records.ts). Reads return the frozen values the document holds: copy before
   * changing. A chat event, its counters, visitor links and outbox items are one mutation.
   */

  async getChatConfiguration(): Promise<ChatConfiguration | undefined> {
    return this.chat.configuration();
  }

  saveChatConfiguration(configuration: ChatConfiguration): Promise<void> {
    return this.db.updateIfChanged(() => this.chat.saveConfiguration(configuration));
  }

  async listDialogues(): Promise<Dialogue[]> {
    return this.chat.list();
  }

  async getDialogue(id: string): Promise<Dialogue | undefined> {
    return this.chat.get(id);
  }

  saveDialogue(dialogue: Dialogue): Promise<void> {
    return this.db.updateIfChanged(() => this.chat.save(dialogue));
  }

  deleteDialogue(id: string): Promise<boolean> {
    return this.db.updateIfChanged(() => this.chat.delete(id));
  }

  async chatRevision(): Promise<number> {
    return this.chat.revision();
  }

  recordChatEvent(args: RecordChatEventArgs): Promise<boolean> {
    return this.db.updateIfChanged(() => this.chat.recordEvent(args));
  }

  async dialogueStats(dialogueId: string): Promise<DialogueStats> {
    return this.chat.stats(dialogueId);
  }

  async findVisitorEmail(visitor: {
    anonymousId?: string;
    mktoTrk?: string;
  }): Promise<string | undefined> {
    return this.chat.findVisitorEmail(visitor);
  }

  /* The conversation log (conversation-records.ts), written with each chat event. */

  async getConversation(conversationId: string): Promise<Log.ConversationLog | undefined> {
    return this.chat.conversations.get(conversationId);
  }

  async listConversations(filter: Log.ConversationListFilter): Promise<Log.ConversationPage> {
    return this.chat.conversations.list(filter);
  }

  async getDialogueVersion(id: string, version: number): Promise<DialogueContent | undefined> {
    return this.chat.conversations.version(id, version);
  }

  async dialogueReport(args: Log.ReportRange & { timeZone: string }) {
    return this.chat.conversations.report(args);
  }

  async agentMeetingReport(args: Log.ReportRange): Promise<Log.AgentMeetingCounts[]> {
    return this.chat.conversations.agentMeetings(args);
  }

  pruneConversations(before: number): Promise<number> {
    return this.db.updateIfChanged(() => this.chat.conversations.prune(before));
  }

  /*
   * Agents, routing rules, OAuth states (agent-records.ts) and meetings (meeting-records.ts):
   * every read of facts, the caller's decision on them and its write (slot free? key new?
   * whose turn?) is one synchronous mutator: one event-loop turn is the lock.
   */

  async listAgents(): Promise<Agent[]> {
    return this.agents.listAgents();
  }

  async getAgent(id: string): Promise<Agent | undefined> {
    return this.agents.getAgent(id);
  }

  async findAgentByEmail(email: string): Promise<Agent | undefined> {
    return this.agents.findAgentByEmail(email);
  }

  saveAgent(agent: Agent): Promise<void> {
    return this.db.updateIfChanged(() => this.agents.saveAgent(agent));
  }

  updateAgent(id: string, change: (agent: Agent) => Agent): Promise<Agent> {
    return this.db.updateIfChanged(() => this.agents.updateAgent(id, change));
  }

  deleteAgent(id: string): Promise<boolean> {
    return this.db.updateIfChanged(() => this.agents.deleteAgent(id));
  }

  reorderAgents(ids: string[]): Promise<void> {
    return this.db.updateIfChanged(() => this.agents.reorderAgents(ids));
  }

  async listRoutingRules(): Promise<RoutingRule[]> {
    return this.agents.listRules();
  }

  async getRoutingRule(id: string): Promise<RoutingRule | undefined> {
    return this.agents.getRule(id);
  }

  saveRoutingRule(rule: RoutingRule): Promise<void> {
    return this.db.updateIfChanged(() => this.agents.saveRule(rule));
  }

  deleteRoutingRule(id: string): Promise<boolean> {
    return this.db.updateIfChanged(() => this.agents.deleteRule(id));
  }

  async listAccountRoutes(): Promise<AccountRoute[]> {
    return this.agents.listAccountRoutes();
  }

  replaceAccountRoutes(routes: AccountRoute[]): Promise<void> {
    return this.db.updateIfChanged(() => this.agents.replaceAccountRoutes(routes));
  }

  saveOAuthState(state: OAuthState): Promise<void> {
    return this.db.updateIfChanged(() => this.agents.saveOAuthState(state));
  }

  consumeOAuthState(state: string, now: number): Promise<OAuthState | undefined> {
    return this.db.updateIfChanged(() => this.agents.consumeOAuthState(state, now));
  }

  holdMeeting<T>(args: HoldMeetingArgs<T>): Promise<T> {
    return this.db.updateIfChanged(() => this.meetings.hold(args));
  }

  releaseMeeting(
    id: string,
    _now: number,
    giveBack: (rotation: RotationState, meeting: Meeting) => RotationState,
  ): Promise<boolean> {
    return this.db.updateIfChanged(() => this.meetings.release(id, giveBack));
  }

  updateMeeting(
    id: string,
    change: MeetingChange,
    now: number,
    options?: MeetingUpdateOptions,
  ): Promise<Meeting> {
    return this.db.updateIfChanged(() => this.meetings.update(id, change, now, options));
  }

  async countMeetings(queries: MeetingCountQuery[]): Promise<number[]> {
    return this.meetings.counts(queries);
  }

  async getMeeting(id: string): Promise<Meeting | undefined> {
    return this.meetings.getMeeting(id);
  }

  async findMeetingByManageTokenHash(hash: string): Promise<Meeting | undefined> {
    return this.meetings.findByTokenHash(hash);
  }

  async listMeetings(filter?: MeetingFilter): Promise<Meeting[]> {
    return this.meetings.list(filter);
  }

  async agentMeetings(agentId: string, from: number, to: number): Promise<Meeting[]> {
    return this.meetings.agentMeetings(agentId, from, to);
  }

  async agentMeetingTimes(agentId: string, from: number, to: number): Promise<MeetingTime[]> {
    return this.meetings.agentMeetingTimes(agentId, from, to);
  }

  async meetingsDue(
    statuses: Array<Meeting['status']>,
    before: number,
    limit: number,
  ): Promise<Meeting[]> {
    return this.meetings.due(statuses, before, limit);
  }

  async meetingsReassigning(before: number, limit: number): Promise<Meeting[]> {
    return this.meetings.reassigning(before, limit);
  }

  /* Captured notifications (notification-records.ts). */

  saveNotification(notification: Mail.CapturedNotification): Promise<boolean> {
    return this.db.updateIfChanged(() => this.notifications.save(notification));
  }

  async listNotifications(filter: Mail.NotificationFilter): Promise<Mail.NotificationPage> {
    return this.notifications.list(filter);
  }

  pruneNotifications(before: number): Promise<number> {
    return this.db.updateIfChanged(() => this.notifications.prune(before));
  }
}
