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
 * Splits the run's only window at `boundaries`: it keeps its tokens and now ends at the first
 * boundary (set in place: its chains are running); the new windows that follow start without
 * a token (they share one from Get Paging Token).
 */
export function splitWindow(first: ChangeWindow, boundaries: number[]): ChangeWindow[] {
  if (boundaries.length === 0) return [];
  first.until = iso(boundaries[0]!);
  return boundaries.map((from, k) => {
    const until = boundaries[k + 1];
    return {
      from: iso(from),
      ...(until === undefined ? {} : { until: iso(until) }),
      changes: { done: false },
      deletions: { done: false },
    };
  });
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
