import { type OutboxItem } from '../../records/outbox-item.js';
import { deepFreeze } from '../document-snapshot.js';

/** The outbox's rows as items (its arguments are validated by ../store-arguments.ts). */

export const COLUMNS = `id, kind, dedupe_key, payload, status, attempts, next_attempt_at, lease_token,
  lease_until, last_error, created_at, updated_at, done_at`;
/** Oldest first: by createdAt, then enqueue order (seq), as the lowdb store's Map order. */
export const OLDEST_FIRST = 'created_at, seq';

export interface OutboxRow {
  id: string;
  kind: string;
  dedupe_key: string;
  payload: unknown;
  status: OutboxItem['status'];
  attempts: number;
  next_attempt_at: number;
  lease_token: string | null;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  done_at: number | null;
}

export function prefixed(alias: string): string {
  return COLUMNS.split(',')
    .map((column) => `${alias}.${column.trim()}`)
    .join(', ');
}

/** Frozen, as the lowdb store hands its items out: callers copy before changing. */
export function toItem(row: OutboxRow): OutboxItem {
  return deepFreeze({
    id: row.id,
    kind: row.kind,
    dedupeKey: row.dedupe_key,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    ...(row.lease_token !== null && row.lease_until !== null
      ? { lease: { token: row.lease_token, until: row.lease_until } }
      : {}),
    ...(row.last_error !== null ? { lastError: row.last_error } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.done_at !== null ? { doneAt: row.done_at } : {}),
  });
}
