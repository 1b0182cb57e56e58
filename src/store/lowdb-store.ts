import { randomIds, type Ids } from '../deps.js';
import type { DocumentDb } from './document-db.js';
import type {
  ChatConfiguration,
  Dialogue,
  DialogueContent,
  DialogueStats,
} from '../records/chat-contract.js';
import type * as Log from '../records/conversation-log.js';
import { ChatRecords, type RecordChatEventArgs } from './chat-records.js';
import { deepFreeze } from './document-snapshot.js';
import { LeadRecords, type LeadChanges } from './lead-records.js';
import type { OAuthState } from '../records/oauth-state.js';
import { AgentRecords } from './agent-records.js';
import { MeetingRecords } from './meeting-records.js';
import type {
  HoldMeetingArgs,
  MeetingChange,
  MeetingFilter,
  MeetingTime,
  SlotProbe,
} from './meeting-store-types.js';
import type { Agent, Meeting, RoutingRule } from '../records/meeting-contract.js';
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
  type Store,
  type StoredLead,
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
 * The lowdb implementation of `Store`, over a JSON file or lowdb's Memory adapter (the same
 * class, so one contract suite covers both). `db` is public so that later collections can be
 * built on the same document and the same group commit.
 */
export class LowdbStore implements Store {
  readonly db: DocumentDb;
  private readonly leads: LeadRecords;
  private readonly routing: RoutingRecords;
  private readonly outbox: OutboxRecords;
  private readonly chat: ChatRecords;
  private readonly agents: AgentRecords;
  private readonly meetings: MeetingRecords;

  constructor(db: DocumentDb, options: LowdbStoreOptions = {}) {
    this.db = db;
    this.leads = new LeadRecords(db.data);
    this.routing = new RoutingRecords(db.data);
    this.outbox = new OutboxRecords(db.data, options.ids ?? randomIds);
    this.chat = new ChatRecords(db.data, this.outbox);
    this.agents = new AgentRecords(db.data);
    this.meetings = new MeetingRecords(db.data, this.outbox);
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
  commitSync(batch: LeadChanges & { state: SyncState }): Promise<{ deleted: number }> {
    return this.db.updateJournaled(
      (doc) => {
        // Parse before applying the leads so an invalid state leaves the document untouched;
        // zod returns a fresh object, so the caller's later edits do not leak into the store,
        // and freezing it keeps the document's rule: values are replaced, never changed.
        const state = deepFreeze(refuseInvalid(syncStateSchema, batch.state, 'sync state'));
        const { upserts, deletes, deleted } = this.leads.apply(batch);
        doc.sync = state;
        return { result: { deleted }, entry: { upserts, deletes, sync: state } };
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

  pruneOutbox(before: number): Promise<number> {
    return this.db.updateIfChanged(() => this.outbox.prune(before));
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
    options?: { probe?: SlotProbe; probes?: SlotProbe[] },
  ): Promise<Meeting> {
    return this.db.updateIfChanged(() => this.meetings.update(id, change, now, options));
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

  flush(): Promise<void> {
    return this.db.flush();
  }

  close(): Promise<void> {
    return this.db.close();
  }

  sizeBytes(): number {
    return this.db.sizeBytes();
  }
}
