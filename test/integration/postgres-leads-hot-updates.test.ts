import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseLeadUpsert } from '../../src/store/lead-records.js';
import { runMigrations } from '../../src/store/postgres/migrate.js';
import { migrations } from '../../src/store/postgres/migrations.js';
import { upsertRounds } from '../../src/store/postgres/pg-lead-records.js';
import { createPgPool } from '../../src/store/postgres/pg-pool.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.js';

/**
 * Migration 8 (migrations-leads-hot-updates.ts): a webhook's merge of a lead that keeps its
 * email writes no index entry (a heap-only update), and the sweep after a full copy still finds
 * the leads the copy did not see.
 */
describe('PostgreSQL migration 8: lead updates without index writes', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeEach(async () => {
    database = await createTestDatabase();
    pool = createPgPool({ connectionString: database.url, max: 2 });
    await runMigrations(pool, migrations);
  });

  afterEach(async () => {
    await pool.end();
    await database.drop();
  });

  const upsert = (id: number, observedAt: number, fields: Record<string, unknown>) =>
    parseLeadUpsert({ id, observedAt, source: 'webhook', fields, merge: true }, 0);

  it('when a lead is merged again with the same email, then the update is heap-only', async () => {
    await upsertRounds(pool, [upsert(1, 1000, { email: 'a@example.com', firstName: 'Ann' })]);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const results = await upsertRounds(client, [
        upsert(1, 2000, { email: 'A@example.com', title: 'CMO' }),
      ]);
      // Counted in this transaction, so no wait for the statistics collector.
      const { rows } = await client.query<{ updated: string; hot: string }>(
        `SELECT pg_stat_get_xact_tuples_updated('leads'::regclass) AS updated,
                pg_stat_get_xact_tuples_hot_updated('leads'::regclass) AS hot`,
      );
      await client.query('COMMIT');
      expect(results).toEqual(['updated']);
      expect(rows[0]).toEqual({ updated: '1', hot: '1' });
    } finally {
      client.release();
    }
    const { rows } = await pool.query<{ fields: Record<string, unknown> }>(
      'SELECT fields FROM leads WHERE id = 1',
    );
    expect(rows[0]!.fields).toEqual({ email: 'A@example.com', firstName: 'Ann', title: 'CMO' });
  });

  it('when it has run, then leads has no index on observed_at and leaves a tenth of each page free', async () => {
    const { rows } = await pool.query<{ indexes: string[]; options: string[] | null }>(
      `SELECT array(SELECT indexname::text FROM pg_indexes WHERE tablename = 'leads'
                    ORDER BY indexname) AS indexes,
              (SELECT reloptions FROM pg_class WHERE relname = 'leads') AS options`,
    );
    expect(rows[0]).toEqual({
      indexes: ['leads_email_lower', 'leads_pkey'],
      options: ['fillfactor=90'],
    });
  });
});
