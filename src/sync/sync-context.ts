import type { MarketoApi, MarketoLead } from '../clients/marketo/types.js';
import type { Clock, Ids } from '../deps.js';
import type { Logger } from '../logger.js';
import type { LeadUpsert, Store, SyncCommit, SyncState } from '../store/types.js';
import type { SyncProgress } from './progress.js';

export interface SyncDeps {
  marketo: MarketoApi;
  store: Store;
  clock: Clock;
  ids: Ids;
  logger: Logger;
}

export interface SyncOptions {
  /** REST names of the fields to copy (SYNC_FIELDS). */
  fields: string[];
  /**
   * Copy every lead again even when the copy is current (a "full re-sync"); leads the new copy
   * no longer finds are removed at its end, as after any full copy.
   */
  full?: boolean;
  /** How the first full copy is made: decided per instance (`auto`), or forced. */
  fullStrategy: 'auto' | 'rest' | 'bulk';
  /** Bulk export status polling interval. Marketo updates job status at most every 60 s. */
  bulkPollMs: number;
  /** Marketo calls this sync keeps in flight; the client's limiter still has the last word. */
  concurrency: number;
  /** Stop taking new pages when aborted; the page in hand is finished and checkpointed. */
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /** Empty 300-id batches past the highest id seen before the id scan stops (default 10). */
  scanTailBatches?: number;
  /** Changed leads held before hydration overlaps with paging (default HYDRATION_HOLD). */
  hydrationHold?: number;
  /** Most time sub-windows an incremental run pages at once (default: half of `concurrency`). */
  changeWindows?: number;
  /** How far before "now" a new change cursor starts, to absorb clock skew (see below). */
  cursorOverlapMs?: number;
}

/**
 * How far before "now" a new change cursor starts: a minute on Marketo's own clock (the HTTP
 * Date of an answer), ten when only the local clock is known and skew may be larger.
 */
export const CURSOR_OVERLAP_ON_MARKETO_CLOCK_MS = 60_000;
export const CURSOR_OVERLAP_ON_LOCAL_CLOCK_MS = 10 * 60_000;

/** Ids per Get Leads call and activities per page: Marketo's batch maximum (leads.md). */
export const MARKETO_BATCH = 300;

/**
 * The mutable state of one run. Every checkpoint writes the leads it changed together with a
 * snapshot of the cursor state, in one store write, so a crash can never separate them.
 */
export class SyncRun {
  readonly state: SyncState;
  leadsUpserted = 0;
  leadsDeleted = 0;
  /** REST field name -> Marketo data type, from Describe Lead when this run read it. */
  fieldTypes: Map<string, string> | undefined;
  private commitFailed: unknown;
  /**
   * How far the change pass has come, for progress and its ETA: the change cursor, or while
   * sub-windows page at once, its start plus the Marketo time they have covered together.
   */
  changesThrough: string | undefined;
  /** Latest Marketo clock seen (HTTP Date), epoch ms: a lower bound of when later reads run. */
  marketoNow: number | undefined;
  /** Id ranges the full copy read in this run, with a Marketo time known to precede each read. */
  private readonly scanReads: Array<[number, number, number]> = [];
  private scanReadsSorted = true;

  /**
   * The paging token a cursor continues from: its saved token, or a new one from its high
   * water mark (or from now) minus the overlap that absorbs clock skew.
   */
  async pagingToken(cursor: { nextPageToken?: string; highWater?: string }): Promise<string> {
    if (cursor.nextPageToken !== undefined) return cursor.nextPageToken;
    const onMarketoClock = cursor.highWater !== undefined || this.marketoNow !== undefined;
    const since = cursor.highWater
      ? Date.parse(cursor.highWater)
      : (this.marketoNow ?? this.deps.clock.now());
    const overlap =
      this.options.cursorOverlapMs ??
      (onMarketoClock ? CURSOR_OVERLAP_ON_MARKETO_CLOCK_MS : CURSOR_OVERLAP_ON_LOCAL_CLOCK_MS);
    return this.deps.marketo.getPagingToken(new Date(since - overlap));
  }

  noteServerTime(t: number | undefined): void {
    if (t !== undefined && (this.marketoNow === undefined || t > this.marketoNow))
      this.marketoNow = t;
  }

  /** Records that ids [start, end) were read after Marketo time `readAfter`. */
  noteScanRead(start: number, end: number, readAfter: number): void {
    this.scanReads.push([start, end, readAfter]);
    this.scanReadsSorted = false;
  }

  /** The Marketo time known to precede this run's copy read of `id`, if it read it. */
  scanReadAfter(id: number): number | undefined {
    if (!this.scanReadsSorted) {
      this.scanReads.sort((a, b) => a[0] - b[0]);
      this.scanReadsSorted = true;
    }
    let lo = 0;
    let hi = this.scanReads.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [start, end, readAfter] = this.scanReads[mid]!;
      if (id < start) hi = mid - 1;
      else if (id >= end) lo = mid + 1;
      else return readAfter;
    }
    return undefined;
  }

  constructor(
    readonly deps: SyncDeps,
    readonly options: SyncOptions,
    readonly runId: string,
    private readonly progress: (update: Partial<SyncProgress>) => void,
    /** The saved state the run continues from (loadSyncState). */
    state: SyncState,
  ) {
    this.state = state;
    this.changesThrough = this.state.changes.highWater;
    // Where the change cursor starts: the incremental ETA measures from here.
    this.progress({ changesThrough: this.changesThrough });
  }

  get aborted(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  report(update: Partial<SyncProgress>): void {
    this.progress(update);
  }

  /**
   * Commits the changes with a snapshot of the state; answers the ids of upserts the store
   * ignored. The store ignores a read older than what it holds: a lead webhook stored between
   * this run's read of the lead and this write. That webhook carried only some fields, so the
   * lead is read again: during the full copy through the change cursor's pending ids (the
   * change pass that follows reads them, readAgainLater), during the change pass by its
   * hydrator.
   */
  async checkpoint(
    changes: { upserts?: LeadUpsert[]; deletes?: number[] } = {},
  ): Promise<number[]> {
    // After one failed commit no later one may land: a later snapshot of the shared state could
    // otherwise mark as done a page whose leads were never written.
    if (this.commitFailed) throw this.commitFailed;
    let committed: SyncCommit;
    try {
      committed = await this.deps.store.commitSync({
        upserts: changes.upserts,
        deletes: changes.deletes,
        state: structuredClone(this.state),
      });
    } catch (error) {
      this.commitFailed ??= error;
      throw error;
    }
    this.leadsUpserted += changes.upserts?.length ?? 0;
    // What the store removed, not what was asked: Marketo lists a lead deleted more than once
    // (on several pages, in both passes) and leads the copy never held.
    this.leadsDeleted += committed.deleted;
    this.progress({
      leadsUpserted: this.leadsUpserted,
      leadsDeleted: this.leadsDeleted,
      changesThrough: this.changesThrough ?? this.state.changes.highWater,
    });
    return committed.ignored;
  }

  /**
   * The full copy's leads whose write the store ignored, for the change pass that follows to
   * read (it starts from the change cursor's pending ids). The caller marks their batch done
   * only with them, in the same later checkpoint: a crash before it reads the batch again.
   */
  readAgainLater(ids: readonly number[]): void {
    if (ids.length === 0) return;
    const pending = new Set([...this.state.changes.pendingLeadIds, ...ids]);
    this.state.changes.pendingLeadIds = [...pending].sort((a, b) => a - b);
  }
}

/** Turns a lead from Marketo into a store upsert holding exactly the synced fields. */
export function toUpsert(lead: MarketoLead, fields: string[], observedAt: number): LeadUpsert {
  const values: Record<string, unknown> = {};
  for (const field of fields) values[field] = lead[field] ?? null;
  return { id: lead.id, fields: values, observedAt, source: 'sync' };
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
