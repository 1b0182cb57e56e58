import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Meeting } from '../../src/records/meeting-contract.js';
import { runMigrations } from '../../src/store/postgres/migrate.js';
import { migrations } from '../../src/store/postgres/migrations.js';
import { createPgPool } from '../../src/store/postgres/pg-pool.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.js';
import { meetingOf, MINUTE, T0 } from '../helpers/postgres-meeting-fixtures.js';

/**
 * Migration 5 (migrations-meeting-buffers.ts) on a database that already has meetings: none is
 * lost, a meeting stored before has no buffer before, one whose data carries a buffer before
 * (written by a store that had it) gets it in the column, and the exclusion constraint then
 * compares [start - before, end + after).
 */
describe('PostgreSQL migration 5: a buffer before meetings', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeEach(async () => {
    database = await createTestDatabase();
    pool = createPgPool({ connectionString: database.url, max: 2 });
  });

  afterEach(async () => {
    await pool.end();
    await database.drop();
  });

  /** A row as the store wrote it before migration 5 (no buffer_before_ms column). */
  async function insertBefore(meeting: Meeting): Promise<void> {
    await pool.query(
      `INSERT INTO meetings (id, agent_id, status, start_ms, end_ms, buffer_after_ms, active,
         manage_token_hash, visitor_email, created_at, data)
       VALUES ($1, $2, $3, $4, $5, $6, true, $7, $8, $9, $10::jsonb)`,
      [
        meeting.id,
        meeting.agentId,
        meeting.status,
        meeting.start,
        meeting.end,
        meeting.bufferAfterMs,
        meeting.manageTokenHash,
        meeting.visitor.email,
        meeting.createdAt,
        JSON.stringify(meeting),
      ],
    );
  }

  it('when meetings exist before it runs, then they all stay, with their buffers before, and the constraint refuses a meeting in a buffer before', async () => {
    await runMigrations(
      pool,
      migrations.filter((m) => m.version < 5),
    );
    const start = T0 + 24 * 60 * MINUTE;
    await insertBefore(meetingOf({ id: 'old', agentId: 'a1', start, bufferAfterMs: 10 * MINUTE }));
    await insertBefore(
      meetingOf({ id: 'carried', agentId: 'a2', start, bufferBeforeMs: 15 * MINUTE }),
    );

    // This one, then those that came after it.
    const applied = await runMigrations(pool);
    expect(applied[0]).toEqual({ version: 5, name: 'meeting-buffers' });
    expect(applied.map((m) => m.version)).toEqual(
      migrations.filter((m) => m.version >= 5).map((m) => m.version),
    );

    const rows = await pool.query<{ id: string; buffer_before_ms: string }>(
      'SELECT id, buffer_before_ms FROM meetings ORDER BY id',
    );
    expect(rows.rows).toEqual([
      { id: 'carried', buffer_before_ms: String(15 * MINUTE) },
      { id: 'old', buffer_before_ms: '0' },
    ]);
    // Ending 10 minutes into a2's buffer before: refused by the database itself.
    await expect(
      pool.query(
        `INSERT INTO meetings (id, agent_id, status, start_ms, end_ms, buffer_after_ms, active,
           manage_token_hash, visitor_email, created_at, data)
         VALUES ('new', 'a2', 'pending', $1, $2, 0, true, 'hash-new', 'v@example.com', $3, '{}')`,
        [start - 35 * MINUTE, start - 5 * MINUTE, T0],
      ),
    ).rejects.toMatchObject({ code: '23P01', constraint: 'meetings_no_overlap' });
    // a1 has no buffer before: a meeting ending at its start fits.
    await pool.query(
      `INSERT INTO meetings (id, agent_id, status, start_ms, end_ms, buffer_after_ms, active,
         manage_token_hash, visitor_email, created_at, data)
       VALUES ('fits', 'a1', 'pending', $1, $2, 0, true, 'hash-fits', 'v@example.com', $3, '{}')`,
      [start - 30 * MINUTE, start, T0],
    );
  });
});
