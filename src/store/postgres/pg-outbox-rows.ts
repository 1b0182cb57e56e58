import { z } from 'zod';
import { StoreError } from '../../errors.js';
import { outboxStatusSchema, type OutboxItem } from '../../records/outbox-item.js';
import { deepFreeze } from '../document-snapshot.js';
import { copyJsonValue, NOT_JSON } from '../json-value.js';

/** The outbox's arguments as validated (outbox-records.ts's schemas) and its rows as items. */

export const epochMs = z.number();
export const newItemSchema = z.object({
  kind: z.string().min(1),
  dedupeKey: z.string().min(1),
  payload: z.unknown(),
  nextAttemptAt: epochMs.optional(),
});
export type ValidItem = z.output<typeof newItemSchema>;
export const enqueueSchema = z.object({ items: z.array(newItemSchema), now: epochMs });
export const claimSchema = z.object({
  now: epochMs,
  limit: z.number().int().nonnegative(),
  leaseMs: z.number().positive(),
  kinds: z.array(z.string()).optional(),
});
export const followUpsSchema = z.array(newItemSchema).optional();
export const completeSchema = z.object({
  id: z.string(),
  leaseToken: z.string(),
  now: epochMs,
  followUps: followUpsSchema,
});
export const failSchema = completeSchema.extend({
  error: z.string(),
  retryAt: epochMs.optional(),
  dead: z.boolean().optional(),
});
export const replaySchema = z.object({ id: z.string(), now: epochMs });
export const listSchema = z.object({
  status: outboxStatusSchema.optional(),
  kind: z.string().optional(),
  limit: z.number().int().nonnegative().optional(),
});

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

export function copyAll(items: ValidItem[] | undefined): ValidItem[] {
  return (items ?? []).map((item, i) => copyPayload(item, i, 'follow-up'));
}

/** The payload checked as JSON, with outbox-records.ts's refusal. */
export function copyPayload(item: ValidItem, position: number, what: string): ValidItem {
  const payload = copyJsonValue(item.payload);
  if (payload === NOT_JSON) {
    throw new StoreError(
      'STORE_INVALID_RECORD',
      `Invalid outbox ${what} refused, nothing written: #${position} (${item.dedupeKey}): ` +
        'payload is not a JSON value',
    );
  }
  return { ...item, payload };
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
