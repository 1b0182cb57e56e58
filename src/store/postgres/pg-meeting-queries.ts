import { deepFreeze } from '../document-snapshot.js';
import type { Pool } from 'pg';
import { inTransaction, queryRows, type PgClient, type Queryable } from './pg-pool.js';

/**
 * Query helpers of the meetings' and routing's records, over pg-pool.ts (whose queryRows and
 * inTransaction map connection failures to STORE_UNAVAILABLE).
 */

/** Each record's `data` column, read back frozen like the lowdb store's values. */
export async function selectData<T>(
  db: Queryable,
  what: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const rows = await queryRows<{ data: T }>(db, what, sql, params);
  return rows.map((row) => deepFreeze(row.data));
}

/** Rows a write touched, for the `deleted?` answers: the statement returns one row each. */
export async function countRows(
  db: Queryable,
  what: string,
  sql: string,
  params: unknown[] = [],
): Promise<number> {
  return (await queryRows(db, what, sql, params)).length;
}

/** The PostgreSQL error code and constraint of a failed statement, if it is one. */
export function pgFailure(error: unknown): { code: string; constraint?: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (typeof code !== 'string') return undefined;
  return typeof constraint === 'string' ? { code, constraint } : { code };
}

export const UNIQUE_VIOLATION = '23505';
export const EXCLUSION_VIOLATION = '23P01';

/** Runs a caller's synchronous decision inside a transaction, remembering what it throws. */
export type Decided = <R>(decision: () => R) => R;

/**
 * pg-pool's inTransaction, except that an error the caller's decision (decide, change,
 * giveBack) throws is rethrown as it was thrown, after the rollback, as the interfaces
 * promise; inTransaction maps every error that is not an AppError to STORE_QUERY_FAILED.
 */
export async function inDecidingTransaction<T>(
  pool: Pool,
  what: string,
  work: (client: PgClient, decided: Decided) => Promise<T>,
): Promise<T> {
  let thrown: { error: unknown } | undefined;
  const decided: Decided = (decision) => {
    try {
      return decision();
    } catch (error) {
      thrown = { error };
      throw error;
    }
  };
  try {
    return await inTransaction(pool, what, (client) => work(client, decided));
  } catch (error) {
    if (thrown !== undefined) throw thrown.error;
    throw error;
  }
}
