import { callsRemaining } from '../clients/marketo/index.js';
import type { MarketoApi } from '../clients/marketo/types.js';
import { RECENT_SYNC_RUNS } from '../records/sync-state.js';
import type { Store } from '../store/types.js';
import type { SyncRunner } from './sync-runner.js';

/** The document behind GET /api/sync/status. */
export async function buildSyncStatus(deps: {
  store: Store;
  marketo: MarketoApi;
  runner: SyncRunner;
  cron: string;
}) {
  const [state, leadsStored] = await Promise.all([
    deps.store.loadSyncState(),
    deps.store.countLeads(),
  ]);
  const run = deps.runner.status();
  const stats = deps.marketo.stats();
  // The persisted outcome, or this process's own when newer or the same run's: a run whose
  // store write failed could not persist it (nor a failure it ended with).
  const remembered = run.lastRun;
  const fromMemory =
    remembered !== undefined &&
    (state.lastRun === undefined ||
      state.lastRun.runId === remembered.runId ||
      remembered.startedAt > state.lastRun.startedAt);
  const lastRun = fromMemory ? remembered : state.lastRun;
  const lastError =
    fromMemory && remembered.error
      ? { at: remembered.finishedAt ?? remembered.startedAt, ...remembered.error }
      : fromMemory && remembered.outcome === 'succeeded'
        ? undefined
        : state.lastError;
  const persisted = state.recentRuns ?? (state.lastRun === undefined ? [] : [state.lastRun]);
  const recentRuns = fromMemory
    ? [remembered, ...persisted.filter((r) => r.runId !== remembered.runId)].slice(
        0,
        RECENT_SYNC_RUNS,
      )
    : persisted;
  const lastOutcome = lastRun?.outcome;
  return {
    state:
      run.state === 'running'
        ? 'running'
        : lastOutcome === undefined
          ? 'never-run'
          : lastOutcome === 'failed' || lastOutcome === 'quota-deferred'
            ? lastOutcome
            : 'idle',
    phase: state.phase,
    schedule: deps.cron,
    currentRun: run.state === 'running' ? { trigger: run.trigger, ...run.progress } : null,
    lastRun: lastRun ?? null,
    /** The last runs, newest first. */
    recentRuns,
    lastSuccessAt: state.lastSuccessAt ?? null,
    cursor: {
      changesThrough: state.changes.highWater ?? null,
      deletionsThrough: state.deletions.highWater ?? null,
      pendingLeads: state.changes.pendingLeadIds.length,
    },
    fullCopy: state.full
      ? { strategy: state.full.strategy, startedAt: state.full.startedAt }
      : null,
    fields: state.fields,
    leadsStored,
    calls: {
      today: stats.callsToday,
      remaining: callsRemaining(stats),
      dailyQuota: stats.dailyQuota,
      pausedUntil: stats.pausedUntil ? new Date(stats.pausedUntil).toISOString() : null,
      errorsByCode: stats.errorsByCode,
    },
    lastError: lastError ?? null,
  };
}
