import { z } from 'zod';
import { runMigrations } from './migrate.js';
import { databaseStartError } from './pg-connection-errors.js';
import { StoreUnavailableError } from './pg-errors.js';
import type { Migration } from './migrations.js';
import { createPgPool } from './pg-pool.js';

const databaseUrlSchema = z
  .string({ error: 'DATABASE_URL is not set' })
  .regex(/^postgres(ql)?:\/\/\S+$/, 'DATABASE_URL must be a postgres:// URL');

/** Hides a password in the URL for messages. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

/**
 * `npm run migrate`: applies the pending migrations to DATABASE_URL and prints what it
 * applied. Answers the exit code (0 done, 1 refused) so the CLI stays a thin shell and tests
 * run this in-process. Only DATABASE_URL is read: migrating needs no Marketo settings.
 */
export async function runMigrateCommand(
  env: Record<string, string | undefined>,
  out: { info(line: string): void; error(line: string): void },
  migrations?: readonly Migration[],
): Promise<number> {
  const parsed = databaseUrlSchema.safeParse(env['DATABASE_URL']);
  if (!parsed.success) {
    out.error(`${parsed.error.issues[0]?.message ?? 'DATABASE_URL is invalid'}`);
    return 1;
  }
  const where = redactDatabaseUrl(parsed.data);
  const pool = createPgPool({ connectionString: parsed.data, max: 1 });
  try {
    const applied = await runMigrations(pool, migrations);
    if (applied.length === 0) out.info(`${where}: the schema is up to date, nothing applied.`);
    for (const migration of applied) {
      out.info(`${where}: applied migration ${migration.version} (${migration.name})`);
    }
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof StoreUnavailableError) {
      // The same words as the service's start (open-store.ts): the code first, the reason kept.
      out.error(databaseStartError(where, error.failure, error).message);
    } else {
      out.error(`Migrating the database at DATABASE_URL (${where}) failed: ${message}`);
    }
    return 1;
  } finally {
    await pool.end().catch(() => undefined);
  }
}
