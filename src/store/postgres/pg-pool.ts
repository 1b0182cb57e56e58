import pg from 'pg';
import type { Logger } from '../../logger.js';
import { isConnectionError, mapPgError, type ConstraintErrors } from './pg-errors.js';

export type PgClient = pg.PoolClient;
export type Queryable = Pick<pg.PoolClient, 'query'>;

export interface PgPoolOptions {
  connectionString: string;
  logger?: Logger;
  /** Connections at most (default 10): each replica's share of max_connections. */
  max?: number;
  /** How long a query waits for a connection before STORE_UNAVAILABLE (default 5 s). */
  connectionTimeoutMs?: number;
  /**
   * How long a query waits for its answer before STORE_UNAVAILABLE (default: no limit). A
   * database cut off without a reset (a network partition, a stalled server) otherwise keeps a
   * query, and the request behind it, waiting until the kernel gives up on the socket.
   */
  queryTimeoutMs?: number;
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
    ...(options.queryTimeoutMs === undefined ? {} : { query_timeout: options.queryTimeoutMs }),
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

/** A connection taken from the pool for several queries (a transaction, the migrations). */
export interface CheckedOutClient {
  client: PgClient;
  /** Back to the pool; destroyed instead when `error` is given or the connection failed. */
  release(error?: Error): void;
}

/**
 * pool.connect() with the connection's `error` event handled. pg emits `error` on a client whose
 * connection fails (as well as failing its query), and the pool listens only while the client
 * is idle: without this listener a database that goes away in the middle of a transaction is an
 * uncaught exception, which ends the process. A failed connection is destroyed on release.
 */
export async function checkOut(pool: pg.Pool, what: string): Promise<CheckedOutClient> {
  let client: PgClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw mapPgError(error, what);
  }
  let failed: Error | undefined;
  const onError = (error: Error) => {
    failed ??= error;
  };
  client.on('error', onError);
  return {
    client,
    release(error) {
      const broken = error ?? failed;
      // A failed connection keeps the listener: its socket may still report errors once more.
      if (broken === undefined) client.removeListener('error', onError);
      client.release(broken);
    },
  };
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
  const { client, release } = await checkOut(pool, what);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that failed or stopped answering cannot roll back, and waiting for it to try
    // would double the wait: destroying it ends the session, and the server rolls back.
    if (isConnectionError(error))
      broken = error instanceof Error ? error : new Error(String(error));
    else {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
    }
    throw mapPgError(error, what, constraints);
  } finally {
    release(broken);
  }
}
