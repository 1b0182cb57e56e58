import { callsRemaining } from '../clients/marketo/index.js';
import type { MarketoApi } from '../clients/marketo/types.js';
import type { Store } from '../store/types.js';
import type { SyncRunner } from './sync-runner.js';

/** The document behind GET /api/sync/status. */
export function buildSyncStatus(deps: {
  store: Store;
  marketo: MarketoApi;
  runner: SyncRunner;
  cron: string;
}) {
  const state = deps.store.loadSyncState();
  const run = deps.runner.status();
  const stats = deps.marketo.stats();
  const lastOutcome = state.lastRun?.outcome;
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
    lastRun: state.lastRun ?? null,
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
    leadsStored: deps.store.countLeads(),
    calls: {
      today: stats.callsToday,
      remaining: callsRemaining(stats),
      dailyQuota: stats.dailyQuota,
      pausedUntil: stats.pausedUntil ? new Date(stats.pausedUntil).toISOString() : null,
      errorsByCode: stats.errorsByCode,
    },
    lastError: state.lastError ?? null,
  };
}
