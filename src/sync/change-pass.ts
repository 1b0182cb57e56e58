import { MarketoApiError } from '../clients/marketo/index.js';
import type { ActivityPage } from '../clients/marketo/types.js';
import type { ChangeWindow, WindowChain } from '../store/types.js';
import {
  coveredThrough,
  firstWindow,
  highWaterOf,
  pickSplit,
  placeOf,
  splitBoundaries,
  splitWindow,
  windowsFor,
} from './change-windows.js';
import { MAX_UNSAVED_PAGES, createCheckpointQueue, createHydrator } from './lead-changes.js';
import { CURSOR_OVERLAP_ON_LOCAL_CLOCK_MS, type SyncRun } from './sync-context.js';

type Pass = 'changes' | 'deletions';

/**
 * The incremental pass: Get Lead Changes (hydrating the changed leads) and Get Deleted Leads,
 * each paged through time sub-windows at once (change-windows.ts).
 *
 * - A run starts with one window that continues the saved tokens. Its first page of changes
 *   tells how much Marketo time a page covers; when the backlog holds several pages, the rest
 *   of the span up to now is split into sub-windows, each with a paging token of its own.
 *   Later, while fewer windows than allowed page, one with many pages ahead is split again.
 * - Each window owns the activities dated in [from, until). Its chains drop what they read
 *   outside it (the neighbour owns that and reads it too) and stop after the page that shows an
 *   activity past `until`: activities come in date order from a date-based token.
 * - Both passes of a window start at the same token. A page of deleted leads is mostly empty and
 *   so rarely shows where the window ends; when a pass reaches the token after which the other
 *   pass saw the window end, it has passed the end too and stops there.
 * - Checkpoints hold every window's progress with the ids still to hydrate, so a crash resumes
 *   every window where it was and skips nothing; the saved cursors move past the run only when
 *   every window is done. An older read never overwrites a newer one (the store's rule), and a
 *   lead changed in several windows is still read once (lead-changes.ts).
 */
export async function runChangePass(run: SyncRun): Promise<void> {
  const { marketo } = run.deps;
  const { state } = run;
  const changeFields = state.changeFields ?? run.options.fields;
  const maxWindows =
    run.options.changeWindows ?? Math.max(1, Math.floor(run.options.concurrency / 2));
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
  };
  const failed = () => failure !== undefined;
  const saves = createCheckpointQueue(run, fail);
  const hydrator = createHydrator(run, saves, failed, fail);

  state.windows ??= [
    firstWindow(await run.pagingToken(state.changes), await run.pagingToken(state.deletions)),
  ];
  const windows = state.windows;
  run.report({ phase: 'changes' });
  /** Where this run's changes begin, for its progress (coveredThrough). */
  let begin: number | undefined = state.changes.highWater
    ? Date.parse(state.changes.highWater)
    : undefined;

  const chains = new Set<Promise<void>>();
  // Reads start only once a hold of changed leads has gathered, so they keep pace with the
  // chains without crowding them out, and the pending ids saved with every page stay few.
  const slots = Math.max(1, run.options.concurrency - 1);
  const windowTokens = new Map<ChangeWindow, Promise<string>>();
  // Planned: split already, or nothing left to split (the first window's changes are read).
  let planned = windows.length > 1 || windows[0]!.changes.done;

  const startToken = async (window: ChangeWindow): Promise<void> => {
    if (window.changes.nextPageToken && window.deletions.nextPageToken) return;
    let token = windowTokens.get(window);
    if (!token) {
      // A second early: whether "after the datetime" includes it or not, the window's first
      // activity is read; one dated before `from` belongs to the window in front.
      token = marketo.getPagingToken(new Date(Date.parse(window.from ?? '') - 1000));
      windowTokens.set(window, token);
    }
    const shared = await token;
    window.changes.nextPageToken ??= shared;
    window.deletions.nextPageToken ??= shared;
  };

  const fetchPage = (pass: Pass, token: string): Promise<ActivityPage<LeadPassItem>> =>
    pass === 'changes'
      ? marketo.getLeadChanges({ nextPageToken: token, fields: changeFields })
      : marketo.getDeletedLeads({ nextPageToken: token });

  /** After the first page of changes: split the rest of the span when it holds a backlog. */
  const plan = (window: ChangeWindow, page: ActivityPage<LeadPassItem>) => {
    planned = true;
    if (!page.moreResult || page.items.length === 0 || windows.length > 1) return;
    const dates = page.items.map((item) => item.activityAt);
    const first = Math.min(...dates);
    const last = Math.max(...dates);
    const now = run.marketoNow ?? run.deps.clock.now();
    const count = windowsFor(last - first, now - last, maxWindows);
    const added = splitWindow(window, splitBoundaries(last, now, count));
    windows.push(...added);
    for (const next of added) start(next, 'changes');
    for (const next of added) start(next, 'deletions');
  };

  /** Splits a window with many pages ahead while fewer windows than allowed page (pickSplit). */
  const pageSpans = new Map<ChangeWindow, number>();
  const rebalance = () => {
    while (windows.length < 2 * maxWindows) {
      if (windows.filter((w) => !w.changes.done).length >= maxWindows) return;
      const split = pickSplit(windows, pageSpans, run.marketoNow ?? run.deps.clock.now());
      if (!split) return;
      const [added] = splitWindow(split.window, [split.at]);
      windows.splice(windows.indexOf(split.window) + 1, 0, added!);
      start(added!, 'changes');
      start(added!, 'deletions');
    }
  };

  /**
   * A paging token for where a chain stands, taken afresh when Marketo refuses the saved one:
   * from the chain's newest applied activity, else where its window starts; the first window,
   * which continues the saved cursor, from the cursor's high water, else from when the last run
   * caught up (or the full copy began), on the local clock and so with its longer overlap.
   */
  const renewToken = (window: ChangeWindow, pass: Pass): Promise<string> | undefined => {
    const highWater =
      window[pass].highWater ?? (window.from === undefined ? state[pass].highWater : undefined);
    if (highWater !== undefined) return run.pagingToken({ highWater });
    if (window.from !== undefined) {
      return marketo.getPagingToken(new Date(Date.parse(window.from) - 1000));
    }
    const local = state.caughtUpAt ?? state.full?.startedAt;
    if (local === undefined) return undefined;
    return marketo.getPagingToken(new Date(Date.parse(local) - CURSOR_OVERLAP_ON_LOCAL_CLOCK_MS));
  };

  const runChain = async (window: ChangeWindow, pass: Pass): Promise<void> => {
    await startToken(window);
    const chain: WindowChain = window[pass];
    const partner = window[pass === 'changes' ? 'deletions' : 'changes'];
    const passed = new Set<string>();
    let unsavedEmptyPages = 0;
    let renewed = false;
    while (!run.aborted && !failed() && !chain.done) {
      // Each chain may run ahead of a slow store write by a few pages, as one chain did.
      await saves.room(chains.size);
      let page: ActivityPage<LeadPassItem>;
      try {
        page = await fetchPage(pass, chain.nextPageToken ?? '');
      } catch (error) {
        // A token expired or invalid (1003, error-codes.md), or of a Marketo that
        // no longer knows it (a restarted sandbox): 1003. Everything up to the high water is
        // applied, so a token from there skips nothing; what it reads again is harmless.
        const renewal = renewed || !isInvalidToken(error) ? undefined : renewToken(window, pass);
        if (renewal === undefined) throw error;
        renewed = true;
        run.deps.logger.warn({ pass, from: window.from }, 'paging token refused (1003): renewed');
        chain.nextPageToken = await renewal;
        continue;
      }
      run.noteServerTime(page.serverTime);
      let crossed = false;
      const deletes = new Set<number>();
      for (const item of page.items) {
        const place = placeOf(window, item.activityAt);
        crossed ||= place === 'after';
        if (place !== 'inside') continue;
        if (pass === 'changes') hydrator.note(item);
        else deletes.add(item.leadId);
        if (!chain.highWater || item.activityAt > Date.parse(chain.highWater)) {
          chain.highWater = new Date(item.activityAt).toISOString();
        }
      }
      chain.nextPageToken = page.nextPageToken;
      passed.add(page.nextPageToken);
      if (crossed) chain.crossedAt = page.nextPageToken;
      chain.done =
        !page.moreResult ||
        crossed ||
        (partner.crossedAt !== undefined && passed.has(partner.crossedAt));
      state[pass].highWater = highWaterOf(windows, pass) ?? state[pass].highWater;
      if (pass === 'changes') {
        begin ??= page.items[0]?.activityAt;
        if (begin !== undefined) {
          run.changesThrough = new Date(coveredThrough(windows, begin)).toISOString();
        }
      }
      if (pass === 'changes') {
        const dates = page.items.map((item) => item.activityAt);
        if (dates.length > 0) pageSpans.set(window, Math.max(...dates) - Math.min(...dates));
        hydrator.savePending();
        if (!planned && window === windows[0]) plan(window, page);
      }
      // An empty page changes nothing but the token: saving every few of them is enough (a
      // crash re-reads at most those few empty pages).
      unsavedEmptyPages = page.items.length === 0 ? unsavedEmptyPages + 1 : 0;
      if (unsavedEmptyPages === 0 || unsavedEmptyPages >= MAX_UNSAVED_PAGES || chain.done) {
        unsavedEmptyPages = 0;
        void saves.save(deletes.size > 0 ? { deletes: [...deletes] } : {});
      }
      if (pass === 'changes') hydrator.dispatch(false, slots);
      if (planned && pass === 'changes') rebalance();
      // The deleted leads of the first window wait for the plan, so they never read past it.
      if (planned) startWaiting();
    }
  };

  const waiting: Array<[ChangeWindow, Pass]> = [];
  const start = (window: ChangeWindow, pass: Pass) => {
    if (window[pass].done) return;
    const chain: Promise<void> = runChain(window, pass)
      .catch(fail)
      .finally(() => chains.delete(chain));
    chains.add(chain);
  };
  const startWaiting = () => {
    for (const [window, pass] of waiting.splice(0)) start(window, pass);
  };

  for (const window of windows) {
    start(window, 'changes');
    if (planned || window !== windows[0]) start(window, 'deletions');
    else waiting.push([window, 'deletions']);
  }
  while (chains.size > 0) {
    await Promise.race(chains);
    // The first window's changes may end before any plan (one short page): deletions go on.
    if (!failed() && !run.aborted) {
      planned ||= windows[0]!.changes.done;
      if (planned) startWaiting();
      if (planned) rebalance();
    }
  }
  if (!failed() && !run.aborted && finishWindows(run)) void saves.save();
  await hydrator.finish(slots);
  await saves.drain();
  if (failure !== undefined) throw failure;
}

function isInvalidToken(error: unknown): boolean {
  return error instanceof MarketoApiError && error.marketoCode === '1003';
}

interface LeadPassItem {
  leadId: number;
  activityAt: number;
}

/** Every window is done: the cursors continue from the last one, and the run has caught up. */
function finishWindows(run: SyncRun): boolean {
  const { state } = run;
  const windows = state.windows ?? [];
  const last = windows[windows.length - 1];
  if (!last || windows.some((w) => !w.changes.done || !w.deletions.done)) return false;
  state.changes.nextPageToken = last.changes.nextPageToken;
  state.deletions.nextPageToken = last.deletions.nextPageToken;
  state.changes.highWater = highWaterOf(windows, 'changes') ?? state.changes.highWater;
  state.deletions.highWater = highWaterOf(windows, 'deletions') ?? state.deletions.highWater;
  state.windows = undefined;
  state.caughtUpAt = new Date(run.deps.clock.now()).toISOString();
  return true;
}
