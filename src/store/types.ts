import type { ChatConfiguration } from '../records/chat-configuration.js';
import type { Dialogue } from '../records/chat-dialogue.js';
import type { ChatEvent, DialogueStats } from '../records/chat-event.js';
import type { Assignment } from '../records/assignment.js';
import type { LeadChangesOutcome, LeadUpsert, StoredLead } from '../records/lead.js';
import type { NewOutboxItem, OutboxItem } from '../records/outbox-item.js';
import type { RotationState } from '../records/rotation.js';
import type { RoutingSettings } from '../records/routing-settings.js';
import type { StoreInstance } from '../records/store-instance.js';
import type { SyncState } from '../records/sync-state.js';
import type { DailyUsageStore } from '../clients/marketo/daily-usage-port.js';
import type { MeetingStores } from './meeting-store-types.js';
import type { ConversationStore } from './conversation-store-types.js';
import type { NotificationStore } from './notification-store-types.js';

/**
 * The store's narrow interfaces, named for their purpose. Stores store; capabilities decide:
 * every read answers a Promise (a database answers later), and every change that depends on
 * what is stored takes the capability's decision as a synchronous function, which the store
 * runs on the facts it read under its lock (a PostgreSQL row lock, the lowdb store's single
 * event-loop turn) and whose outcome it writes in the same transaction. The JSON-file store
 * (lowdb), the in-memory store and the PostgreSQL store implement them;
 * test/integration/store-*-contract.test.ts run against every implementation.
 *
 * The shapes persisted live in src/records/, which imports neither the store nor a capability.
 */

export * from '../records/lead.js';
export * from '../records/sync-state.js';
export * from '../records/store-instance.js';
export * from '../records/assignment.js';
export * from '../records/outbox-item.js';

/**
 * Marketo API calls counted per Marketo day: the Marketo client owns the shape (its daily-usage
 * port); the store keeps it for one process.
 */
export {
  dailyUsageSchema as usageStateSchema,
  type DailyUsage as UsageState,
} from '../clients/marketo/daily-usage-port.js';

/**
 * How a write is made durable; its promise resolves once it is, either way. `durable` (the
 * default): the change is on disk (in the database).
 * `journal`: as durable, made so by appending the change to the store's journal
 * (one synced append per group commit) rather than rewriting the whole document; for small,
 * frequent lead changes (the lead webhook). Stores without a journal write it as `durable`.
 */
export interface WriteOptions {
  durability?: 'durable' | 'journal';
}

export interface LeadStore {
  getLead(id: number): Promise<StoredLead | undefined>;
  /** Case-insensitive; Marketo allows several leads per email, newest observation first. */
  findLeadsByEmail(email: string): Promise<StoredLead[]>;
  countLeads(): Promise<number>;
  /**
   * Ids of leads last observed before `ms` (epoch). After a full copy that began at `ms`, these
   * are the leads Marketo no longer has: the sync sweeps them.
   */
  leadIdsObservedBefore(ms: number): Promise<number[]>;
  /**
   * Upserts and deletes in one durable write (see WriteOptions for how it is made so). An
   * upsert older than the stored observation of the same lead is ignored, and a deleted lead
   * id never comes back (Marketo never reuses ids). An upsert with `merge` lays its fields over
   * the stored ones atomically, within the write (one statement on PostgreSQL), so concurrent
   * merges of one lead, from any number of replicas, each keep their fields. Answers what each
   * upsert did.
   */
  applyLeadChanges(
    changes: { upserts?: LeadUpsert[]; deletes?: number[] },
    options?: WriteOptions,
  ): Promise<LeadChangesOutcome>;
}

/** What a sync page's commit did (SyncStateStore.commitSync). */
export interface SyncCommit {
  deleted: number;
  ignored: number[];
}

export interface SyncStateStore {
  loadSyncState(): Promise<SyncState>;
  /**
   * Commits a sync page atomically: the leads it changed and the cursor that follows it, so a
   * crash never separates the two. `deleted`: leads the write removed from the copy (ids it
   * never held, or already removed, are not counted). `ignored`: ids of upserts not written
   * (older than the stored observation, or of a deleted lead), so the sync can read them again.
   */
  commitSync(batch: {
    upserts?: LeadUpsert[];
    deletes?: number[];
    state: SyncState;
  }): Promise<SyncCommit>;
}

export type UsageStore = DailyUsageStore;

export interface StoreInstanceStore {
  /** Undefined for a store written before instances were recorded. */
  loadInstance(): Promise<StoreInstance | undefined>;
  saveInstance(instance: StoreInstance): Promise<void>;
}

/** Everything the service persists. */
export interface Store
  extends
    LeadStore,
    SyncStateStore,
    UsageStore,
    StoreInstanceStore,
    RoutingStore,
    OutboxStore,
    ChatStore,
    ConversationStore,
    MeetingStores,
    NotificationStore {
  /** Resolves when every acknowledged write is durable. */
  flush(): Promise<void>;
  /** Flushes, releases the file lock, and refuses further writes. */
  close(): Promise<void>;
  /**
   * A cheap check for readiness (GET /ready): rejects when the store cannot serve, i.e. it is
   * closed, its last write failed (JSON file), or the database does not answer (PostgreSQL).
   */
  ping(): Promise<void>;
  /**
   * Size of the persisted data in bytes (0 for memory; the database's size for PostgreSQL),
   * for status and benchmarks. Synchronous: a cached figure, refreshed as the store writes.
   */
  sizeBytes(): number;
}

/* ------------------------------------------------------------------------------------------ */
/* Routing: agents' rotation and the assignments it made (round robin until the meetings work */
/* brings agents, rules and calendars).                                                        */
/* ------------------------------------------------------------------------------------------ */

/** What a round-robin assignment is decided on: read under the rotation's lock. */
export interface AssignmentFacts {
  rotation: RotationState;
  /** The key's last assignment, if the store still keeps it. */
  previous: Assignment | undefined;
}

/** What the decision wants written: both or neither, with the rotation, in one transaction. */
export interface AssignmentDecision<T> {
  result: T;
  assignment?: Assignment;
  rotation?: RotationState;
}

export interface RoutingStore {
  /**
   * One turn of the rotation for `key`: reads the rotation and the key's last assignment under
   * the rotation's lock (no other turn, hold or give-back runs meanwhile, in any process), runs
   * `decide` on them (routing/assign-agent.ts: a repeat, or the next agent), and writes the
   * assignment and rotation it returns in one durable transaction. An error `decide` throws
   * changes nothing and is rethrown. Assignments made before `keepSince` may be deleted on the
   * way (they are kept for repeats only).
   * Turns, holds, give-backs and meeting changes made through one store object apply in the
   * order they were called (a flow-step batch takes its turns in batch order).
   */
  takeAssignmentTurn<T>(args: {
    key: string;
    keepSince: number;
    decide: (facts: AssignmentFacts) => AssignmentDecision<T>;
  }): Promise<T>;
  /** The rotation pointer and the assignments per agent to date. */
  routingState(): Promise<{
    lastAgentId: string | undefined;
    pointers: Record<string, string>;
    totals: Record<string, number>;
  }>;
  /** The whole rotation state as stored (frozen): pointers with followers, turns, counts. */
  rotationState(): Promise<RotationState>;
  /** The rotation's admin settings (frozen). */
  routingSettings(): Promise<RoutingSettings>;
  /** Replaces the settings; durable before it resolves. */
  saveRoutingSettings(settings: RoutingSettings): Promise<RoutingSettings>;
  getAssignment(key: string): Promise<Assignment | undefined>;
}

/* ------------------------------------------------------------------------------------------ */
/* Outbox: the durable queue of every write to Marketo and every flow-step callback.          */
/* ------------------------------------------------------------------------------------------ */

export interface OutboxSummary {
  /** Waiting to be sent, leased or not. */
  pending: number;
  dead: number;
  /** Kinds with pending or dead items, by kind name. */
  byKind: Array<{ kind: string; pending: number; dead: number }>;
  /** The pending item that entered first (createdAt, then enqueue order). */
  oldestPending: OutboxItem | undefined;
}

export interface OutboxStore {
  /** Durable before it resolves. Items whose dedupeKey exists come back with `created: false`. */
  enqueueOutbox(
    items: NewOutboxItem[],
    now: number,
  ): Promise<Array<{ item: OutboxItem; created: boolean }>>;
  /**
   * Claims up to `limit` pending items due at `now` (oldest first) whose lease is absent or
   * expired, giving each a fresh lease token valid for `leaseMs`, and counting the attempt.
   */
  claimOutbox(args: {
    now: number;
    limit: number;
    leaseMs: number;
    kinds?: string[];
  }): Promise<OutboxItem[]>;
  /**
   * Marks a claimed item done and enqueues its follow-ups in the same write. Returns false (and
   * changes nothing) when the lease token is not the item's current one: a stale worker.
   */
  completeOutbox(args: {
    id: string;
    leaseToken: string;
    now: number;
    followUps?: NewOutboxItem[];
  }): Promise<boolean>;
  /**
   * Releases a claim for a retry at `retryAt`, or moves the item to dead letters (`dead`),
   * enqueueing `followUps` in the same write; fenced like completeOutbox.
   */
  failOutbox(args: {
    id: string;
    leaseToken: string;
    now: number;
    error: string;
    retryAt?: number;
    dead?: boolean;
    followUps?: NewOutboxItem[];
  }): Promise<boolean>;
  /**
   * Hands a claim back untried: pending again at `retryAt`, the attempt its claim counted taken
   * back and `lastError` left as it was, as if it had never been claimed; fenced like
   * completeOutbox. For a delivery that could not begin for a reason that is not the item's
   * (Marketo refuses our credentials): it must come no nearer the dead letters, and rules that
   * read the attempt (activity-verification.ts) must see the item as it was.
   */
  releaseOutbox(args: {
    id: string;
    leaseToken: string;
    now: number;
    retryAt: number;
  }): Promise<boolean>;
  /** Moves a dead item back to pending, due now. */
  replayOutbox(id: string, now: number): Promise<boolean>;
  getOutboxItem(id: string): Promise<OutboxItem | undefined>;
  findOutboxItem(dedupeKey: string): Promise<OutboxItem | undefined>;
  /** Newest first. `dedupeKeyPrefix`: the items of one chain, e.g. `meeting:<id>#`. */
  listOutbox(filter?: {
    status?: OutboxItem['status'];
    kind?: string;
    dedupeKeyPrefix?: string;
    limit?: number;
  }): Promise<OutboxItem[]>;
  /** How many items wait and how many died, by kind, and the oldest waiting item. */
  outboxSummary(): Promise<OutboxSummary>;
  /** Deletes done items older than `before`, keeping dedupe keys of younger ones. */
  pruneOutbox(before: number): Promise<number>;
}

/* ------------------------------------------------------------------------------------------ */
/* Chat: look and feel, dialogues (draft and published), events, counters, visitor links.     */
/* The shapes live in src/records/chat-*.ts (configuration, dialogue, event).                  */
/* ------------------------------------------------------------------------------------------ */

export interface ChatStore {
  /** The saved configuration; undefined until first saved (the chat module has defaults). */
  getChatConfiguration(): Promise<ChatConfiguration | undefined>;
  saveChatConfiguration(configuration: ChatConfiguration): Promise<void>;
  listDialogues(): Promise<Dialogue[]>;
  getDialogue(id: string): Promise<Dialogue | undefined>;
  /** Creates or replaces a dialogue (drafts, publishing, the on/off switch). */
  saveDialogue(dialogue: Dialogue): Promise<void>;
  deleteDialogue(id: string): Promise<boolean>;
  /**
   * A counter that moves whenever the configuration or anything published changes (save of a
   * configuration, publish, enable/disable, delete of a published dialogue); the public
   * document's ETag is derived from it. Saving a draft alone does not move it.
   */
  chatRevision(): Promise<number>;
  /**
   * Records a widget event once per `event.eventId` (a retry is a no-op returning false),
   * adds `counters` to the dialogue's stats, links the visitor to an email when given,
   * appends the event to its conversation's log (conversation-store-types.ts), and enqueues
   * `outbox` items (the Marketo write-backs), all in one durable write.
   */
  recordChatEvent(args: {
    event: ChatEvent;
    now: number;
    counters: Partial<DialogueStats>;
    visitorEmail?: string;
    outbox?: NewOutboxItem[];
    /**
     * The conversation is not known yet: keep this JSON value (the event's write-back to be)
     * with it until an event makes it known. Bounded: see chat-records.ts.
     */
    hold?: unknown;
    /**
     * This event makes the conversation known: the values held for it become these outbox
     * items, enqueued in this same write, and are forgotten.
     */
    release?: (held: readonly unknown[]) => NewOutboxItem[];
  }): Promise<boolean>;
  dialogueStats(dialogueId: string): Promise<DialogueStats>;
  /** The email a visitor gave earlier, by the widget's anonymous id or the Munchkin cookie. */
  findVisitorEmail(visitor: {
    anonymousId?: string;
    mktoTrk?: string;
  }): Promise<string | undefined>;
}
