import { afterAll } from 'vitest';
import type { Ids } from '../../src/deps.js';
import type { Store } from '../../src/store/index.js';
import { runMigrations } from '../../src/store/postgres/migrate.js';
import { createPgPool } from '../../src/store/postgres/pg-pool.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { createTestDatabase, type TestDatabase } from './postgres-database.js';

/*
 * The PostgreSQL store as an entry of the contract suites' table
 * (test/helpers/store-implementations.ts: StoreImplementation). The shapes are restated here
 * so this module stands alone; TypeScript checks them against the table where it joins.
 */
interface StoreOpenOptions {
  ids?: Ids;
}
interface StoreTestData {
  open(options?: StoreOpenOptions): Promise<Store>;
  reopen(store: Store, options?: StoreOpenOptions): Promise<Store>;
  remove(): Promise<void>;
}

/**
 * A migrated database made once per test file (worker) and copied for every test
 * (CREATE DATABASE ... TEMPLATE), then dropped after the file: each test gets a database of its
 * own in milliseconds instead of migrating one. Nothing connects to the template after it is
 * migrated (a copy needs that).
 */
let template: Promise<TestDatabase> | undefined;

afterAll(async () => {
  const made = template;
  template = undefined;
  if (made !== undefined) await (await made).drop();
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

export const postgresStoreImplementation = {
  kind: 'postgres',
  /** Several replicas on one database: both stores work and see each other's writes. */
  concurrentOpen: 'shared' as const,
  async createData(): Promise<StoreTestData> {
    const database = await createTestDatabase((await migratedTemplate()).name);
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
        await database.drop();
      },
    };
  },
};
