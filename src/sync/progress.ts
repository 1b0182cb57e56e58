import type { MarketoClientStats } from '../clients/marketo/types.js';
import type { Clock } from '../deps.js';
import type { SyncRunSummary } from '../store/types.js';

export type SyncPhase =
  | 'starting'
  | 'checking-fields'
  | 'probing'
  | 'full-rest'
  | 'full-bulk'
  | 'changes'
  | 'deletions'
  | 'done';

/** What a running sync reports: for `npm run sync`, `/api/sync/status` and the logs. */
export interface SyncProgress {
  runId: string;
  phase: SyncPhase;
  startedAt: string;
  leadsUpserted: number;
  leadsDeleted: number;
  /** Leads the full copy expects to move, when known (from the id probe or export counts). */
  leadsExpected: number | undefined;
  /** Marketo calls this run has made so far. */
  calls: number;
  /** Leads per second since the run started. */
  leadsPerSecond: number;
  /**
   * Seconds left, when it can be estimated: for the full copy from the leads expected, for the
   * incremental pass from how far the change cursor has come towards now.
   */
  etaSeconds: number | undefined;
  /** The change cursor: the newest change read so far (ISO 8601). */
  changesThrough: string | undefined;
}

/** Keeps a run's progress and derives rate and ETA from the injected clock. */
export function createProgressTracker(args: {
  runId: string;
  clock: Clock;
  callsSoFar: () => number;
  onProgress?: (progress: SyncProgress) => void;
}) {
  const startedMs = args.clock.now();
  const callsAtStart = args.callsSoFar();
  let current: SyncProgress = {
    runId: args.runId,
    phase: 'starting',
    startedAt: new Date(startedMs).toISOString(),
    leadsUpserted: 0,
    leadsDeleted: 0,
    leadsExpected: undefined,
    calls: 0,
    leadsPerSecond: 0,
    etaSeconds: undefined,
    changesThrough: undefined,
  };
  /** When the change pass began, and where its cursor stood then. */
  let changes: { startedMs: number; from: number | undefined } | undefined;

  function update(change: Partial<SyncProgress>): void {
    const now = args.clock.now();
    const elapsedS = Math.max((now - startedMs) / 1000, 0.001);
    const next = { ...current, ...change };
    if (next.phase === 'changes' && changes === undefined) {
      changes = { startedMs: now, from: parseTime(current.changesThrough) };
    }
    if (changes !== undefined && changes.from === undefined) {
      changes.from = parseTime(next.changesThrough);
    }
    next.calls = args.callsSoFar() - callsAtStart;
    next.leadsPerSecond = next.leadsUpserted / elapsedS;
    next.etaSeconds =
      next.phase === 'done'
        ? 0
        : next.phase === 'changes' && changes !== undefined
          ? changesEta(changes, parseTime(next.changesThrough), now)
          : copyEta(next);
    current = next;
    args.onProgress?.(current);
  }

  return {
    update,
    get: (): SyncProgress => current,
  };
}

/**
 * The change pass's ETA: the cursor moves from `from` towards now; at the pace it has kept
 * since the pass began, the rest of the way takes this long.
 */
function changesEta(
  changes: { startedMs: number; from: number | undefined },
  through: number | undefined,
  now: number,
): number | undefined {
  if (changes.from === undefined || through === undefined) return undefined;
  const covered = through - changes.from;
  const spent = now - changes.startedMs;
  if (covered <= 0 || spent <= 0) return undefined;
  return Math.max(0, ((now - through) * spent) / covered / 1000);
}

/** The full copy's ETA at the run's rate so far, which includes every wait it has had. */
function copyEta(p: SyncProgress): number | undefined {
  if (p.leadsExpected === undefined || p.leadsPerSecond <= 0) return undefined;
  return Math.max(0, (p.leadsExpected - p.leadsUpserted) / p.leadsPerSecond);
}

/**
 * The progress as of `now`, for a line written between the run's reports (the CLI writes one a
 * second, also while the run waits): the rate over the run so far, waits included, and an ETA
 * never shorter than the wait known to lie ahead (`waitUntil`: room in the call budget, or the
 * daily quota's reset). A copy's first burst of calls alone would promise an ETA of a second.
 */
export function progressAt(p: SyncProgress, now: number, waitUntil?: number): SyncProgress {
  const elapsedS = Math.max((now - Date.parse(p.startedAt)) / 1000, 0.001);
  const next = { ...p, leadsPerSecond: p.leadsUpserted / elapsedS };
  if (next.phase === 'full-rest' || next.phase === 'full-bulk') next.etaSeconds = copyEta(next);
  if (next.etaSeconds !== undefined && next.phase !== 'done' && waitUntil !== undefined) {
    next.etaSeconds = Math.max(next.etaSeconds, (waitUntil - now) / 1000);
  }
  return next;
}

/** When the wait `describeWait` names ends, if the client is waiting. */
export function waitEndsAt(stats: MarketoClientStats, now: number): number | undefined {
  if (stats.pausedUntil !== undefined && stats.pausedUntil > now) return stats.pausedUntil;
  const budget = stats.budget;
  if (budget === undefined || budget.queued === 0) return undefined;
  return budget.nextRoomAt;
}

function parseTime(iso: string | undefined): number | undefined {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * What the sync is waiting for, from the client's stats, or undefined while calls flow: the
 * daily quota, room in the rate window (with the time it frees up), or a free connection.
 */
export function describeWait(stats: MarketoClientStats, now: number): string | undefined {
  if (stats.pausedUntil !== undefined && stats.pausedUntil > now) {
    return `waiting: Marketo's daily quota is used up until ${clockTime(stats.pausedUntil)}`;
  }
  const budget = stats.budget;
  if (budget === undefined || budget.queued === 0) return undefined;
  if (budget.nextRoomAt !== undefined) {
    const per = `${budget.limit} calls per ${Math.round(budget.windowMs / 1000)} s`;
    return `waiting for the call budget (${per}) until ${clockTime(budget.nextRoomAt)}`;
  }
  if (budget.inFlight >= budget.maxConcurrency) {
    return `waiting for a free connection (${budget.maxConcurrency} in flight)`;
  }
  return undefined;
}

/** One human-readable progress line, e.g. for the CLI. */
export function formatProgress(
  p: SyncProgress,
  extra: { callsToday?: number; dailyQuota?: number; wait?: string } = {},
): string {
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const { callsToday, dailyQuota, wait } = extra;
  const expected = p.leadsExpected !== undefined ? ` / ~${n(p.leadsExpected)}` : '';
  const pct =
    p.leadsExpected && p.leadsExpected > 0
      ? ` (${Math.min(100, (100 * p.leadsUpserted) / p.leadsExpected).toFixed(1)}%)`
      : '';
  const today =
    callsToday !== undefined && dailyQuota ? ` | today ${n(callsToday)}/${n(dailyQuota)}` : '';
  const eta = p.etaSeconds !== undefined ? ` | ETA ${formatSeconds(p.etaSeconds)}` : '';
  return (
    `[${p.phase}] leads ${n(p.leadsUpserted)}${expected}${pct} | deleted ${n(p.leadsDeleted)}` +
    ` | calls ${n(p.calls)}${today} | ${n(p.leadsPerSecond)} leads/s${eta}` +
    (wait === undefined ? '' : ` | ${wait}`)
  );
}

/** `HH:MM:SSZ`, UTC: the moment a wait ends. */
function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)}Z`;
}

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/**
 * The progress line written once the run has ended: the run's own totals (a report may land
 * after the last tick), so it agrees with the summary that follows it.
 */
export function formatFinalProgress(
  report: SyncRunSummary,
  last: SyncProgress | undefined,
  extra: { callsToday?: number; dailyQuota?: number } = {},
): string {
  const finishedAt = Date.parse(report.finishedAt ?? report.startedAt);
  const base: SyncProgress = last ?? {
    runId: report.runId,
    phase: 'starting',
    startedAt: report.startedAt,
    leadsExpected: undefined,
    changesThrough: undefined,
    leadsUpserted: 0,
    leadsDeleted: 0,
    calls: 0,
    leadsPerSecond: 0,
    etaSeconds: undefined,
  };
  const done = report.outcome === 'succeeded';
  const final = progressAt(
    {
      ...base,
      startedAt: report.startedAt,
      phase: done ? 'done' : base.phase,
      leadsUpserted: report.leadsUpserted,
      leadsDeleted: report.leadsDeleted,
      calls: report.calls,
      etaSeconds: done ? 0 : undefined,
    },
    finishedAt,
  );
  return formatProgress(final, extra);
}

/** The last line: the run's own report, so it never disagrees with the progress before it. */
export function formatSummary(report: SyncRunSummary, leadsStored: number): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const seconds = (Date.parse(report.finishedAt ?? '') - Date.parse(report.startedAt)) / 1000;
  return (
    `Sync ${report.outcome}: ${report.mode} (${report.strategy}), ` +
    `${n(report.leadsUpserted)} leads written, ${n(report.leadsDeleted)} deleted, ` +
    `${n(report.calls)} Marketo calls, ${seconds.toFixed(1)} s; ${n(leadsStored)} leads stored.`
  );
}
