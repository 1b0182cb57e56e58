import pg from 'pg';
import type { Logger } from '../../logger.js';
import { mapPgError, type ConstraintErrors } from './pg-errors.js';

export type PgClient = pg.PoolClient;
export type Queryable = Pick<pg.PoolClient, 'query'>;

export interface PgPoolOptions {
  connectionString: string;
  logger?: Logger;
  /** Connections at most (default 10): each replica's share of max_connections. */
  max?: number;
  /** How long a query waits for a connection before STORE_UNAVAILABLE (default 5 s). */
  connectionTimeoutMs?: number;
}

/**
 * A pool whose idle connections may fail without taking the process down: pg emits `error` on
 * the pool when an idle client's server goes away, and an unhandled `error` event would crash.
 * The next query gets a fresh connection (or STORE_UNAVAILABLE).
 */
export function createPgPool(options: PgPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
  });
  pool.on('error', (error) => {
    options.logger?.warn({ err: error }, 'an idle database connection failed; it is replaced');
  });
  return pool;
}

/**
 * A statement read on every widget call or webhook: named, so each connection parses and plans
 * it once (the server shares the machine's cores with the service). Named statements list their
 * columns (never `*`), so a migration adding a column does not change their result type.
 */
export interface HotStatement {
  name: string;
  text: string;
}

/** One query outside a transaction (reads), its errors mapped (pg-errors.ts). */
export async function queryRows<R extends pg.QueryResultRow>(
  db: Queryable,
  what: string,
  text: string | HotStatement,
  values: unknown[] = [],
): Promise<R[]> {
  try {
    const result = await db.query<R>(
      typeof text === 'string' ? { text, values } : { ...text, values },
    );
    return result.rows;
  } catch (error) {
    throw mapPgError(error, what);
  }
}

/**
 * Runs `work` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it
 * throws (its error rethrown, mapped), so a refusal or a failing decide changes nothing. A
 * client whose rollback failed is destroyed, not returned to the pool in an unknown state.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  what: string,
  work: (client: PgClient) => Promise<T>,
  constraints?: ConstraintErrors,
): Promise<T> {
  let client: PgClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw mapPgError(error, what);
  }
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
    throw mapPgError(error, what, constraints);
  } finally {
    client.release(broken);
  }
}
