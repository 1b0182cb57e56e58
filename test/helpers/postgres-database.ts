import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL the tests use for real (trust auth; CI starts it). */
export const TEST_POSTGRES_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  name: string;
  /** A connection string for this database alone. */
  url: string;
  /** DROP DATABASE ... WITH (FORCE): ends the connections a test may have left open. Idempotent. */
  drop(): Promise<void>;
}

/** The URL of database `name` on the test server. */
export function testDatabaseUrl(name: string): string {
  return TEST_POSTGRES_ADMIN_URL.replace(/\/test$/, `/${name}`);
}

/**
 * A database of this run's own, `mc_test_<pid>_<random>`, so parallel test files and runs
 * never meet; a copy of `template` when given (CREATE DATABASE ... TEMPLATE: a migrated
 * schema in milliseconds). Fails loudly (never skips) when PostgreSQL is not running.
 */
export async function createTestDatabase(template?: string): Promise<TestDatabase> {
  const name = `mc_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) =>
    admin.query(`CREATE DATABASE ${name}${template === undefined ? '' : ` TEMPLATE ${template}`}`),
  );
  return {
    name,
    url: testDatabaseUrl(name),
    drop: () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function withAdmin(work: (admin: pg.Client) => Promise<unknown>): Promise<void> {
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `These tests need PostgreSQL at ${TEST_POSTGRES_ADMIN_URL} (CI starts it): ${String(error)}`,
    );
  }
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}
