import { callsRemaining } from '../clients/marketo/index.js';
import { AppError, StoreError } from '../errors.js';
import type { SyncRunSummary } from '../store/types.js';
import { RECENT_SYNC_RUNS } from '../records/sync-state.js';
import { runBulkExtract } from './bulk-extract.js';
import { probeIdRange } from './id-range-probe.js';
import { runChangePass } from './change-pass.js';
import { createProgressTracker, type SyncProgress } from './progress.js';
import { runRestScan } from './rest-scan.js';
import { MARKETO_BATCH, SyncRun, type SyncDeps, type SyncOptions } from './sync-context.js';
import { checkSyncFields, fieldsCovered } from './sync-fields.js';

/**
 * Deleted-lead activities older than 14 days may be pruned (Get Deleted Leads, swagger-mapi),
 * so a copy that has not caught up for that long re-copies everything and sweeps the leads the
 * copy no longer holds.
 */
export const DELETION_RETENTION_MS = 14 * 24 * 3600_000;
/** The REST id scan is chosen while it needs at most this share of today's remaining calls. */
export const REST_SHARE_OF_REMAINING_QUOTA = 0.5;

export interface SyncReport extends SyncRunSummary {
  progress: SyncProgress;
}

/**
 * One lead sync: a full copy when the local copy is new (or SYNC_FIELDS gained a field, or it
 * fell too far behind), then the incremental catch-up from the saved cursors. Every page is
 * checkpointed; calling this again after a crash continues where the last checkpoint left off.
 */
export async function runLeadSync(deps: SyncDeps, options: SyncOptions): Promise<SyncReport> {
  const runId = deps.ids.next();
  const tracker = createProgressTracker({
    runId,
    clock: deps.clock,
    callsSoFar: () => deps.marketo.stats().calls,
    onProgress: options.onProgress,
  });
  const run = new SyncRun(deps, options, runId, tracker.update, await deps.store.loadSyncState());
  const startedAt = new Date(deps.clock.now()).toISOString();
  let mode: SyncRunSummary['mode'] = run.state.phase === 'incremental' ? 'incremental' : 'full';
  let outcome: SyncRunSummary['outcome'] = 'succeeded';
  let fullStrategy: 'rest' | 'bulk' | undefined = run.state.full?.strategy;
  let error: SyncRunSummary['error'];

  try {
    await checkSyncFields(run);
    if (needsFullCopy(run)) await startFullCopy(run);
    if (run.state.phase === 'full') {
      mode = 'full';
      fullStrategy = run.state.full?.strategy;
      await continueFullCopy(run);
    }
    if (run.state.phase === 'incremental' && !run.aborted) {
      // A run that resumes the sub-windows of a stopped one ends where that run's last window
      // read to, which may be long ago (a restart, a leader killed): a second pass, from the
      // cursor the first one leaves, reads on to now.
      const resumed = run.state.windows !== undefined;
      await runChangePass(run);
      if (resumed && !run.aborted && run.state.windows === undefined) await runChangePass(run);
    }
    if (run.aborted) outcome = 'stopped';
  } catch (caught) {
    const appError = caught instanceof AppError ? caught : undefined;
    if (run.aborted && appError?.code === 'MARKETO_STOPPED') {
      // Our own stop ended the calls waiting for budget (never sent) and those in flight (read
      // only): every page before them is checkpointed, and the next run resumes from there.
      outcome = 'stopped';
    } else {
      outcome = appError?.code === 'MARKETO_DAILY_QUOTA' ? 'quota-deferred' : 'failed';
      error = summaryError(caught);
    }
  }

  const finishedAt = new Date(deps.clock.now()).toISOString();
  tracker.update({ phase: 'done' });
  const summary: SyncRunSummary = {
    runId,
    mode,
    strategy: mode === 'full' ? (fullStrategy ?? 'rest') : 'changes',
    startedAt,
    finishedAt,
    outcome,
    leadsUpserted: run.leadsUpserted,
    leadsDeleted: run.leadsDeleted,
    calls: tracker.get().calls,
    ...(error ? { error } : {}),
  };
  run.state.lastRun = summary;
  run.state.recentRuns = [summary, ...(run.state.recentRuns ?? [])].slice(0, RECENT_SYNC_RUNS);
  if (outcome === 'succeeded') {
    run.state.lastSuccessAt = finishedAt;
    run.state.lastError = undefined;
  } else if (error) {
    run.state.lastError = { at: finishedAt, ...error };
  }
  try {
    await run.checkpoint();
  } catch (commitError) {
    summary.outcome = 'failed';
    // The run's own error, if any, came first; else this is why the run failed.
    summary.error ??= summaryError(commitError);
    deps.logger.error({ runId, err: commitError }, 'could not save the sync summary');
  }
  if (error) deps.logger.warn({ runId, outcome, error }, 'lead sync ended early');
  else deps.logger.info({ runId, mode, ...countsOf(summary) }, 'lead sync finished');
  return { ...summary, progress: tracker.get() };
}

/**
 * The error a run summary records, which /api/sync/status shows: a store error's message names
 * the file and the system error, kept for the log (as the HTTP error handler does).
 */
function summaryError(caught: unknown): NonNullable<SyncRunSummary['error']> {
  if (caught instanceof StoreError) {
    return {
      code: caught.code,
      message:
        caught.code === 'STORE_UNAVAILABLE'
          ? 'The database did not answer; the service log has the cause. The next run resumes.'
          : 'The data store could not complete a write; the service log names the file and the cause.',
    };
  }
  return {
    code: caught instanceof AppError ? caught.code : 'SYNC_FAILED',
    message: caught instanceof Error ? caught.message : String(caught),
  };
}

function needsFullCopy(run: SyncRun): boolean {
  const { state } = run;
  if (state.phase === 'full') return false;
  // Asked for (a "full re-sync"): the same path as a change of SYNC_FIELDS.
  if (state.phase === 'none' || run.options.full === true) return true;
  if (!fieldsCovered(state.fields, run.options.fields)) return true;
  const caughtUp = Math.max(
    state.lastSuccessAt ? Date.parse(state.lastSuccessAt) : 0,
    state.caughtUpAt ? Date.parse(state.caughtUpAt) : 0,
  );
  return run.deps.clock.now() - caughtUp > DELETION_RETENTION_MS;
}

async function startFullCopy(run: SyncRun): Promise<void> {
  const { marketo, clock } = run.deps;
  run.report({ phase: 'probing' });
  const now = clock.now();
  const probe = await probeIdRange(marketo);
  // The change cursors start before the copy reads its first lead: whatever changes while the
  // copy runs is caught by the incremental pass that follows it. The start is taken on
  // Marketo's clock (the probe's HTTP Date) so clock skew needs only a short overlap.
  run.noteServerTime(probe.serverTime);
  if (!run.state.changes.nextPageToken || !run.state.deletions.nextPageToken) {
    const token = await run.pagingToken({});
    run.state.changes.nextPageToken ??= token;
    run.state.deletions.nextPageToken ??= token;
  }
  const tailIds = (run.options.scanTailBatches ?? 10) * MARKETO_BATCH;
  const restCalls = Math.ceil(((probe.maxFound ?? 0) - probe.scanFrom + 1 + tailIds) / 300);
  const remaining = callsRemaining(marketo.stats());
  // Bulk only when the scan would take too much of today's calls. When no probe found a lead the
  // instance is (nearly) empty: a short scan from id 1 costs a few calls, and leads created
  // later arrive through the change cursor, which was set above.
  const strategy =
    run.options.fullStrategy !== 'auto'
      ? run.options.fullStrategy
      : probe.minFound === undefined || restCalls <= remaining * REST_SHARE_OF_REMAINING_QUOTA
        ? 'rest'
        : 'bulk';
  run.deps.logger.info(
    { strategy, restCalls, remainingCalls: remaining, expectedLeads: probe.expectedLeads },
    'full lead copy starting',
  );
  const startedAt = new Date(now).toISOString();
  run.state.phase = 'full';
  run.state.fields = [...run.options.fields];
  run.state.full =
    strategy === 'rest'
      ? {
          strategy,
          startedAt,
          rest: {
            lo: probe.scanFrom,
            hi: probe.maxFound ?? probe.scanFrom - 1,
            floorKnown: probe.floorKnown,
            ...(probe.tailIds !== undefined ? { tailIds: probe.tailIds } : {}),
            batch: MARKETO_BATCH,
            done: [],
            expected: probe.expectedLeads,
          },
        }
      : {
          strategy,
          startedAt,
          bulk: {
            windowStart: bulkStart(probe.oldestCreatedAt),
            until: startedAt,
            windowsDone: 0,
          },
        };
  await run.checkpoint();
}

async function continueFullCopy(run: SyncRun): Promise<void> {
  const full = run.state.full;
  if (!full) throw new Error('continueFullCopy needs state.full');
  run.report({ leadsExpected: full.rest?.expected });
  if (full.strategy === 'rest') {
    run.report({ phase: 'full-rest' });
    await runRestScan(run);
  } else {
    if (!run.fieldTypes) await checkSyncFields(run, { force: true });
    run.report({ phase: 'full-bulk' });
    await runBulkExtract(run);
  }
  if (run.aborted) return;
  // Leads the copy did not see, and nothing touched since it began, no longer exist.
  const stale = await run.deps.store.leadIdsObservedBefore(Date.parse(full.startedAt));
  run.state.phase = 'incremental';
  run.state.full = undefined;
  run.state.caughtUpAt = new Date(run.deps.clock.now()).toISOString();
  await run.checkpoint({ deletes: stale });
}

/** A day before the oldest lead, or Marketo's founding year when the probe found none. */
function bulkStart(oldestCreatedAt: string | undefined): string {
  const oldest = oldestCreatedAt ? Date.parse(oldestCreatedAt) : Number.NaN;
  const start = Number.isNaN(oldest) ? Date.UTC(2006, 0, 1) : oldest - 24 * 3600_000;
  return new Date(start).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function countsOf(s: SyncRunSummary) {
  return { leadsUpserted: s.leadsUpserted, leadsDeleted: s.leadsDeleted, calls: s.calls };
}
