import pg from 'pg';
import { afterAll } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { runMigrations } from '../../src/store/postgres/migrate.js';
import { createPgPool } from '../../src/store/postgres/pg-pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createTestDatabase, type TestDatabase } from './postgres-database.js';
import type {
  StoreImplementation,
  StoreOpenOptions,
  StoreTestData,
} from './store-implementations.js';

/**
 * A migrated database made once per test file (worker) and copied (CREATE DATABASE ... TEMPLATE)
 * for the first test; when a test is done its copy is emptied back to the freshly migrated
 * state (every table's rows deleted, the migrations' own rows put back) and handed to the next
 * test. Each test still sees a database of its own, in a few milliseconds rather than the
 * half-second of copying and dropping one. Every copy and the template are dropped after the
 * file.
 */
let template: Promise<TestDatabase> | undefined;
const made: TestDatabase[] = [];
const free: ReusableDatabase[] = [];

interface ReusableDatabase {
  database: TestDatabase;
  tables: string[];
  /** The rows the migrations themselves wrote (the chat state, the rotation), by table. */
  seeds: Array<{ table: string; rows: string }>;
}

afterAll(async () => {
  const databases = made.splice(0);
  free.length = 0;
  const madeTemplate = template;
  template = undefined;
  await Promise.allSettled(databases.map((database) => database.drop()));
  if (madeTemplate !== undefined) await (await madeTemplate).drop();
});

function migratedTemplate(): Promise<TestDatabase> {
  template ??= (async () => {
    const database = await createTestDatabase();
    const pool = createPgPool({ connectionString: database.url, max: 1 });
    try {
      await runMigrations(pool);
    } finally {
      await pool.end();
    }
    return database;
  })();
  return template;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function takeDatabase(): Promise<ReusableDatabase> {
  const reused = free.pop();
  if (reused !== undefined) return reused;
  const database = await createTestDatabase((await migratedTemplate()).name);
  made.push(database);
  return withClient(database.url, async (client) => {
    const listed = await client.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables
        WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY tablename`,
    );
    const tables = listed.rows.map((row) => row.tablename);
    const seeds: ReusableDatabase['seeds'] = [];
    for (const table of tables) {
      const rows = await client.query<{ rows: unknown[] }>(
        `SELECT coalesce(json_agg(t), '[]'::json) AS rows FROM ${table} t`,
      );
      const found = rows.rows[0]?.rows ?? [];
      if (found.length > 0) seeds.push({ table, rows: JSON.stringify(found) });
    }
    return { database, tables, seeds };
  });
}

/** Back to the freshly migrated state, in one transaction. */
async function resetDatabase(reusable: ReusableDatabase): Promise<void> {
  await withClient(reusable.database.url, async (client) => {
    await client.query('BEGIN');
    for (const table of reusable.tables) await client.query(`DELETE FROM ${table}`);
    for (const seed of reusable.seeds) {
      await client.query(
        `INSERT INTO ${seed.table} OVERRIDING SYSTEM VALUE
           SELECT * FROM json_populate_recordset(NULL::${seed.table}, $1::json)`,
        [seed.rows],
      );
    }
    await client.query('COMMIT');
  });
}

/**
 * The PostgreSQL store as an entry of the contract suites' table (store-implementations.ts).
 * PostgreSQL unreachable fails the suites loudly (createTestDatabase), never skips them.
 */
export const postgresStoreImplementation: StoreImplementation = {
  kind: 'postgres',
  /** Several replicas on one database: both stores work and see each other's writes. */
  concurrentOpen: 'shared',
  async createData(): Promise<StoreTestData> {
    const reusable = await takeDatabase();
    const { database } = reusable;
    const opened = new Set<Store>();
    const open = async (options?: StoreOpenOptions) => {
      const store = await createPostgresStore({
        connectionString: database.url,
        ids: options?.ids,
      });
      opened.add(store);
      return store;
    };
    let removed = false;
    return {
      open,
      reopen: async (store, options) => {
        opened.delete(store);
        await store.close();
        return open(options);
      },
      remove: async () => {
        if (removed) return;
        removed = true;
        await Promise.allSettled([...opened].map((store) => store.close()));
        opened.clear();
        // A database a test left unusable is dropped, never handed on.
        await resetDatabase(reusable).then(
          () => free.push(reusable),
          () => database.drop(),
        );
      },
    };
  },
};
