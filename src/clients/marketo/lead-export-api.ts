import { createHash } from 'node:crypto';
import { ValidationError } from '../../errors.js';
import { MarketoApiError, isMarketoApiError } from './marketo-error.js';
import { getRequest, pathSegment, postRequest, requireFields } from './marketo-request.js';
import type { MarketoTransport } from './marketo-transport.js';
import { isJobAlreadyQueued } from './retry-policy.js';
import type { LeadExportJob } from './types.js';
import { exportJobSchema, firstOf } from './wire-schemas.js';

/** help/rest-api/bulk-extract.md: a date filter spans at most 31 days. */
const MAX_EXPORT_RANGE_MS = 31 * 24 * 3600 * 1000;

/**
 * Bulk Lead Extract (help/rest-api/bulk-lead-extract.md): create -> enqueue -> poll status ->
 * download file. Every step is a counted API call; the file is never gzip.
 */
export class LeadExportApi {
  constructor(private readonly transport: MarketoTransport) {}

  async createLeadExport(args: {
    fields: string[];
    createdAt: { startAt: string; endAt: string };
  }): Promise<LeadExportJob> {
    requireFields(args.fields);
    const startAt = exportDate(args.createdAt.startAt, 'createdAt.startAt');
    const endAt = exportDate(args.createdAt.endAt, 'createdAt.endAt');
    const span = Date.parse(endAt) - Date.parse(startAt);
    // An empty range can hold no lead: refuse it before it costs create/enqueue/poll calls.
    if (span <= 0 || span > MAX_EXPORT_RANGE_MS) {
      const message = 'createdAt must end after it starts (to the second), within 31 days';
      throw new ValidationError(message, 'createdAt');
    }
    const body = { fields: args.fields, format: 'CSV', filter: { createdAt: { startAt, endAt } } };
    // A duplicate job only sits in "Created" (it never runs unless enqueued): safe to resend.
    const path = '/bulk/v1/leads/export/create.json';
    const req = postRequest('createLeadExport', path, body, { idempotent: true });
    return (await this.transport.json(req, firstOf(exportJobSchema))).result;
  }

  async enqueueLeadExport(exportId: string): Promise<LeadExportJob> {
    const path = `${exportPath(exportId)}/enqueue.json`;
    // Enqueueing twice answers 1029 "Job already queued", handled below: safe to resend.
    const req = postRequest('enqueueLeadExport', path, undefined, { idempotent: true });
    try {
      return (await this.transport.json(req, firstOf(exportJobSchema))).result;
    } catch (error) {
      // An earlier enqueue (perhaps one whose answer was lost) worked: report the job as is.
      if (isMarketoApiError(error, 'MARKETO_API_ERROR') && isJobAlreadyQueued(error)) {
        return this.getLeadExportStatus(exportId);
      }
      throw error;
    }
  }

  /** Marketo updates the status at most every 60 s; poll no faster than that. */
  async getLeadExportStatus(exportId: string): Promise<LeadExportJob> {
    const req = getRequest('getLeadExportStatus', `${exportPath(exportId)}/status.json`);
    return (await this.transport.json(req, firstOf(exportJobSchema))).result;
  }

  /** The CSV of a completed job, checked against `sha256:<hex>` when given. */
  async getLeadExportFile(exportId: string, expectedChecksum?: string): Promise<string> {
    const expected = expectedChecksum === undefined ? undefined : parseChecksum(expectedChecksum);
    const req = getRequest('getLeadExportFile', `${exportPath(exportId)}/file.json`);
    const bytes = await this.transport.file(req);
    if (expected !== undefined) {
      // Hash the bytes as received, before any decoding.
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== expected) {
        throw new MarketoApiError(
          'MARKETO_BAD_RESPONSE',
          `Marketo getLeadExportFile: checksum mismatch for export ${exportId}`,
          {
            endpoint: req.endpoint,
            action: 'fatal',
            // A download cut short is worth one more try by the caller.
            retryable: true,
            details: { expected: `sha256:${expected}`, actual: `sha256:${actual}` },
          },
        );
      }
    }
    return bytes.toString('utf8');
  }

  async cancelLeadExport(exportId: string): Promise<LeadExportJob> {
    const path = `${exportPath(exportId)}/cancel.json`;
    const req = postRequest('cancelLeadExport', path, undefined, { idempotent: true });
    return (await this.transport.json(req, firstOf(exportJobSchema))).result;
  }
}

function exportPath(exportId: string): string {
  return `/bulk/v1/leads/export/${pathSegment(exportId, 'exportId')}`;
}

/** Bulk extract dates: ISO 8601 without milliseconds (help/rest-api/bulk-lead-extract.md). */
function exportDate(value: string, field: string): string {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) {
    throw new ValidationError(`${field} must be an ISO 8601 date-time`, field);
  }
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parseChecksum(checksum: string): string {
  const match = /^sha256:([0-9a-f]{64})$/i.exec(checksum.trim());
  if (match?.[1] === undefined) {
    throw new ValidationError(
      'expectedChecksum must be sha256:<64 hex digits>',
      'expectedChecksum',
    );
  }
  return match[1].toLowerCase();
}
