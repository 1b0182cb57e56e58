import type { ChangeWindow, WindowChain } from '../store/types.js';

/**
 * How an incremental run splits its change window into time sub-windows that are paged at
 * once. Get Lead Changes and Get Deleted Leads are chains (each page needs the previous page's
 * token), so one chain per pass runs at the speed of Marketo's latency, about half of the call
 * budget at Marketo's real ratio (300 ms a call against 100 calls per 20 s). A paging token
 * from Get Paging Token stands for a datetime and returns the activities after it
 * (DEV:help/rest-api/paging-tokens.md "Date-Based"), so each sub-window gets its own token and
 * its chain stops where the next sub-window begins.
 *
 * Pure functions only: the run in lead-changes.ts drives the calls.
 */

/** Marketo's dates have whole seconds; boundaries too, so no activity falls inside one. */
const SECOND = 1000;
/** A sub-window is worth its extra paging token only when it holds a few pages. */
export const MIN_PAGES_PER_WINDOW = 4;

function floorToSecond(ms: number): number {
  return Math.floor(ms / SECOND) * SECOND;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The first window of a run: it continues the saved tokens and owns everything until split. */
export function firstWindow(changesToken: string, deletionsToken: string): ChangeWindow {
  return {
    changes: { nextPageToken: changesToken, done: false },
    deletions: { nextPageToken: deletionsToken, done: false },
  };
}

/** Whether the window owns an activity dated `at`: the neighbour that does reads it too. */
export function placeOf(window: ChangeWindow, at: number): 'before' | 'inside' | 'after' {
  if (window.from !== undefined && at < Date.parse(window.from)) return 'before';
  if (window.until !== undefined && at >= Date.parse(window.until)) return 'after';
  return 'inside';
}

/**
 * The boundaries that split (lo, hi] into at most `count` windows of whole seconds, or none
 * when the span is too short. The first window ends at the first boundary.
 */
export function splitBoundaries(lo: number, hi: number, count: number): number[] {
  const start = floorToSecond(lo) + SECOND;
  const end = floorToSecond(hi);
  const seconds = (end - start) / SECOND;
  const windows = Math.min(count, Math.floor(seconds) + 1);
  const out: number[] = [];
  for (let k = 1; k < windows; k += 1) {
    const at = start + Math.floor((k * seconds) / windows) * SECOND;
    if (out.length === 0 || at > out[out.length - 1]!) out.push(at);
  }
  return out;
}

/**
 * How many windows a backlog deserves, judged from the first page: it covered `pageSpanMs` of
 * Marketo time, and `remainingMs` remain to now. Unknown (an empty page) plans none yet.
 */
export function windowsFor(pageSpanMs: number, remainingMs: number, max: number): number {
  const pages = remainingMs / Math.max(SECOND, pageSpanMs);
  return Math.max(1, Math.min(max, Math.floor(pages / MIN_PAGES_PER_WINDOW)));
}

/**
 * Splits a window at `boundaries`: it keeps its tokens and now ends at the first boundary (set
 * in place: its chains are running and read `until` page by page); the new windows that follow
 * start without a token (they share one from Get Paging Token), the last ending where it did.
 */
export function splitWindow(window: ChangeWindow, boundaries: number[]): ChangeWindow[] {
  if (boundaries.length === 0) return [];
  const end = window.until;
  window.until = iso(boundaries[0]!);
  return boundaries.map((from, k) => {
    const next = boundaries[k + 1];
    const until = next === undefined ? end : iso(next);
    return {
      from: iso(from),
      ...(until === undefined ? {} : { until }),
      changes: { done: false },
      deletions: { done: false },
    };
  });
}

/**
 * The window worth splitting while fewer windows than allowed page (the changes bunched in part
 * of the span, as after a list import): the one with the most pages ahead at the pace of its
 * latest page of changes (`pageSpans`: the Marketo time that page covered), if at least two
 * windows' worth. It is cut in the middle of what remains, after anything either chain applied.
 */
export function pickSplit(
  windows: ChangeWindow[],
  pageSpans: Map<ChangeWindow, number>,
  now: number,
): { window: ChangeWindow; at: number } | undefined {
  let best: { window: ChangeWindow; at: number; pages: number } | undefined;
  for (const window of windows) {
    const span = pageSpans.get(window);
    if (window.changes.done || span === undefined) continue;
    const applied = [window.changes.highWater, window.deletions.highWater, window.from]
      .filter((at): at is string => at !== undefined)
      .map((at) => Date.parse(at));
    if (applied.length === 0) continue;
    const from = Math.max(...applied);
    const end = window.until === undefined ? now : Date.parse(window.until);
    const pages = (end - from) / Math.max(SECOND, span);
    const at = floorToSecond(from + (end - from) / 2);
    if (pages < 2 * MIN_PAGES_PER_WINDOW || at <= from || at >= end) continue;
    if (!best || pages > best.pages) best = { window, at, pages };
  }
  return best && { window: best.window, at: best.at };
}

/**
 * The newest activity applied with nothing older left unread: the newest among the finished
 * windows in front and the first unfinished one.
 */
export function highWaterOf(
  windows: ChangeWindow[],
  pass: 'changes' | 'deletions',
): string | undefined {
  let newest: string | undefined;
  for (const window of windows) {
    const chain: WindowChain = window[pass];
    if (chain.highWater !== undefined && (newest === undefined || chain.highWater > newest)) {
      newest = chain.highWater;
    }
    if (!chain.done) break;
  }
  return newest;
}

/**
 * Where a single cursor would stand after covering as much Marketo time as the windows have
 * together since `start` (a finished window counts to its end), for the pass's ETA.
 */
export function coveredThrough(windows: ChangeWindow[], start: number): number {
  let covered = 0;
  for (const window of windows) {
    const begin = window.from === undefined ? start : Date.parse(window.from);
    const reached =
      window.changes.done && window.until !== undefined
        ? Date.parse(window.until)
        : window.changes.highWater === undefined
          ? begin
          : Date.parse(window.changes.highWater);
    covered += Math.max(0, reached - begin);
  }
  return start + covered;
}
