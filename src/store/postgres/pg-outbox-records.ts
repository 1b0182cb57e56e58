import { z } from 'zod';
import type pg from 'pg';
import type { Ids } from '../../deps.js';
import { StoreError } from '../../errors.js';
import type { NewOutboxItem, OutboxItem } from '../../records/outbox-item.js';
import { MAX_OUTBOX_ERROR_CHARS } from '../outbox-records.js';
import { refuseInvalid } from '../record-validation.js';
import type { OutboxStore, OutboxSummary } from '../types.js';
import {
  claimOutboxSchema,
  completeOutboxSchema,
  enqueueOutboxSchema,
  failOutboxSchema,
  listOutboxSchema,
  releaseOutboxSchema,
  replayOutboxSchema,
  withJsonPayload,
  type ValidNewOutboxItem,
} from '../store-arguments.js';
import { COLUMNS, OLDEST_FIRST, prefixed, toItem, type OutboxRow } from './pg-outbox-rows.js';
import { inTransaction, queryRows, type Queryable } from './pg-pool.js';

type ClaimArgs = Parameters<OutboxStore['claimOutbox']>[0];
type CompleteArgs = Parameters<OutboxStore['completeOutbox']>[0];
type FailArgs = Parameters<OutboxStore['failOutbox']>[0];
type ReleaseArgs = Parameters<OutboxStore['releaseOutbox']>[0];
type ListFilter = NonNullable<Parameters<OutboxStore['listOutbox']>[0]>;
type Enqueued = { item: OutboxItem; created: boolean };

/** Enqueues inside the caller's transaction (chat events, meetings): the items commit with it. */
export type EnqueueOutboxIn = (
  client: Queryable,
  items: NewOutboxItem[],
  now: number,
) => Promise<Enqueued[]>;

/**
 * The outbox in `outbox_items`, semantics as outbox-records.ts. Two replicas share it: a claim
 * takes its rows with FOR UPDATE SKIP LOCKED, so concurrent claims never get the same item and
 * never wait on each other; completion and failure are fenced by the lease token in the
 * UPDATE's WHERE, so a stale worker changes nothing.
 */
export class PgOutboxRecords implements OutboxStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly ids: Ids,
  ) {}

  /** For other records' transactions (chat events, meetings). */
  readonly enqueueIn: EnqueueOutboxIn = async (client, items, now) => {
    const args = refuseInvalid(enqueueOutboxSchema, { items, now }, 'outbox items');
    const fresh = args.items.map((item, position) => withJsonPayload(item, position, 'item'));
    const result: Enqueued[] = [];
    for (const item of fresh) result.push(await this.insert(client, item, args.now));
    return result;
  };

  async enqueueOutbox(items: NewOutboxItem[], now: number): Promise<Enqueued[]> {
    refuseInvalid(enqueueOutboxSchema, { items, now }, 'outbox items');
    return inTransaction(this.pool, 'an outbox enqueue', (client) =>
      this.enqueueIn(client, items, now),
    );
  }

  async claimOutbox(input: ClaimArgs): Promise<OutboxItem[]> {
    const args = refuseInvalid(claimOutboxSchema, input, 'outbox claim');
    if (args.limit === 0 || args.kinds?.length === 0) return [];
    return inTransaction(this.pool, 'an outbox claim', async (client) => {
      const due = await client.query<{ id: string }>(
        `SELECT id FROM outbox_items
         WHERE status = 'pending' AND next_attempt_at <= $1
           AND (lease_until IS NULL OR lease_until <= $1)
           AND ($2::text[] IS NULL OR kind = ANY($2::text[]))
         ORDER BY ${OLDEST_FIRST} LIMIT $3
         FOR UPDATE SKIP LOCKED`,
        [args.now, args.kinds ?? null, args.limit],
      );
      if (due.rows.length === 0) return [];
      const ids = due.rows.map((row) => row.id);
      const tokens = ids.map(() => this.ids.next());
      const claimed = await client.query<OutboxRow>(
        `UPDATE outbox_items o
         SET lease_token = c.token, lease_until = $3, attempts = o.attempts + 1, updated_at = $4
         FROM unnest($1::text[], $2::text[]) AS c(id, token)
         WHERE o.id = c.id
         RETURNING ${prefixed('o')}, o.seq`,
        [ids, tokens, args.now + args.leaseMs, args.now],
      );
      const order = new Map(ids.map((id, index) => [id, index]));
      return claimed.rows
        .sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0))
        .map(toItem);
    });
  }

  /** A late outcome whose lease expired but was not taken over is accepted, as in lowdb. */
  async completeOutbox(input: CompleteArgs): Promise<boolean> {
    const args = refuseInvalid(completeOutboxSchema, input, 'outbox completion');
    const followUps = (args.followUps ?? []).map((item, i) =>
      withJsonPayload(item, i, 'follow-up'),
    );
    return inTransaction(this.pool, 'an outbox completion', async (client) => {
      const done = await client.query(
        `UPDATE outbox_items SET status = 'done', done_at = $3, updated_at = $3,
           lease_token = NULL, lease_until = NULL
         WHERE id = $1 AND status = 'pending' AND lease_token = $2`,
        [args.id, args.leaseToken, args.now],
      );
      if (done.rowCount !== 1) return false;
      for (const item of followUps) await this.insert(client, item, args.now);
      return true;
    });
  }

  async failOutbox(input: FailArgs): Promise<boolean> {
    const args = refuseInvalid(failOutboxSchema, input, 'outbox failure');
    const followUps = (args.followUps ?? []).map((item, i) =>
      withJsonPayload(item, i, 'follow-up'),
    );
    const lastError = args.error.slice(0, MAX_OUTBOX_ERROR_CHARS);
    return inTransaction(this.pool, 'an outbox failure', async (client) => {
      const failed = await client.query(
        `UPDATE outbox_items SET
           status = CASE WHEN $4 THEN 'dead' ELSE status END,
           next_attempt_at = CASE WHEN $4 THEN next_attempt_at ELSE $5 END,
           last_error = $6, updated_at = $3, lease_token = NULL, lease_until = NULL
         WHERE id = $1 AND status = 'pending' AND lease_token = $2`,
        [
          args.id,
          args.leaseToken,
          args.now,
          args.dead === true,
          args.retryAt ?? args.now,
          lastError,
        ],
      );
      if (failed.rowCount !== 1) return false;
      for (const item of followUps) await this.insert(client, item, args.now);
      return true;
    });
  }

  /** Untried: pending at `retryAt`, the claim's attempt taken back, lastError kept. */
  async releaseOutbox(input: ReleaseArgs): Promise<boolean> {
    const args = refuseInvalid(releaseOutboxSchema, input, 'outbox release');
    const rows = await queryRows(
      this.pool,
      'an outbox release',
      `UPDATE outbox_items SET attempts = GREATEST(attempts - 1, 0), next_attempt_at = $4,
         updated_at = $3, lease_token = NULL, lease_until = NULL
       WHERE id = $1 AND status = 'pending' AND lease_token = $2 RETURNING id`,
      [args.id, args.leaseToken, args.now, args.retryAt],
    );
    return rows.length === 1;
  }

  /** Back to pending with attempts reset (outbox-records.ts says why); lastError stays. */
  async replayOutbox(id: string, now: number): Promise<boolean> {
    const args = refuseInvalid(replayOutboxSchema, { id, now }, 'outbox replay');
    const rows = await queryRows(
      this.pool,
      'an outbox replay',
      `UPDATE outbox_items SET status = 'pending', attempts = 0, next_attempt_at = $2,
         updated_at = $2, lease_token = NULL, lease_until = NULL
       WHERE id = $1 AND status = 'dead' RETURNING id`,
      [args.id, args.now],
    );
    return rows.length === 1;
  }

  async getOutboxItem(id: string): Promise<OutboxItem | undefined> {
    const rows = await queryRows<OutboxRow>(
      this.pool,
      'an outbox read',
      `SELECT ${COLUMNS} FROM outbox_items WHERE id = $1`,
      [id],
    );
    return rows[0] === undefined ? undefined : toItem(rows[0]);
  }

  async findOutboxItem(dedupeKey: string): Promise<OutboxItem | undefined> {
    const rows = await queryRows<OutboxRow>(
      this.pool,
      'an outbox read',
      `SELECT ${COLUMNS} FROM outbox_items WHERE dedupe_key = $1`,
      [dedupeKey],
    );
    return rows[0] === undefined ? undefined : toItem(rows[0]);
  }

  /** Newest first: createdAt descending, the later enqueued first among equals. */
  async listOutbox(input: ListFilter = {}): Promise<OutboxItem[]> {
    const filter = refuseInvalid(listOutboxSchema, input, 'outbox filter');
    const rows = await queryRows<OutboxRow>(
      this.pool,
      'an outbox list',
      `SELECT ${COLUMNS} FROM outbox_items
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2)
         AND ($4::text IS NULL OR starts_with(dedupe_key, $4))
       ORDER BY created_at DESC, seq DESC LIMIT $3`,
      [
        filter.status ?? null,
        filter.kind ?? null,
        filter.limit ?? null,
        filter.dedupeKeyPrefix ?? null,
      ],
    );
    return rows.map(toItem);
  }

  async outboxSummary(): Promise<OutboxSummary> {
    // Both read the partial index of pending items or count the few dead ones; done items,
    // the bulk of the table, are not visited for the oldest.
    const [counts, oldest] = await Promise.all([
      queryRows<{ kind: string; status: 'pending' | 'dead'; n: string }>(
        this.pool,
        'an outbox summary',
        `SELECT kind, status, count(*) AS n FROM outbox_items
         WHERE status IN ('pending', 'dead') GROUP BY kind, status`,
        [],
      ),
      queryRows<OutboxRow>(
        this.pool,
        'an outbox summary',
        `SELECT ${COLUMNS} FROM outbox_items WHERE status = 'pending'
         ORDER BY ${OLDEST_FIRST} LIMIT 1`,
        [],
      ),
    ]);
    const byKind = new Map<string, { kind: string; pending: number; dead: number }>();
    for (const row of counts) {
      const entry = byKind.get(row.kind) ?? { kind: row.kind, pending: 0, dead: 0 };
      entry[row.status] = Number(row.n);
      byKind.set(row.kind, entry);
    }
    const kinds = [...byKind.values()].sort((a, b) => a.kind.localeCompare(b.kind));
    return {
      pending: kinds.reduce((n, k) => n + k.pending, 0),
      dead: kinds.reduce((n, k) => n + k.dead, 0),
      byKind: kinds,
      oldestPending: oldest[0] === undefined ? undefined : toItem(oldest[0]),
    };
  }

  /** Deletes done items with doneAt < before; their dedupe keys become free again. */
  async pruneOutbox(before: number): Promise<number> {
    const cutoff = refuseInvalid(z.number(), before, 'outbox prune time');
    const rows = await queryRows(
      this.pool,
      'an outbox prune',
      `DELETE FROM outbox_items WHERE status = 'done' AND done_at < $1 RETURNING id`,
      [cutoff],
    );
    return rows.length;
  }

  /**
   * The existing item for a known dedupe key (created: false), else a new one. ON CONFLICT
   * DO NOTHING waits for a concurrent insert of the same key and then yields to it.
   */
  private async insert(
    client: Queryable,
    item: ValidNewOutboxItem,
    now: number,
  ): Promise<Enqueued> {
    const id = this.ids.next();
    const inserted = await client
      .query<OutboxRow>(
        `INSERT INTO outbox_items
         (id, kind, dedupe_key, payload, status, attempts, next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, 'pending', 0, $5, $6, $6)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING ${COLUMNS}`,
        [
          id,
          item.kind,
          item.dedupeKey,
          JSON.stringify(item.payload),
          item.nextAttemptAt ?? now,
          now,
        ],
      )
      .catch((error: unknown) => {
        // Only an injected id source can repeat itself; replacing the item would lose it.
        if ((error as { constraint?: unknown }).constraint === 'outbox_items_pkey') {
          throw new StoreError('STORE_ID_COLLISION', `Outbox id ${id} is already taken`);
        }
        throw error;
      });
    if (inserted.rows[0] !== undefined) return { item: toItem(inserted.rows[0]), created: true };
    const existing = await client.query<OutboxRow>(
      `SELECT ${COLUMNS} FROM outbox_items WHERE dedupe_key = $1`,
      [item.dedupeKey],
    );
    if (existing.rows[0] === undefined) {
      throw new StoreError(
        'STORE_CONFLICT',
        `Outbox key ${item.dedupeKey} is neither new nor stored`,
      );
    }
    return { item: toItem(existing.rows[0]), created: false };
  }
}
