import type { SyncRunSummary, SyncState } from '../records/sync-state.js';

/** What the sync's health is judged from: the shared state in the store and this process. */
export interface SyncFacts {
  /** SYNC_ENABLED: with the sync off there is nothing to be late. */
  enabled: boolean;
  /** The store's sync state: the leader writes it, so every replica reads the same. */
  state: Pick<SyncState, 'phase' | 'full' | 'lastRun' | 'lastSuccessAt' | 'caughtUpAt' | 'changes'>;
  /**
   * This process's own last run, kept in memory: a run whose store write failed could not
   * persist its outcome (sync-status.ts reads it the same way).
   */
  localLastRun: SyncRunSummary | undefined;
  /** A run is under way in this process. */
  localRunning: boolean;
  now: number;
  /** When this process started: a replica gives the first sync this long to happen. */
  startedAt: number;
  /** READY_MAX_SYNC_AGE_MINUTES in ms. */
  maxAgeMs: number;
}

export interface SyncHealth {
  /** No sync success within the allowed age and none is running: /ready fails, /health degrades. */
  stuck: boolean;
  /** Why it is stuck, in words with codes only (no message text, which may quote data). */
  reason: string | undefined;
  running: boolean;
  lastRun: SyncRunSummary | undefined;
  lastSuccessAt: number | undefined;
  /** Seconds the copy is behind: now minus when it last caught up with Marketo. */
  lagSeconds: number | undefined;
}

/**
 * Judges the lead sync for GET /health, GET /ready and the metrics. A pure function of the
 * facts, so the rules are tested as a table.
 */
export function assessSync(facts: SyncFacts): SyncHealth {
  const { state, now } = facts;
  const lastRun = newerRun(state.lastRun, facts.localLastRun);
  const lastSuccessAt = latest(
    parseTime(state.lastSuccessAt),
    lastRun?.outcome === 'succeeded' ? parseTime(lastRun.finishedAt) : undefined,
  );
  const running = facts.localRunning || fullCopyUnderWay(state, lastRun);
  // The copy reflects Marketo as of when it last caught up; the change cursor's newest
  // activity only moves when leads change, so a quiet instance would look far behind.
  const cursor = latest(parseTime(state.caughtUpAt), parseTime(state.changes.highWater));
  const lagSeconds = cursor === undefined ? undefined : Math.max(0, (now - cursor) / 1000);
  const base = { running, lastRun, lastSuccessAt, lagSeconds };
  if (!facts.enabled || running) return { ...base, stuck: false, reason: undefined };
  const since = lastSuccessAt ?? facts.startedAt;
  if (now - since <= facts.maxAgeMs) return { ...base, stuck: false, reason: undefined };
  const minutes = Math.round(facts.maxAgeMs / 60_000);
  const failed = lastRun !== undefined && lastRun.outcome !== 'succeeded';
  const reason = failed
    ? `the lead sync has not succeeded for over ${minutes} minutes; its last run ended ` +
      `${lastRun.outcome}${lastRun.error ? ` (${lastRun.error.code})` : ''}`
    : `no lead sync has succeeded for over ${minutes} minutes`;
  return { ...base, stuck: true, reason };
}

/**
 * Another replica's run is visible only through the store: a full copy begun after the last
 * recorded run ended is still under way (each page checkpoints it; the run's end records it).
 */
function fullCopyUnderWay(state: SyncFacts['state'], lastRun: SyncRunSummary | undefined) {
  if (state.phase !== 'full' || state.full === undefined) return false;
  const began = parseTime(state.full.startedAt) ?? 0;
  const lastEnded = parseTime(lastRun?.finishedAt ?? lastRun?.startedAt) ?? 0;
  return began > lastEnded;
}

function newerRun(a: SyncRunSummary | undefined, b: SyncRunSummary | undefined) {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return b.runId === a.runId || b.startedAt > a.startedAt ? b : a;
}

function parseTime(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

function latest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}
