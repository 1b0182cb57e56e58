import type { Clock } from '../deps.js';

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
  /** Seconds left for the full copy, when it can be estimated. */
  etaSeconds: number | undefined;
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
  };

  function update(change: Partial<SyncProgress>): void {
    const elapsedS = Math.max((args.clock.now() - startedMs) / 1000, 0.001);
    const next = { ...current, ...change };
    next.calls = args.callsSoFar() - callsAtStart;
    next.leadsPerSecond = next.leadsUpserted / elapsedS;
    next.etaSeconds =
      next.leadsExpected !== undefined && next.leadsPerSecond > 0
        ? Math.max(0, (next.leadsExpected - next.leadsUpserted) / next.leadsPerSecond)
        : undefined;
    current = next;
    args.onProgress?.(current);
  }

  return {
    update,
    get: (): SyncProgress => current,
  };
}

/** One human-readable progress line, e.g. for the CLI. */
export function formatProgress(p: SyncProgress, callsToday?: number, quota?: number): string {
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const expected = p.leadsExpected !== undefined ? ` / ~${n(p.leadsExpected)}` : '';
  const pct =
    p.leadsExpected && p.leadsExpected > 0
      ? ` (${Math.min(100, (100 * p.leadsUpserted) / p.leadsExpected).toFixed(1)}%)`
      : '';
  const today = callsToday !== undefined && quota ? ` | today ${n(callsToday)}/${n(quota)}` : '';
  const eta = p.etaSeconds !== undefined ? ` | ETA ${formatSeconds(p.etaSeconds)}` : '';
  return (
    `[${p.phase}] leads ${n(p.leadsUpserted)}${expected}${pct} | deleted ${n(p.leadsDeleted)}` +
    ` | calls ${n(p.calls)}${today} | ${n(p.leadsPerSecond)} leads/s${eta}`
  );
}

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
