import type { LeadExportJob } from '../clients/marketo/types.js';
import { delay } from './delay.js';
import { parseLeadCsv } from './lead-csv.js';
import { type SyncRun, chunk, toUpsert } from './sync-context.js';

/**
 * The full copy by bulk lead extract (bulk-lead-extract.md): one `createdAt` window at a time,
 * each at most 31 days, through the create -> enqueue -> poll status -> file steps.
 *
 * - The export id is saved before the job is enqueued, so a restart re-attaches to the same
 *   job instead of exporting (and paying the 500 MB/day quota for) the window again.
 * - One job at a time leaves the second of Marketo's two processing slots to other
 *   integrations (Adobe's "How to Retrieve Every Person" recipe does the same).
 * - A full queue (1029 "Too many jobs in queue") waits and tries again; the export daily
 *   quota (1029 "Export daily quota exceeded") surfaces as MARKETO_DAILY_QUOTA from the client
 *   and ends the run as quota-deferred, resuming from the saved window after the reset.
 */
export const BULK_WINDOW_MS = 31 * 24 * 3600_000 - 1000;
const UPSERT_CHUNK = 2000;
const MAX_FAILED_JOBS = 3;

export async function runBulkExtract(run: SyncRun): Promise<void> {
  const bulk = run.state.full?.bulk;
  if (!bulk) throw new Error('runBulkExtract needs state.full.bulk');
  const { marketo, clock } = run.deps;
  const fieldTypes = run.fieldTypes ?? new Map<string, string>();
  let failedJobs = 0;

  const until = Date.parse(isoSeconds(Date.parse(bulk.until)));
  while (!run.aborted && Date.parse(isoSeconds(Date.parse(bulk.windowStart))) < until) {
    if (!bulk.exportId) {
      const start = Date.parse(isoSeconds(Date.parse(bulk.windowStart)));
      const end = Math.min(start + BULK_WINDOW_MS, until);
      const job = await marketo.createLeadExport({
        fields: ['id', ...run.options.fields],
        createdAt: { startAt: isoSeconds(start), endAt: isoSeconds(end) },
      });
      bulk.exportId = job.exportId;
      bulk.windowEnd = isoSeconds(end);
      await run.checkpoint();
    }
    const exportId = bulk.exportId;
    const job = await waitForExport(run, exportId);
    if (!job) return; // aborted while waiting: the saved export id is picked up next run
    if (job.status !== 'Completed') {
      failedJobs += 1;
      run.deps.logger.warn({ exportId, status: job.status }, 'bulk lead export did not complete');
      if (failedJobs >= MAX_FAILED_JOBS) {
        throw new Error(`bulk lead export ${exportId} ended ${job.status} ${failedJobs} times`);
      }
      bulk.exportId = undefined;
      await run.checkpoint();
      continue;
    }
    const observedAt = clock.now();
    const csv = await marketo.getLeadExportFile(exportId, job.fileChecksum);
    const leads = parseLeadCsv(csv, fieldTypes);
    for (const part of chunk(leads, UPSERT_CHUNK)) {
      const ignored = await run.checkpoint({
        upserts: part.map((lead) => toUpsert(lead, run.options.fields, observedAt)),
      });
      run.readAgainLater(ignored);
    }
    // The window is done once its leads are durable, and then together with the ids the store
    // ignored: a crash before this checkpoint takes the same export's file again.
    advanceWindow(bulk);
    await run.checkpoint();
  }
}

function advanceWindow(bulk: NonNullable<NonNullable<SyncRun['state']['full']>['bulk']>): void {
  bulk.windowStart = bulk.windowEnd ?? isoSeconds(Date.parse(bulk.until));
  bulk.exportId = undefined;
  bulk.windowEnd = undefined;
  bulk.windowsDone += 1;
}

/** Enqueues a created job and polls until it ends; undefined if the run was aborted. */
async function waitForExport(run: SyncRun, exportId: string): Promise<LeadExportJob | undefined> {
  const { marketo } = run.deps;
  const pollMs = run.options.bulkPollMs;
  let job = await marketo.getLeadExportStatus(exportId);
  while (job.status === 'Created') {
    try {
      job = await marketo.enqueueLeadExport(exportId);
    } catch (error) {
      if (!isQueueFull(error)) throw error;
      run.deps.logger.info({ exportId }, 'bulk export queue is full; waiting for a slot');
      await delay(pollMs, run.options.signal);
      if (run.aborted) return undefined;
    }
  }
  while (job.status === 'Queued' || job.status === 'Processing') {
    await delay(pollMs, run.options.signal);
    if (run.aborted) return undefined;
    job = await marketo.getLeadExportStatus(exportId);
  }
  return job;
}

function isQueueFull(error: unknown): boolean {
  const e = error as { marketoCode?: string; message?: string };
  return e?.marketoCode === '1029' && /queue/i.test(e.message ?? '');
}

/** ISO 8601 without milliseconds, as the bulk API requires. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
