import type pg from 'pg';
import type { Logger } from '../../logger.js';
import { AppError } from '../../errors.js';
import { isConnectionError, mapPgError } from './pg-errors.js';
import { migrations as allMigrations, type Migration } from './migrations.js';
import { checkOut, createPgPool } from './pg-pool.js';

/**
 * The key of the session advisory lock every migrator holds for its whole run, so replicas
 * starting at once apply each migration exactly once: the second waits, then finds it applied.
 * (Any fixed bigint; this one spells "mc-migr".)
 */
export const MIGRATION_LOCK_KEY = 0x6d632d6d696772n;

export interface AppliedMigration {
  version: number;
  name: string;
}

/**
 * Applies the migrations not yet recorded in schema_migrations, each in its own transaction
 * with its row in schema_migrations, so a failing one rolls back whole (PostgreSQL DDL is
 * transactional) and leaves the schema as the previous one left it; the error names it.
 * Our own few lines rather than a migration library: transactional DDL and one advisory lock
 * are all it takes, and no dependency decides the file layout or the build.
 */
export async function runMigrations(
  pool: pg.Pool,
  migrations: readonly Migration[] = allMigrations,
): Promise<AppliedMigration[]> {
  const { client, release } = await checkOut(pool, 'migrations');
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY,
           name text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const done = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(done.rows.map((row) => row.version));
      const result: AppliedMigration[] = [];
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (applied.has(migration.version)) continue;
        await applyOne(client, migration);
        result.push({ version: migration.version, name: migration.name });
      }
      return result;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    throw mapPgError(error, 'migrations');
  } finally {
    // A failed run's connection may still hold the lock or a broken transaction: destroy it.
    release(broken);
  }
}

async function applyOne(client: pg.PoolClient, migration: Migration): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(migration.sql);
    await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
      migration.version,
      migration.name,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (isConnectionError(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError(
      'STORE_MIGRATION_FAILED',
      `Migration ${migration.version} (${migration.name}) failed, nothing of it applied: ${message}`,
      { cause: error },
    );
  }
}

/**
 * The migrations on a connection of their own, with no query timeout: building an index on a
 * large table, or waiting for another replica's migrations (the lock), may take far longer than
 * the store's queries may.
 */
export async function migrateDatabase(
  connectionString: string,
  logger?: Logger,
): Promise<AppliedMigration[]> {
  const pool = createPgPool({ connectionString, max: 1, ...(logger ? { logger } : {}) });
  try {
    return await runMigrations(pool);
  } finally {
    await pool.end().catch(() => undefined);
  }
}
