import { z } from 'zod';

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

/** Runs kept in the sync state for the history the console shows. */
export const RECENT_SYNC_RUNS = 20;

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
  /** The last RECENT_SYNC_RUNS runs, newest first (the first is lastRun); absent before. */
  recentRuns: z.array(syncRunSummarySchema).optional(),
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
