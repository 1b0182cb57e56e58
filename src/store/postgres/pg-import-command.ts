import { access } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { describeMarketoInstance } from '../../clients/marketo/instance-id.js';
import { AppError } from '../../errors.js';
import { silentLogger } from '../../logger.js';
import { describeDatabaseUrl } from '../../open-store.js';
import type { StoreInstance } from '../../records/store-instance.js';
import { createJsonFileStore } from '../json-file-store.js';
import type { LowdbStore } from '../lowdb-store.js';
import { runMigrations } from './migrate.js';
import { allAgree, countCollections, differences, formatCountTable } from './pg-import-counts.js';
import { importStoreDocument } from './pg-import.js';
import { createPgPool, queryRows } from './pg-pool.js';

/** What the command reads of the environment: the two stores, nothing of Marketo. */
const envSchema = z.object({
  // The service's default (config.ts), so a file the service used unnamed is found here too.
  DATA_FILE: z.string().trim().min(1).default('data/store.json'),
  DATABASE_URL: z
    .string({ error: 'DATABASE_URL is not set: name the PostgreSQL database to copy into' })
    .regex(/^postgres(ql)?:\/\/\S+$/, 'DATABASE_URL must be a postgres:// URL'),
});

/** `npm run migrate:store -- --help`. */
export const MIGRATE_STORE_HELP = [
  'Usage: DATA_FILE=data/store.json DATABASE_URL=postgres://... npm run migrate:store',
  '',
  'Copies the JSON-file store at DATA_FILE into the PostgreSQL database at DATABASE_URL',
  '(migrated first), then counts every collection on both sides and prints the table.',
  'Stop the service first (every process using DATA_FILE).',
  'Run it before the first start on the database. A re-run only adds leads the database lacks',
  '(or holds older); everything else is copied only into a database that holds none of it',
  'yet, and nothing the database holds (outbox progress, rotation, meetings, usage, sync',
  'state) is overwritten or rolled back.',
  'Exit code 0 when every row of the file is in the database, 1 otherwise.',
];

export interface MigrateStoreOutput {
  info(line: string): void;
  error(line: string): void;
}

export interface MigrateStoreOptions {
  /** Leads per statement (pg-import.ts). */
  batchSize?: number;
}

/**
 * `npm run migrate:store`: copies the JSON-file store at DATA_FILE into the PostgreSQL database
 * at DATABASE_URL (migrated first), then counts every collection on both sides and prints the
 * table. Run it before the first start of the service on the database. A re-run only adds
 * what the database lacks: it never overwrites or rolls back what the service wrote since
 * (pg-import.ts). Answers the exit code: 0 when every row of the file is in the database
 * (the database's own rows and state kept beside them), 1 otherwise or when it cannot run,
 * with the reason.
 */
export async function runMigrateStoreCommand(
  env: Record<string, string | undefined>,
  out: MigrateStoreOutput,
  options: MigrateStoreOptions = {},
): Promise<number> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) out.error(issue.message);
    return 1;
  }
  const file = path.resolve(parsed.data.DATA_FILE);
  try {
    await access(file);
  } catch {
    out.error(
      `Data file ${file} (DATA_FILE) does not exist: set DATA_FILE to the JSON store to copy. ` +
        'Nothing was copied.',
    );
    return 1;
  }
  let where: string;
  try {
    where = describeDatabaseUrl(parsed.data.DATABASE_URL);
  } catch {
    out.error('DATABASE_URL is not a valid URL');
    return 1;
  }

  const pool = createPgPool({ connectionString: parsed.data.DATABASE_URL, max: 2 });
  let store: LowdbStore | undefined;
  try {
    await runMigrations(pool);
    // The file's own lock: a running service holds it, and a copy of a file that is still
    // being written would miss what comes after.
    store = await createJsonFileStore({ file, logger: silentLogger });
    const document = store.db.data;
    const refusal = await refuseOtherInstance(pool, document.instance, where);
    if (refusal !== undefined) {
      out.error(refusal);
      return 1;
    }
    const started = performance.now();
    out.info(`Copying ${file} into ${where}: ${document.leads.size} leads, then the rest.`);
    out.info(
      'Run this before the first start on the database. A re-run only adds leads the database ' +
        'lacks (or holds older); everything else is copied only into a database that holds none ' +
        'of it yet, and nothing the database holds is overwritten or rolled back.',
    );
    let reported = 0;
    const result = await importStoreDocument(pool, document, {
      batchSize: options.batchSize,
      onLeads: (copied, total) => {
        if (copied - reported < 100_000 && copied < total) return;
        reported = copied;
        out.info(`  leads: ${copied} of ${total}`);
      },
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const counts = await countCollections(pool, document, result);
    for (const line of formatCountTable(counts)) out.info(line);
    const differing = differences(counts);
    if (differing.length > 0) {
      out.error(
        `Copied in ${seconds} s, but the database lacks rows of the file for: ` +
          `${differing.map((count) => count.collection).join(', ')}. Nothing in the database ` +
          'was deleted; see the table above.',
      );
      return 1;
    }
    if (result.restKept === true) {
      out.info(
        'The database already holds state of its own (an earlier copy, or the service ran on ' +
          'it): only leads were copied; agents, meetings, the outbox, dialogues and the rest ' +
          "are the database's own.",
      );
    }
    out.info(
      allAgree(counts)
        ? `Copied in ${seconds} s; every count agrees. Set DATABASE_URL for the service.`
        : `Copied in ${seconds} s; every row of the file is in the database, and what the ` +
            'database held of its own was kept (see the table). Set DATABASE_URL for the service.',
    );
    return 0;
  } catch (error) {
    out.error(describeFailure(error, file, where));
    return 1;
  } finally {
    await store?.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}

/** A database that records another Marketo instance is never mixed with this file's data. */
async function refuseOtherInstance(
  db: Parameters<typeof queryRows>[0],
  source: StoreInstance | undefined,
  where: string,
): Promise<string | undefined> {
  const rows = await queryRows<{ instance: StoreInstance }>(
    db,
    'the instance read',
    'SELECT instance FROM store_instance WHERE id = 1',
  );
  const target = rows[0]?.instance;
  if (target === undefined || source === undefined || target.id === source.id) return undefined;
  return (
    `The database at ${where} holds the data of ${describeMarketoInstance(target.id)}, but ` +
    `DATA_FILE holds the data of ${describeMarketoInstance(source.id)}. A store serves one ` +
    'instance: copy into an empty database instead. Nothing was copied.'
  );
}

function describeFailure(error: unknown, file: string, where: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof AppError)) return `Copying ${file} into ${where} failed: ${message}`;
  switch (error.code) {
    case 'STORE_UNAVAILABLE':
      return `Cannot reach the database at DATABASE_URL (${where}): ${message}`;
    case 'STORE_LOCKED':
      return (
        `${message} Stop the service (every process using DATA_FILE) before moving the ` +
        'store, then run migrate:store again. Nothing was copied.'
      );
    default:
      return `Copying ${file} into ${where} failed (${error.code}): ${message}`;
  }
}
