import type { Clock } from '../deps.js';
import { toIso } from './envelope.js';
import type { ActivityAttribute, LeadChangeField, SandboxActivity } from './sandbox-types.js';

/**
 * One ordered, in-memory activity log: New Lead (12), Change Data Value (13), Delete Lead (37)
 * and custom activities. Paging tokens are opaque positions in this log, so Get Lead Changes
 * behaves like Marketo's: it scans up to `batchSize` entries and returns only the matching
 * ones, which makes pages short while `moreResult` is true (DEV:help/rest-api/activities.md).
 */

export const ACTIVITY_NEW_LEAD = 12;
export const ACTIVITY_CHANGE_DATA_VALUE = 13;
export const ACTIVITY_DELETE_LEAD = 37;

export interface LogEntry {
  id: number;
  typeId: number;
  leadId: number;
  /** activityDate, epoch ms. */
  at: number;
  /** When the sandbox recorded it; non-decreasing, so the paging token can bisect on it. */
  recordedAt: number;
  source?: string;
  change?: LeadChangeField;
  primaryId?: number;
  primary?: string;
  attributes?: ActivityAttribute[];
}

export type NewLogEntry = Omit<LogEntry, 'id' | 'recordedAt' | 'at'> & { at?: number };

export interface ScanResult {
  entries: LogEntry[];
  next: number;
  more: boolean;
}

export interface ActivityLog {
  append(entry: NewLogEntry): LogEntry;
  /** Position of the first entry recorded at or after `sinceMs`. */
  positionAt(sinceMs: number): number;
  /** Reads `batchSize` entries from `position` and keeps those `keep` accepts. */
  scan(position: number, batchSize: number, keep: (entry: LogEntry) => boolean): ScanResult;
  length(): number;
  entries(): readonly LogEntry[];
}

export function createActivityLog(clock: Clock): ActivityLog {
  const log: LogEntry[] = [];
  let nextId = 1;
  return {
    append(entry) {
      const now = clock.now();
      const last = log[log.length - 1];
      const recordedAt = last && last.recordedAt > now ? last.recordedAt : now;
      const stored: LogEntry = { ...entry, id: nextId++, at: entry.at ?? now, recordedAt };
      log.push(stored);
      return stored;
    },
    positionAt(sinceMs) {
      let lo = 0;
      let hi = log.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((log[mid]?.recordedAt ?? Infinity) < sinceMs) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },
    scan(position, batchSize, keep) {
      const end = Math.min(log.length, position + batchSize);
      const entries: LogEntry[] = [];
      for (let i = position; i < end; i++) {
        const entry = log[i];
        if (entry && keep(entry)) entries.push(entry);
      }
      return { entries, next: end, more: end < log.length };
    },
    length: () => log.length,
    entries: () => log,
  };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const TOKEN_PREFIX = 'sbx1:';

/** RFC 4648 base32 with `=` padding, like Marketo's tokens (so clients must URL-encode). */
function base32(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

function unbase32(token: string): string | undefined {
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of token.replace(/=+$/, '')) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) return undefined;
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export function encodePosition(kind: string, position: number): string {
  return base32(`${TOKEN_PREFIX}${kind}:${position}`);
}

/**
 * Whether a paging token is the sandbox's, of this format or an earlier one (`sbx<n>:`): a
 * store written before it recorded its instance is told to be the sandbox's by its cursor.
 */
export function isSandboxPagingToken(token: string): boolean {
  return /^sbx\d+:/.test(unbase32(token) ?? '');
}

/** The position a token stands for, or undefined when it is not one of ours. */
export function decodePosition(kind: string, token: string): number | undefined {
  const text = unbase32(token);
  const prefix = `${TOKEN_PREFIX}${kind}:`;
  if (!text?.startsWith(prefix)) return undefined;
  const position = Number(text.slice(prefix.length));
  return Number.isSafeInteger(position) && position >= 0 ? position : undefined;
}

const API_SOURCE = 'Web service API';

/** Get Lead Changes item: New Lead or Change Data Value with its `fields`. */
export function formatLeadChange(entry: LogEntry): SandboxActivity {
  const base = {
    id: entry.id,
    marketoGUID: String(entry.id),
    leadId: entry.leadId,
    activityDate: toIso(entry.at),
    activityTypeId: entry.typeId,
  };
  const source = entry.source ?? API_SOURCE;
  if (entry.typeId === ACTIVITY_NEW_LEAD) {
    return { ...base, fields: [], attributes: [{ name: 'Source Type', value: source }] };
  }
  return {
    ...base,
    fields: entry.change ? [entry.change] : [],
    attributes: [
      { name: 'Reason', value: source },
      { name: 'Source', value: source },
      { name: 'Lead ID', value: entry.leadId },
    ],
  };
}

/** Get Lead Activities / Get Deleted Leads item. */
export function formatActivity(entry: LogEntry): SandboxActivity {
  const base = {
    id: entry.id,
    marketoGUID: String(entry.id),
    leadId: entry.leadId,
    activityDate: toIso(entry.at),
    activityTypeId: entry.typeId,
  };
  if (entry.typeId === ACTIVITY_CHANGE_DATA_VALUE && entry.change) {
    const source = entry.source ?? API_SOURCE;
    return {
      ...base,
      primaryAttributeValueId: entry.change.id,
      primaryAttributeValue: entry.change.name,
      attributes: [
        { name: 'New Value', value: entry.change.newValue },
        { name: 'Old Value', value: entry.change.oldValue },
        { name: 'Reason', value: source },
        { name: 'Source', value: source },
      ],
    };
  }
  if (entry.typeId === ACTIVITY_NEW_LEAD) {
    return {
      ...base,
      primaryAttributeValueId: entry.leadId,
      attributes: [{ name: 'Source Type', value: entry.source ?? API_SOURCE }],
    };
  }
  return {
    ...base,
    ...(entry.primaryId === undefined ? {} : { primaryAttributeValueId: entry.primaryId }),
    ...(entry.primary === undefined ? {} : { primaryAttributeValue: entry.primary }),
    attributes: entry.attributes ?? [],
  };
}
