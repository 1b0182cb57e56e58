import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../deps.js';
import { marketoErrors, parseIsoDate, toIso } from './envelope.js';
import { renderLeadFile, type ExportFormat } from './sandbox-csv.js';
import { FIELDS_BY_NAME } from './sandbox-fields.js';
import type { LeadStore } from './sandbox-lead-store.js';
import { marketoDayOf } from './sandbox-limits.js';
import { parseMarketo } from './sandbox-params.js';
import type { SandboxLead, SandboxLimits } from './sandbox-types.js';

/**
 * Bulk Lead Extract jobs (DEV:help/rest-api/bulk-extract.md, bulk-lead-extract.md):
 * Created -> (enqueue) Queued -> Processing -> Completed, or Cancelled. At most 10 jobs queued
 * or processing (inclusive; 1029 "Too many jobs in queue"), at most 2 processing; 500 MB of
 * files per Marketo day (1029 "Export daily quota exceeded"); date filters span <= 31 days.
 * Time moves lazily: every bulk call first replays what the clock says happened since, so a
 * manual clock makes the whole lifecycle deterministic. Each job spends half of
 * `bulkProcessingMs` queued (when a slot is free) and half processing; the snapshot of leads
 * is taken when processing completes.
 */

export type ExportStatus =
  'Created' | 'Queued' | 'Processing' | 'Cancelled' | 'Completed' | 'Failed';

const MAX_QUEUED = 10;
const MAX_PROCESSING = 2;
const MAX_RANGE_MS = 31 * 24 * 3600 * 1000;
const RETENTION_MS = 7 * 24 * 3600 * 1000;

const rangeSchema = z.object({ startAt: z.string(), endAt: z.string() });
const createSchema = z.object({
  fields: z.array(z.string()).min(1),
  format: z.enum(['CSV', 'TSV', 'SSV']).default('CSV'),
  columnHeaderNames: z.record(z.string(), z.string()).optional(),
  filter: z
    .object({
      createdAt: rangeSchema.optional(),
      updatedAt: rangeSchema.optional(),
      staticListId: z.number().int().optional(),
      staticListName: z.string().optional(),
      smartListId: z.number().int().optional(),
      smartListName: z.string().optional(),
    })
    .strict(),
});

interface ExportJob {
  exportId: string;
  format: ExportFormat;
  status: ExportStatus;
  fields: string[];
  headers: string[];
  filter: { field: 'createdAt' | 'updatedAt'; start: string; end: string };
  createdAt: number;
  queuedAt?: number;
  startedAt?: number;
  finishedAt?: number;
  file?: Buffer;
  numberOfRecords?: number;
  fileChecksum?: string;
}

export interface BulkJobs {
  create(body: unknown): Record<string, unknown>;
  enqueue(exportId: string): Record<string, unknown>;
  cancel(exportId: string): Record<string, unknown>;
  status(exportId: string): Record<string, unknown>;
  /** Jobs created in the last 7 days, oldest first, optionally filtered by status. */
  list(statuses: string[]): Array<Record<string, unknown>>;
  /** The file of a Completed job still within retention, else undefined (HTTP 404). */
  file(exportId: string): { data: Buffer; format: ExportFormat } | undefined;
}

function view(job: ExportJob): Record<string, unknown> {
  const out: Record<string, unknown> = {
    exportId: job.exportId,
    format: job.format,
    status: job.status,
  };
  out.createdAt = toIso(job.createdAt);
  if (job.queuedAt !== undefined) out.queuedAt = toIso(job.queuedAt);
  if (job.startedAt !== undefined) out.startedAt = toIso(job.startedAt);
  if (job.finishedAt !== undefined) out.finishedAt = toIso(job.finishedAt);
  if (job.status === 'Completed') {
    out.numberOfRecords = job.numberOfRecords;
    out.fileSize = job.file?.length;
    out.fileChecksum = job.fileChecksum;
  }
  return out;
}

function parseRange(name: string, range: { startAt: string; endAt: string }) {
  const start = parseIsoDate(range.startAt);
  const end = parseIsoDate(range.endAt);
  if (start === undefined) throw marketoErrors.invalidDate(`${name}.startAt`);
  if (end === undefined) throw marketoErrors.invalidDate(`${name}.endAt`);
  if (end <= start) throw marketoErrors.invalidData(`${name}.endAt must be after startAt`);
  if (end - start > MAX_RANGE_MS) {
    throw marketoErrors.invalidData(`${name} date range exceeds 31 days`);
  }
  return { start: toIso(start), end: toIso(end) };
}

type CreateRequest = Pick<ExportJob, 'format' | 'fields' | 'headers' | 'filter'>;

/** Validates Create Export Lead Job: known fields, exactly one supported filter, <= 31 days. */
function parseCreateRequest(body: unknown, limits: SandboxLimits): CreateRequest {
  const input = parseMarketo(createSchema, body);
  const unknown = input.fields.find((name) => !FIELDS_BY_NAME.has(name));
  if (unknown !== undefined) throw marketoErrors.fieldNotFound(unknown);
  const headerNames = input.columnHeaderNames ?? {};
  const stray = Object.keys(headerNames).find((name) => !input.fields.includes(name));
  if (stray !== undefined) {
    throw marketoErrors.invalidData(`columnHeaderNames key '${stray}' is not an exported field`);
  }
  const { createdAt, updatedAt, ...lists } = input.filter;
  const kinds = Object.entries(input.filter).filter(([, value]) => value !== undefined);
  if (kinds.length !== 1) throw marketoErrors.invalidData('exactly one filter type is required');
  // updatedAt and smart lists need infrastructure some subscriptions lack (1035).
  const smartList = lists.smartListId !== undefined || lists.smartListName !== undefined;
  if (!limits.bulkUpdatedAtSupported && (updatedAt || smartList)) {
    throw marketoErrors.unsupportedFilter();
  }
  const range = createdAt ?? updatedAt;
  if (!range) throw marketoErrors.objectNotFound('list (the sandbox has no lists)');
  const field = createdAt ? 'createdAt' : 'updatedAt';
  return {
    format: input.format,
    fields: input.fields,
    headers: input.fields.map((name) => headerNames[name] ?? name),
    filter: { field, ...parseRange(field, range) },
  };
}

export function createBulkJobs(clock: Clock, limits: SandboxLimits, leads: LeadStore): BulkJobs {
  const jobs = new Map<string, ExportJob>();

  const complete = (job: ExportJob, at: number) => {
    const { field, start, end } = job.filter;
    const selected: SandboxLead[] = [];
    // ISO strings in one format compare like the instants they name: [start, end).
    for (const lead of leads.values()) {
      const value = lead[field];
      if (value >= start && value < end) selected.push(lead);
    }
    const { text, rows } = renderLeadFile(selected, job.fields, job.headers, job.format);
    job.file = Buffer.from(text, 'utf8');
    job.numberOfRecords = rows;
    job.fileChecksum = `sha256:${createHash('sha256').update(job.file).digest('hex')}`;
    job.status = 'Completed';
    job.finishedAt = at;
  };

  /** Replays queue events up to now: completions free slots, queued jobs take them FIFO. */
  const advance = () => {
    const now = clock.now();
    const half = limits.bulkProcessingMs / 2;
    for (;;) {
      const all = [...jobs.values()];
      const processing = all.filter((job) => job.status === 'Processing');
      const queued = all.find((job) => job.status === 'Queued');
      const finishing = processing.reduce<ExportJob | undefined>(
        (soonest, job) =>
          !soonest || (job.startedAt ?? 0) < (soonest.startedAt ?? 0) ? job : soonest,
        undefined,
      );
      const finishAt = finishing ? (finishing.startedAt ?? 0) + half : Infinity;
      let startAt = Infinity;
      if (queued) {
        const ready = (queued.queuedAt ?? 0) + half;
        startAt = processing.length < MAX_PROCESSING ? ready : Math.max(ready, finishAt);
      }
      if (finishing && finishAt <= startAt && finishAt <= now) complete(finishing, finishAt);
      else if (queued && startAt <= now) {
        queued.status = 'Processing';
        queued.startedAt = startAt;
      } else return;
    }
  };

  const bytesToday = () => {
    const day = marketoDayOf(clock.now());
    let total = 0;
    for (const job of jobs.values()) {
      const at = job.finishedAt;
      if (at !== undefined && at >= day.start && at < day.end) total += job.file?.length ?? 0;
    }
    return total;
  };

  const find = (exportId: string) => {
    advance();
    const job = jobs.get(exportId);
    if (!job) throw marketoErrors.objectNotFound(`export job '${exportId}'`);
    return job;
  };

  return {
    create(body) {
      advance();
      const request = parseCreateRequest(body, limits);
      if (bytesToday() >= limits.bulkDailyQuotaBytes) throw marketoErrors.exportQuota();
      const job: ExportJob = {
        exportId: randomUUID(),
        status: 'Created',
        createdAt: clock.now(),
        ...request,
      };
      jobs.set(job.exportId, job);
      return view(job);
    },
    enqueue(exportId) {
      const job = find(exportId);
      if (job.status === 'Queued' || job.status === 'Processing') throw marketoErrors.jobQueued();
      if (job.status !== 'Created') {
        throw marketoErrors.invalidData(`export job is ${job.status}, not Created`);
      }
      const inQueue = [...jobs.values()].filter(
        (j) => j.status === 'Queued' || j.status === 'Processing',
      );
      if (inQueue.length >= MAX_QUEUED) throw marketoErrors.tooManyJobs();
      if (bytesToday() >= limits.bulkDailyQuotaBytes) throw marketoErrors.exportQuota();
      job.status = 'Queued';
      job.queuedAt = clock.now();
      return view(job);
    },
    cancel(exportId) {
      const job = find(exportId);
      if (job.status === 'Created' || job.status === 'Queued' || job.status === 'Processing') {
        job.status = 'Cancelled';
      }
      return view(job);
    },
    status: (exportId) => view(find(exportId)),
    list(statuses) {
      advance();
      // Marketo documents "Canceled" in lists but answers "Cancelled"; accept both.
      const wanted = new Set(statuses.map((s) => (s === 'Canceled' ? 'Cancelled' : s)));
      const since = clock.now() - RETENTION_MS;
      return [...jobs.values()]
        .filter((job) => job.createdAt >= since && (wanted.size === 0 || wanted.has(job.status)))
        .map(view);
    },
    file(exportId) {
      advance();
      const job = jobs.get(exportId);
      if (job?.status !== 'Completed' || !job.file) return undefined;
      if ((job.finishedAt ?? 0) + RETENTION_MS < clock.now()) return undefined;
      return { data: job.file, format: job.format };
    },
  };
}
