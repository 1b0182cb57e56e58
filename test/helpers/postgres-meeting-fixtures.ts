import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Meeting } from '../../src/records/meeting-contract.js';
import { migrations } from '../../src/store/postgres/migrations.js';
import {
  MEETINGS_MIGRATION_NAME,
  MEETINGS_MIGRATION_SQL,
} from '../../src/store/postgres/migrations-meetings.js';
import { runMigrations } from '../../src/store/postgres/migrate.js';
import { createPgPool } from '../../src/store/postgres/pg-pool.js';
import { PgMeetingRecords } from '../../src/store/postgres/pg-meeting-records.js';
import { PgOutboxRecords } from '../../src/store/postgres/pg-outbox-records.js';
import { PgRoutingRecords } from '../../src/store/postgres/pg-routing-records.js';
import { createTestDatabase } from './postgres-database.js';

/**
 * A database of this run's own (postgres-database.ts) with migrations 001 and 002, and the
 * meetings' and routing's PostgreSQL records on it, for the PG-only tests. Fails (never skips)
 * when PostgreSQL is not running: CI starts it.
 */
export const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
export const MINUTE = 60_000;

export interface MeetingsDatabase {
  url: string;
  pool: pg.Pool;
  meetings: PgMeetingRecords;
  routing: PgRoutingRecords;
  /** Another pool on the same database: a second replica. */
  openPool(): pg.Pool;
  /** Empties every table of migration 002 and the outbox; the rotation back to its start. */
  reset(): Promise<void>;
  drop(): Promise<void>;
}

export async function createMeetingsDatabase(): Promise<MeetingsDatabase> {
  const database = await createTestDatabase();
  const pools: pg.Pool[] = [];
  const openPool = () => {
    // pg-pool's pool: an idle connection that fails is logged, not an unhandled 'error'.
    const pool = createPgPool({ connectionString: database.url, max: 10 });
    pools.push(pool);
    return pool;
  };
  const pool = openPool();
  // Migration 002 joins migrations.ts when the lead wires it; until then it is applied here.
  await runMigrations(pool, [
    ...migrations.filter((m) => m.version !== 2),
    { version: 2, name: MEETINGS_MIGRATION_NAME, sql: MEETINGS_MIGRATION_SQL },
  ]);
  const outbox = new PgOutboxRecords(pool, { next: () => randomBytes(8).toString('hex') });
  return {
    url: database.url,
    pool,
    meetings: new PgMeetingRecords(pool, outbox.enqueueIn),
    routing: new PgRoutingRecords(pool),
    openPool,
    reset: async () => {
      await pool.query(
        `TRUNCATE meetings, assignments, agents, routing_rules, oauth_states, routing_settings,
           outbox_items;
         UPDATE rotation SET state = '{"totals": {}}' WHERE id = 1`,
      );
    },
    drop: async () => {
      await Promise.all(pools.map((p) => p.end()));
      await database.drop();
    },
  };
}

/** A valid meeting: `pending`, 30 minutes, no buffer, unless `fields` says otherwise. */
export function meetingOf(
  fields: Partial<Meeting> & Pick<Meeting, 'id' | 'agentId' | 'start'>,
): Meeting {
  return {
    status: 'pending',
    agentName: `Agent ${fields.agentId}`,
    agentEmail: `${fields.agentId}@example.com`,
    end: fields.start + 30 * MINUTE,
    bufferAfterMs: 0,
    visitor: { email: 'visitor@example.com' },
    routing: { rule: 'round-robin', pool: 'default', skipped: [] },
    provider: 'local',
    manageTokenHash: `hash-${fields.id}`,
    history: [],
    createdAt: T0,
    updatedAt: T0,
    ...fields,
  };
}
