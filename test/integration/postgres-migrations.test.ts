import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMigrations } from '../../src/store/postgres/migrate.js';
import { runMigrateCommand } from '../../src/store/postgres/migrate-command.js';
import { migrations, type Migration } from '../../src/store/postgres/migrations.js';
import { createPgPool } from '../../src/store/postgres/pg-pool.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.js';

const broken: Migration = {
  version: 99,
  name: 'broken',
  // The first statement succeeds, the second fails: the first must not stay.
  sql: 'CREATE TABLE half_done (id int); ALTER TABLE leads ADD COLUMN extra int; SELECT no_such_function();',
};

describe('PostgreSQL migrations', () => {
  let database: TestDatabase;
  let pools: pg.Pool[];

  beforeEach(async () => {
    database = await createTestDatabase();
    pools = [];
  });

  afterEach(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await database.drop();
  });

  function pool(): pg.Pool {
    const made = createPgPool({ connectionString: database.url, max: 2 });
    pools.push(made);
    return made;
  }

  async function tables(): Promise<string[]> {
    const result = await pool().query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = 'public' ORDER BY table_name`,
    );
    return result.rows.map((row) => row.name);
  }

  async function applied(): Promise<number[]> {
    const result = await pool().query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    return result.rows.map((row) => row.version);
  }

  it('when migrations run twice, then the second run applies nothing and changes nothing', async () => {
    const first = await runMigrations(pool());
    expect(first.map((m) => m.version)).toEqual(migrations.map((m) => m.version));
    const before = await tables();
    expect(before).toEqual(expect.arrayContaining(['leads', 'outbox_items', 'schema_migrations']));

    expect(await runMigrations(pool())).toEqual([]);
    expect(await tables()).toEqual(before);
    expect(await applied()).toEqual(migrations.map((m) => m.version));
  });

  it('when two migrators start at once, then each migration is applied exactly once', async () => {
    const [a, b] = await Promise.all([runMigrations(pool()), runMigrations(pool())]);
    const all = [...a, ...b].map((m) => m.version).sort((x, y) => x - y);
    expect(all).toEqual(migrations.map((m) => m.version));
    expect(await applied()).toEqual(migrations.map((m) => m.version));
  });

  it('when a migration fails, then it is rolled back whole, earlier ones stay, and the error names it', async () => {
    await expect(runMigrations(pool(), [...migrations, broken])).rejects.toMatchObject({
      code: 'STORE_MIGRATION_FAILED',
      message: expect.stringContaining('Migration 99 (broken) failed') as unknown,
    });
    expect(await tables()).not.toContain('half_done');
    const columns = await pool().query(
      `SELECT 1 FROM information_schema.columns WHERE table_name = 'leads' AND column_name = 'extra'`,
    );
    expect(columns.rowCount).toBe(0);
    expect(await applied()).toEqual(migrations.map((m) => m.version));

    // The lock was given back: a later run proceeds (and finds nothing left to do).
    expect(await runMigrations(pool())).toEqual([]);
  });

  it('when the first migration fails on an empty database, then the database stays empty of it', async () => {
    await expect(
      runMigrations(pool(), [
        { version: 1, name: 'core', sql: `${migrations[0]!.sql}; SELECT 1/0;` },
      ]),
    ).rejects.toMatchObject({ code: 'STORE_MIGRATION_FAILED' });
    expect(await tables()).toEqual(['schema_migrations']);
    expect(await applied()).toEqual([]);
  });

  it('when the migrate command runs, then it prints what it applied, and exits 1 with the code and the reason when the database is unreachable, refuses the login or is missing', async () => {
    const lines: string[] = [];
    const out = {
      info: (line: string) => lines.push(line),
      error: (line: string) => lines.push(line),
    };

    expect(await runMigrateCommand({ DATABASE_URL: database.url }, out)).toBe(0);
    expect(lines).toEqual(
      migrations.map((m) => `${database.url}: applied migration ${m.version} (${m.name})`),
    );

    lines.length = 0;
    expect(await runMigrateCommand({ DATABASE_URL: database.url }, out)).toBe(0);
    expect(lines[0]).toContain('up to date');

    lines.length = 0;
    const unreachable = 'postgres://postgres:secret@127.0.0.1:1/none';
    expect(await runMigrateCommand({ DATABASE_URL: unreachable }, out)).toBe(1);
    expect(lines[0]).toMatch(
      /^DATABASE_UNREACHABLE: PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/none \(DATABASE_URL\) is unreachable: .*ECONNREFUSED/,
    );
    expect(lines[0]).not.toContain('secret');

    // A refused login and a missing database keep the server's reason (issue 10 review).
    lines.length = 0;
    const nobody = `postgres://mc_nosuchrole_${process.pid}:secret@127.0.0.1:5432/test`;
    expect(await runMigrateCommand({ DATABASE_URL: nobody }, out)).toBe(1);
    expect(lines[0]).toMatch(/^DATABASE_LOGIN_REFUSED: /);
    expect(lines[0]).toContain(`role "mc_nosuchrole_${process.pid}" does not exist`);
    expect(lines[0]).not.toContain('secret');

    lines.length = 0;
    const missing = `${database.url}_missing`;
    expect(await runMigrateCommand({ DATABASE_URL: missing }, out)).toBe(1);
    expect(lines[0]).toMatch(/^DATABASE_MISSING: /);
    expect(lines[0]).toContain(`createdb ${database.name}_missing`);

    lines.length = 0;
    expect(await runMigrateCommand({}, out)).toBe(1);
    expect(lines).toEqual(['DATABASE_URL is not set']);
  });
});
