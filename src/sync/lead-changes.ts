import { MARKETO_BATCH, type SyncRun, toUpsert } from './sync-context.js';

/**
 * The incremental sync, Adobe's recipe ("Synchronizing Lead Data Changes using REST API"),
 * hardened:
 * - Get Lead Changes from the saved paging token, following `moreResult` (pages can be short,
 *   even empty, while more remain: activities.md);
 * - the changed lead ids are hydrated with Get Leads by id, 300 a call, while paging goes on;
 * - every page's token is saved together with the ids still to hydrate, so a crash resumes at
 *   the page after the last one saved and hydrates what was pending: nothing is skipped;
 * - a lead is hydrated once per run unless it changed again after its hydration read it. That
 *   is decided on Marketo's own clock (the HTTP Date of an earlier answer is a lower bound of
 *   when the read happened), so clock skew between us and Marketo cannot hide a change.
 */
/**
 * Changed leads held before hydration starts, while paging goes on. Changes to one lead tend
 * to come in bursts; holding ten batches lets most bursts end before the lead is read, and
 * still starts hydrating early enough to overlap with paging on a large backlog.
 */
export const HYDRATION_HOLD = 10 * MARKETO_BATCH;
/** Page checkpoints that may be waiting for the store at once. */
const MAX_UNSAVED_PAGES = 20;

export async function runLeadChanges(run: SyncRun): Promise<void> {
  const { marketo, clock } = run.deps;
  const { fields } = run.options;
  const changeFields = run.state.changeFields ?? fields;
  const cursor = run.state.changes;
  const pending = new Set(cursor.pendingLeadIds);
  /** leadId -> Marketo time known to precede the read of its hydration in flight. */
  const inFlight = new Map<number, number>();
  /** Leads that changed again while their hydration was in flight. */
  const changedAgain = new Set<number>();
  /** leadId -> Marketo time known to precede the read of its completed hydration. */
  const hydratedAfter = new Map<number, number>();
  const tasks = new Set<Promise<void>>();
  const slots = Math.max(1, run.options.concurrency - 1);
  let failure: unknown;

  const savePending = () => {
    cursor.pendingLeadIds = [...pending].sort((a, b) => a - b);
  };

  // Checkpoints are not awaited one by one: they queue in order and the store coalesces them,
  // so neither paging nor hydration waits on a file write. A crash loses only checkpoints not
  // yet durable, and the next run re-reads from the last durable token and pending ids.
  const saves = new Set<Promise<void>>();
  const save = (changes: Parameters<SyncRun['checkpoint']>[0] = {}) => {
    const saved: Promise<void> = run
      .checkpoint(changes)
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => saves.delete(saved));
    saves.add(saved);
  };

  const hydrate = async (ids: number[]): Promise<void> => {
    const readAfter = run.marketoNow ?? Number.NEGATIVE_INFINITY;
    for (const id of ids) inFlight.set(id, readAfter);
    const observedAt = clock.now();
    try {
      const { leads, serverTime } = await marketo.getLeadsByIds(ids, fields);
      run.noteServerTime(serverTime);
      const found = new Set(leads.map((lead) => lead.id));
      for (const id of ids) {
        hydratedAfter.set(id, readAfter);
        if (!changedAgain.delete(id)) pending.delete(id);
      }
      savePending();
      // A changed lead that no longer exists was deleted or merged away; ids are never reused.
      const gone = ids.filter((id) => !found.has(id));
      save({ upserts: leads.map((lead) => toUpsert(lead, fields, observedAt)), deletes: gone });
    } finally {
      for (const id of ids) inFlight.delete(id);
    }
  };

  const hold = run.options.hydrationHold ?? HYDRATION_HOLD;
  const dispatch = (final: boolean) => {
    while (failure === undefined && tasks.size < slots) {
      const ready = [...pending].filter((id) => !inFlight.has(id));
      if (ready.length === 0 || (!final && ready.length < Math.max(hold, MARKETO_BATCH))) return;
      const task: Promise<void> = hydrate(ready.slice(0, MARKETO_BATCH))
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => tasks.delete(task));
      tasks.add(task);
    }
  };

  let token = await run.pagingToken(cursor);
  run.report({ phase: 'changes' });
  let unsavedEmptyPages = 0;
  while (!run.aborted && failure === undefined) {
    while (saves.size >= MAX_UNSAVED_PAGES) await Promise.race(saves);
    const page = await marketo.getLeadChanges({ nextPageToken: token, fields: changeFields });
    run.noteServerTime(page.serverTime);
    for (const activity of page.items) {
      const id = activity.leadId;
      const readAfter = inFlight.get(id);
      if (readAfter !== undefined) {
        if (!(activity.activityAt < readAfter)) changedAgain.add(id);
        continue;
      }
      const hydrated = hydratedAfter.get(id) ?? run.scanReadAfter(id);
      if (hydrated !== undefined && activity.activityAt < hydrated) continue;
      // Re-inserting moves the lead to the back: the least recently changed go first, so a lead
      // that keeps changing waits in `pending` and is read once, after its burst.
      pending.delete(id);
      pending.add(id);
      if (!cursor.highWater || activity.activityAt > Date.parse(cursor.highWater)) {
        cursor.highWater = new Date(activity.activityAt).toISOString();
      }
    }
    token = page.nextPageToken;
    cursor.nextPageToken = token;
    savePending();
    if (!page.moreResult) run.state.caughtUpAt = new Date(clock.now()).toISOString();
    // An empty page changes nothing but the token: saving every few of them is enough (a crash
    // re-reads at most those few empty pages).
    unsavedEmptyPages = page.items.length === 0 ? unsavedEmptyPages + 1 : 0;
    if (unsavedEmptyPages === 0 || unsavedEmptyPages >= MAX_UNSAVED_PAGES || !page.moreResult) {
      unsavedEmptyPages = 0;
      save();
    }
    dispatch(false);
    if (!page.moreResult) break;
  }
  for (;;) {
    if (!run.aborted) dispatch(true);
    if (tasks.size === 0) break;
    await Promise.race(tasks);
  }
  await Promise.all(saves);
  if (failure !== undefined) throw failure;
}

/** Applies Get Deleted Leads from its own saved token, one page per checkpoint. */
export async function runDeletedLeads(run: SyncRun): Promise<void> {
  const { marketo } = run.deps;
  const cursor = run.state.deletions;
  let token = await run.pagingToken(cursor);
  // As for changes: checkpoints queue without blocking the next page, and empty pages are
  // saved only every few pages; a crash re-reads at most the pages not yet durable.
  const saves = new Set<Promise<void>>();
  let failure: unknown;
  let unsavedEmptyPages = 0;
  while (!run.aborted && failure === undefined) {
    while (saves.size >= MAX_UNSAVED_PAGES) await Promise.race(saves);
    const page = await marketo.getDeletedLeads({ nextPageToken: token });
    const ids = [...new Set(page.items.map((item) => item.leadId))];
    for (const item of page.items) {
      if (!cursor.highWater || item.activityAt > Date.parse(cursor.highWater)) {
        cursor.highWater = new Date(item.activityAt).toISOString();
      }
    }
    token = page.nextPageToken;
    cursor.nextPageToken = token;
    unsavedEmptyPages = ids.length === 0 ? unsavedEmptyPages + 1 : 0;
    if (unsavedEmptyPages === 0 || unsavedEmptyPages >= MAX_UNSAVED_PAGES || !page.moreResult) {
      unsavedEmptyPages = 0;
      const saved: Promise<void> = run
        .checkpoint({ deletes: ids })
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => saves.delete(saved));
      saves.add(saved);
    }
    if (!page.moreResult) break;
  }
  await Promise.all(saves);
  if (failure !== undefined) throw failure;
}
