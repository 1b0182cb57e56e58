import { z } from 'zod';
import type {
  ChatConfiguration,
  ChatEvent,
  Dialogue,
  DialogueStats,
} from '../chat/chat-contract.js';
import type { RotationState } from '../routing/rotation-state.js';
import type { RoutingSettings } from '../routing/routing-settings.js';
import type { DailyUsageStore } from '../clients/marketo/daily-usage-port.js';
import type { MeetingStores } from './meeting-store-types.js';

/**
 * The store's narrow interfaces, named for their purpose. The JSON-file store (lowdb) and the
 * in-memory store implement them today; a PostgreSQL store implements the same contract later
 * (test/integration/store-contract.test.ts runs against every implementation).
 */

/** A lead as kept locally: Marketo's id, the synced fields, and when we observed that state. */
export const storedLeadSchema = z.object({
  id: z.number().int().positive(),
  fields: z.record(z.string(), z.unknown()),
  /** Epoch ms at which this state was observed in Marketo (fetch time, or webhook receipt). */
  observedAt: z.number(),
  source: z.enum(['sync', 'webhook']),
});
export type StoredLead = z.infer<typeof storedLeadSchema>;

/** A lead change to apply: the state of the lead as observed at `observedAt`. */
export interface LeadUpsert {
  id: number;
  fields: Record<string, unknown>;
  observedAt: number;
  source: StoredLead['source'];
}

export const syncRunSummarySchema = z.object({
  runId: z.string(),
  mode: z.enum(['full', 'incremental']),
  strategy: z.enum(['rest', 'bulk', 'changes']).optional(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  outcome: z.enum(['running', 'succeeded', 'failed', 'quota-deferred', 'stopped']),
  leadsUpserted: z.number(),
  leadsDeleted: z.number(),
  calls: z.number(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type SyncRunSummary = z.infer<typeof syncRunSummarySchema>;

/** Progress of a full copy by REST id scan; resumable at batch granularity. */
export const restScanStateSchema = z.object({
  /** The id range the probe found: every batch in it is read, whatever gaps it has. */
  lo: z.number().int(),
  hi: z.number().int(),
  /** Ids per Get Leads call; batches start at lo + k * batch. */
  batch: z.number().int(),
  /** No lead below lo: the scan does not extend downward. */
  floorKnown: z.boolean().optional(),
  /** Committed id ranges, merged, as [start, end) pairs. */
  done: z.array(z.tuple([z.number().int(), z.number().int()])),
  /** Lowest and highest lead id seen; the scan extends past them until enough empty batches. */
  minSeenId: z.number().int().optional(),
  maxSeenId: z.number().int().optional(),
  /** Leads the probe expects, for progress and ETA. */
  expected: z.number().int().optional(),
  /** Ids scanned past the highest lead seen before stopping (default 10 batches). */
  tailIds: z.number().int().optional(),
});
export type RestScanState = z.infer<typeof restScanStateSchema>;

/** Progress of a full copy by bulk lead extract, one createdAt window (≤ 31 days) at a time. */
export const bulkExtractStateSchema = z.object({
  /** ISO start of the next window to export; windows end at `until`. */
  windowStart: z.string(),
  until: z.string(),
  /** The export job for the window in hand, persisted before it is enqueued. */
  exportId: z.string().optional(),
  windowEnd: z.string().optional(),
  windowsDone: z.number().int(),
});
export type BulkExtractState = z.infer<typeof bulkExtractStateSchema>;

/** One pass (Get Lead Changes or Get Deleted Leads) through one sub-window of the change window. */
export const windowChainSchema = z.object({
  /** Where this chain continues; absent until the window's paging token is fetched. */
  nextPageToken: z.string().optional(),
  done: z.boolean(),
  /** The newest activity this chain applied. */
  highWater: z.string().optional(),
  /** The token after the page that showed an activity past the window's end. */
  crossedAt: z.string().optional(),
});
export type WindowChain = z.infer<typeof windowChainSchema>;

/**
 * A time sub-window of an incremental run, paged by both passes at once. It owns the
 * activities dated in [from, until): the first has no `from` (it continues the saved tokens),
 * the last no `until` (it reads to the end).
 */
export const changeWindowSchema = z.object({
  from: z.string().optional(),
  until: z.string().optional(),
  changes: windowChainSchema,
  deletions: windowChainSchema,
});
export type ChangeWindow = z.infer<typeof changeWindowSchema>;

export const syncStateSchema = z.object({
  /** 'none' until the first full copy finishes; then every run is incremental. */
  phase: z.enum(['none', 'full', 'incremental']),
  full: z
    .object({
      strategy: z.enum(['rest', 'bulk']),
      startedAt: z.string(),
      rest: restScanStateSchema.optional(),
      bulk: bulkExtractStateSchema.optional(),
    })
    .optional(),
  /** Get Lead Changes cursor: the token to continue from, and the newest activity applied. */
  changes: z.object({
    nextPageToken: z.string().optional(),
    highWater: z.string().optional(),
    /** Lead ids seen in committed change pages but not yet hydrated: hydrate these first. */
    pendingLeadIds: z.array(z.number().int()),
  }),
  /** Get Deleted Leads cursor. */
  deletions: z.object({
    nextPageToken: z.string().optional(),
    highWater: z.string().optional(),
  }),
  /** The sub-windows of the incremental run in progress, each pass's progress in each. */
  windows: z.array(changeWindowSchema).optional(),
  /** The fields the local copy holds; a change of SYNC_FIELDS triggers a new full copy. */
  fields: z.array(z.string()),
  /**
   * Fields asked of Get Lead Changes. Usually SYNC_FIELDS; every described field when
   * SYNC_FIELDS holds `updatedAt`, which moves whenever any field changes.
   */
  changeFields: z.array(z.string()).optional(),
  /** When SYNC_FIELDS was last checked against Describe Lead (re-checked daily). */
  fieldsCheckedAt: z.string().optional(),
  lastRun: syncRunSummarySchema.optional(),
  lastSuccessAt: z.string().optional(),
  /** When the copy last caught up with Marketo (a full copy finished, or changes drained). */
  caughtUpAt: z.string().optional(),
  lastError: z.object({ at: z.string(), code: z.string(), message: z.string() }).optional(),
});
export type SyncState = z.infer<typeof syncStateSchema>;

export function initialSyncState(fields: string[] = []): SyncState {
  return {
    phase: 'none',
    changes: { pendingLeadIds: [] },
    deletions: {},
    fields,
  };
}

/**
 * Marketo API calls counted per Marketo day: the Marketo client owns the shape (its daily-usage
 * port); the store keeps it for one process.
 */
export {
  dailyUsageSchema as usageStateSchema,
  type DailyUsage as UsageState,
} from '../clients/marketo/daily-usage-port.js';

/**
 * When a write's promise resolves. `durable` (the default): once the change is on disk.
 * `deferred`: once it is applied in memory (visible to reads, validated as ever; a refusal
 * still rejects); the write follows within the store's `deferredWriteMs` (1 s by default),
 * shared with the other changes of that window, or sooner with any other write, and
 * flush()/close() write it. A crash in that window loses the change, so it is only for
 * changes restored from elsewhere.
 * `journal`: as durable as `durable`, made so by appending the change to the store's journal
 * (one synced append per group commit) rather than rewriting the whole document; for small,
 * frequent lead changes (the lead webhook). Stores without a journal write it as `durable`.
 */
export interface WriteOptions {
  durability?: 'durable' | 'deferred' | 'journal';
}

export interface LeadStore {
  getLead(id: number): StoredLead | undefined;
  /** Case-insensitive; Marketo allows several leads per email, newest observation first. */
  findLeadsByEmail(email: string): StoredLead[];
  countLeads(): number;
  /**
   * Ids of leads last observed before `ms` (epoch). After a full copy that began at `ms`, these
   * are the leads Marketo no longer has: the sync sweeps them.
   */
  leadIdsObservedBefore(ms: number): number[];
  /**
   * Upserts and deletes in one durable write (or one deferred write, see WriteOptions). An
   * upsert older than the stored observation of the same lead is ignored, and a deleted lead
   * id never comes back (Marketo never reuses ids).
   */
  applyLeadChanges(
    changes: { upserts?: LeadUpsert[]; deletes?: number[] },
    options?: WriteOptions,
  ): Promise<void>;
}

export interface SyncStateStore {
  loadSyncState(): SyncState;
  /**
   * Commits a sync page atomically: the leads it changed and the cursor that follows it, so a
   * crash never separates the two. `deleted`: leads the write removed from the copy (ids it
   * never held, or already removed, are not counted).
   */
  commitSync(batch: {
    upserts?: LeadUpsert[];
    deletes?: number[];
    state: SyncState;
  }): Promise<{ deleted: number }>;
}

export type UsageStore = DailyUsageStore;

/**
 * The Marketo instance whose data a store holds (leads, cursors and paging tokens, agents,
 * dialogues): `sandbox`, `munchkin:123-ABC-456`, or the REST origin for other hosts.
 */
export const storeInstanceSchema = z.object({
  id: z.string().min(1),
  /** When this store was first opened for the instance (ISO 8601). */
  boundAt: z.string(),
});
export type StoreInstance = z.infer<typeof storeInstanceSchema>;

export interface StoreInstanceStore {
  /** Undefined for a store written before instances were recorded. */
  loadInstance(): StoreInstance | undefined;
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
    MeetingStores {
  /** Resolves when every acknowledged write is durable. */
  flush(): Promise<void>;
  /** Flushes, releases the file lock, and refuses further writes. */
  close(): Promise<void>;
  /** Size of the persisted document in bytes (0 for memory), for status and benchmarks. */
  sizeBytes(): number;
}

/* ------------------------------------------------------------------------------------------ */
/* Routing: agents' rotation and the assignments it made (round robin until the meetings work */
/* brings agents, rules and calendars).                                                        */
/* ------------------------------------------------------------------------------------------ */

export const routingAgentSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  active: z.boolean(),
});
export type RoutingAgent = z.infer<typeof routingAgentSchema>;

export const assignmentSchema = z.object({
  /** What was routed: `lead:<id>`, `email:<lowercased>`, or `ssfs:<token>:<leadId>`. */
  key: z.string(),
  agentId: z.string(),
  agentName: z.string(),
  agentEmail: z.string(),
  /** Why this agent: e.g. `round-robin`, `repeat` (same lead within the window). */
  rule: z.string(),
  assignedAt: z.number(),
  source: z.enum(['webhook', 'ssfs', 'chat', 'admin']),
});
export type Assignment = z.infer<typeof assignmentSchema>;

export interface RoutingStore {
  /**
   * Routes `key` round robin over `agents` (in order, active ones only), atomically: when an
   * assignment for `key` exists that is younger than `repeatWindowMs` it is returned as is
   * (`repeated: true`) and the rotation does not move; otherwise the agent after the last one
   * assigned gets it, the pointer and that agent's total advance, and the assignment is
   * stored, all in one durable write. Throws AppError NO_AGENTS when none is active.
   */
  assignRoundRobin(args: {
    key: string;
    agents: RoutingAgent[];
    now: number;
    repeatWindowMs: number;
    source: Assignment['source'];
    /** The rotation to take a turn in: `default` (the default) or a rule's `rule:<id>`. */
    pool?: string;
    /** Recorded as the assignment's `rule` (default `round-robin`). */
    rule?: string;
    /** The first active agent as listed (the lead's owner), not a turn: no pointer moves. */
    ordered?: boolean;
  }): Promise<{ assignment: Assignment; repeated: boolean }>;
  /** The rotation pointer and the assignments per agent to date. */
  routingState(): {
    lastAgentId: string | undefined;
    pointers: Record<string, string>;
    totals: Record<string, number>;
  };
  /** The whole rotation state as stored (frozen): pointers with followers, turns, counts. */
  rotationState(): RotationState;
  /** The rotation's admin settings (frozen). */
  routingSettings(): RoutingSettings;
  /** Replaces the settings; durable before it resolves. */
  saveRoutingSettings(settings: RoutingSettings): Promise<RoutingSettings>;
  getAssignment(key: string): Assignment | undefined;
}

/* ------------------------------------------------------------------------------------------ */
/* Outbox: the durable queue of every write to Marketo and every flow-step callback.          */
/* ------------------------------------------------------------------------------------------ */

export const outboxStatusSchema = z.enum(['pending', 'done', 'dead']);

export const outboxItemSchema = z.object({
  id: z.string(),
  /** The handler that delivers it, e.g. `ssfs-invocation`, `ssfs-callback`, `marketo-activity`. */
  kind: z.string(),
  /** Unique among live items: enqueueing the same key again returns the existing item. */
  dedupeKey: z.string(),
  payload: z.unknown(),
  status: outboxStatusSchema,
  attempts: z.number().int(),
  /** Epoch ms before which the item is not claimed (backoff, or a quota reset). */
  nextAttemptAt: z.number(),
  /** The claim in hand: a unique token per claim, fencing completes and failures. */
  lease: z.object({ token: z.string(), until: z.number() }).optional(),
  lastError: z.string().optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  doneAt: z.number().optional(),
});
export type OutboxItem = z.infer<typeof outboxItemSchema>;

export interface NewOutboxItem {
  kind: string;
  dedupeKey: string;
  payload: unknown;
  /** Defaults to now. */
  nextAttemptAt?: number;
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
  /** Moves a dead item back to pending, due now. */
  replayOutbox(id: string, now: number): Promise<boolean>;
  getOutboxItem(id: string): OutboxItem | undefined;
  findOutboxItem(dedupeKey: string): OutboxItem | undefined;
  listOutbox(filter?: {
    status?: OutboxItem['status'];
    kind?: string;
    limit?: number;
  }): OutboxItem[];
  /** Deletes done items older than `before`, keeping dedupe keys of younger ones. */
  pruneOutbox(before: number): Promise<number>;
}

/* ------------------------------------------------------------------------------------------ */
/* Chat: look and feel, dialogues (draft and published), events, counters, visitor links.     */
/* The shapes live in src/chat/chat-contract.ts.                                               */
/* ------------------------------------------------------------------------------------------ */

export interface ChatStore {
  /** The saved configuration; undefined until first saved (the chat module has defaults). */
  getChatConfiguration(): ChatConfiguration | undefined;
  saveChatConfiguration(configuration: ChatConfiguration): Promise<void>;
  listDialogues(): Dialogue[];
  getDialogue(id: string): Dialogue | undefined;
  /** Creates or replaces a dialogue (drafts, publishing, the on/off switch). */
  saveDialogue(dialogue: Dialogue): Promise<void>;
  deleteDialogue(id: string): Promise<boolean>;
  /**
   * A counter that moves whenever the configuration or anything published changes (save of a
   * configuration, publish, enable/disable, delete of a published dialogue); the public
   * document's ETag is derived from it. Saving a draft alone does not move it.
   */
  chatRevision(): number;
  /**
   * Records a widget event once per `event.eventId` (a retry is a no-op returning false),
   * adds `counters` to the dialogue's stats, links the visitor to an email when given, and
   * enqueues `outbox` items (the Marketo write-backs), all in one durable write.
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
  dialogueStats(dialogueId: string): DialogueStats;
  /** The email a visitor gave earlier, by the widget's anonymous id or the Munchkin cookie. */
  findVisitorEmail(visitor: { anonymousId?: string; mktoTrk?: string }): string | undefined;
}
