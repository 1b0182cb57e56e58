/**
 * What the benchmarks need to run on PostgreSQL: a database (BENCH_DATABASE_URL, kept as it is,
 * or one of their own, `mc_bench_<pid>_<random>`, created here and dropped at the end), the
 * store opened on it as the service opens it (migrated), leads seeded straight into the table by
 * the server (generate_series: a million rows in tens of seconds, not through the sync), and the
 * process's memory. BENCH_PG_ADMIN_URL names the server to create databases on
 * (postgres://postgres@127.0.0.1:5432/test by default, the tests' server).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createPostgresStore, type PostgresStore } from '../src/store/postgres/postgres-store.js';

const ADMIN_URL = process.env['BENCH_PG_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

export type StoreKind = 'json' | 'memory' | 'postgres';

/** BENCH_STORE, checked: a typo must not silently bench the JSON file. */
export function storeKind(fallback: StoreKind = 'json'): StoreKind {
  const kind = process.env['BENCH_STORE'] ?? fallback;
  if (kind === 'json' || kind === 'memory' || kind === 'postgres') return kind;
  throw new Error(`BENCH_STORE=${kind}: json, memory or postgres`);
}

export interface BenchDatabase {
  url: string;
  /** Shown in the output: the database's name, and whether this run made it. */
  label: string;
  /** Drops the database when this run created it; leaves BENCH_DATABASE_URL's alone. */
  drop(): Promise<void>;
}

async function withAdmin(work: (admin: pg.Client) => Promise<unknown>): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}

/** BENCH_DATABASE_URL (its data kept), else a fresh database of this run's own. */
export async function benchDatabase(): Promise<BenchDatabase> {
  const given = process.env['BENCH_DATABASE_URL'];
  if (given !== undefined && given !== '') {
    return {
      url: given,
      label: `${new URL(given).pathname.slice(1)} (BENCH_DATABASE_URL)`,
      drop: async () => {},
    };
  }
  const name = `mc_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    label: `${name} (created for this run, dropped at its end)`,
    drop: () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/** The store as openStore opens it for DATABASE_URL (migrations applied), and its database. */
export async function openBenchPostgres(
  options: { maxConnections?: number } = {},
): Promise<{ store: PostgresStore; database: BenchDatabase; close(): Promise<void> }> {
  const database = await benchDatabase();
  try {
    const store = await createPostgresStore({ connectionString: database.url, ...options });
    return {
      store,
      database,
      close: async () => {
        await store.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/**
 * Leads `from`..`to` written by the server itself, in chunks of 100,000 rows, shaped as the
 * benches' seedLead writes them (14 default SYNC_FIELDS, email `lead.<id>@company<id % 3001>
 * .example.com`, one in four in Germany), then ANALYZE so the planner knows the table's size.
 * Bypasses the store's validation on purpose: this is fixture loading, not what is measured.
 */
export async function seedLeadsInDatabase(
  pool: pg.Pool,
  range: { from: number; to: number; observedAt: number },
): Promise<void> {
  const CHUNK = 100_000;
  for (let from = range.from; from <= range.to; from += CHUNK) {
    const to = Math.min(range.to, from + CHUNK - 1);
    await pool.query(
      `INSERT INTO leads (id, email_lower, fields, observed_at, source)
       SELECT g, e.email, jsonb_build_object(
           'email', e.email, 'firstName', 'First' || g, 'lastName', 'Last' || g,
           'company', 'Company ' || (g % 3001) || ' Inc.', 'title', 'Marketing Operations Manager',
           'phone', '+1 (555) ' || lpad((g % 1000)::text, 3, '0') || '-0100',
           'country', CASE WHEN g % 4 = 0 THEN 'Germany' ELSE 'United States' END,
           'state', 'CA', 'city', 'San Francisco', 'industry', 'Software',
           'leadSource', 'Website', 'leadStatus', 'Open',
           'createdAt', '2025-03-14T09:26:53Z', 'updatedAt', '2026-11-20T17:02:11Z'),
         $3::float8, 'sync'
       FROM generate_series($1::bigint, $2::bigint) AS g,
         LATERAL (SELECT 'lead.' || g || '@company' || (g % 3001) || '.example.com' AS email) AS e
       ON CONFLICT (id) DO NOTHING`,
      [from, to, range.observedAt],
    );
  }
  await pool.query('ANALYZE leads');
}

/** The process's resident memory and V8 heap, in MB. */
export function memoryMb(): { rss: number; heapUsed: number } {
  const usage = process.memoryUsage();
  return { rss: usage.rss / 1e6, heapUsed: usage.heapUsed / 1e6 };
}

/** USER_HZ, the unit of /proc's CPU times (100 on the Linux builds that matter). */
const CLOCK_TICKS = 100;

/**
 * CPU time of the PostgreSQL processes serving this database (Linux, the server on this machine:
 * /proc/<pid>/stat of each pid pg_stat_activity lists for it; pg_stat_statements is not
 * installed): `ms()` the client backends (the queries the service sends), `autovacuumMs()` the
 * autovacuum workers seen by the last `ms()` (maintenance the writes cause later, apart: a
 * worker that ends between two reads keeps only the time last read, so it is a lower bound).
 * A backend that has ended keeps the last time read, so call it around each phase while the
 * pool's connections are alive. Undefined where /proc cannot be read.
 */
export function createBackendCpuMeter(pool: pg.Pool): {
  ms(): Promise<number | undefined>;
  autovacuumMs(): number | undefined;
} {
  const last = new Map<number, { ms: number; autovacuum: boolean }>();
  const total = (autovacuum: boolean) => {
    if (last.size === 0) return undefined;
    let sum = 0;
    for (const process of last.values()) if (process.autovacuum === autovacuum) sum += process.ms;
    return sum;
  };
  return {
    async ms() {
      const { rows } = await pool.query<{ pid: number; backend_type: string }>(
        'SELECT pid, backend_type FROM pg_stat_activity WHERE datname = current_database()',
      );
      for (const { pid, backend_type: type } of rows) {
        try {
          const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
          last.set(pid, { ms, autovacuum: type === 'autovacuum worker' });
        } catch {
          // Ended since it was listed, or no /proc here.
        }
      }
      return total(false);
    },
    autovacuumMs: () => total(true),
  };
}
