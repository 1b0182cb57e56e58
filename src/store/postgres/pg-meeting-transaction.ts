import type { Pool, PoolClient } from 'pg';
import { deepFreeze } from '../document-snapshot.js';

/**
 * The transaction and row helpers of the meetings' and routing's PostgreSQL records. Connection
 * failures are left as they come: the PostgresStore maps them to STORE_UNAVAILABLE
 * (pg-errors.ts) at its boundary, as it does for every record.
 */

/**
 * Runs `work` in one transaction on one pooled client: committed when it resolves, rolled back
 * when it throws (a decision's error included) and rethrown. A client whose rollback failed
 * is broken (the connection went away mid-transaction) and is destroyed, not pooled again.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Anything with a `query` method: the pool for plain reads, a client inside a transaction. */
export type Queryable = Pick<PoolClient, 'query'>;

/** Each record's `data` column, read back frozen like the lowdb store's values. */
export async function selectData<T>(
  db: Queryable,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const { rows } = await db.query<{ data: T }>(sql, params);
  return rows.map((row) => deepFreeze(row.data));
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
