import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/records/meeting-contract.js';
import { PgMeetingRecords } from '../../src/store/postgres/pg-meeting-records.js';
import { PgRoutingRecords } from '../../src/store/postgres/pg-routing-records.js';
import {
  createMeetingsDatabase,
  MINUTE,
  T0,
  type MeetingsDatabase,
} from '../helpers/postgres-meeting-fixtures.js';

/**
 * PostgreSQL-only races on agents and OAuth states, two replicas (pools) on one database, and
 * what the records answer when the database cannot be reached.
 */

let db: MeetingsDatabase;
let replica: PgMeetingRecords;

beforeAll(async () => {
  db = await createMeetingsDatabase();
  const noOutbox = async () => [];
  replica = new PgMeetingRecords(db.openPool(), noOutbox);
});
afterAll(async () => {
  await db?.drop();
});
beforeEach(async () => {
  await db.reset();
});

function agent(id: string, email: string): Agent {
  return {
    id,
    name: `Agent ${id}`,
    email,
    timeZone: 'UTC',
    availability: [],
    meetingMinutes: 30,
    bufferAfterMinutes: 0,
    minimumNoticeMinutes: 60,
    active: true,
    groups: [],
    conferencing: false,
    calendar: { provider: 'local', status: 'connected' },
    createdAt: T0,
    updatedAt: T0,
  };
}

describe('PostgreSQL agents and OAuth states across replicas', () => {
  it('when two replicas save one email for two agents at once, then one succeeds and the other gets AGENT_EMAIL_TAKEN', async () => {
    const settled = await Promise.allSettled([
      db.meetings.saveAgent(agent('a1', 'same@example.com')),
      replica.saveAgent(agent('a2', 'SAME@example.com')),
    ]);

    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const [refused] = settled.filter((s) => s.status === 'rejected');
    expect(refused?.reason).toMatchObject({
      code: 'AGENT_EMAIL_TAKEN',
      httpStatus: 409,
      field: 'email',
    });
    expect(await db.meetings.listAgents()).toHaveLength(1);
  });

  it('when agents are reordered, then a replica lists that order and a new agent comes last', async () => {
    for (const id of ['a1', 'a2', 'a3']) {
      await db.meetings.saveAgent(agent(id, `${id}@example.com`));
    }
    await db.meetings.reorderAgents(['a3', 'a1', 'a2']);
    await replica.saveAgent(agent('a4', 'a4@example.com'));
    // Replacing an agent keeps its place.
    await replica.saveAgent({ ...agent('a3', 'a3@example.com'), name: 'Renamed' });

    expect((await replica.listAgents()).map((a) => a.id)).toEqual(['a3', 'a1', 'a2', 'a4']);
    await expect(db.meetings.reorderAgents(['a3', 'a1', 'a2'])).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'order',
    });
  });

  it('when two replicas consume one OAuth state at once, then exactly one gets it', async () => {
    await db.meetings.saveOAuthState({
      state: 's1',
      agentId: 'a1',
      provider: 'google',
      codeVerifier: 'v',
      redirectUri: 'http://127.0.0.1/callback',
      expiresAt: T0 + 10 * MINUTE,
    });

    const got = await Promise.all([
      db.meetings.consumeOAuthState('s1', T0),
      replica.consumeOAuthState('s1', T0),
    ]);

    expect(got.filter((state) => state !== undefined)).toHaveLength(1);
    expect(await db.meetings.consumeOAuthState('s1', T0)).toBeUndefined();
  });
});

describe('PostgreSQL meetings and routing records when the database is unreachable', () => {
  it('when nothing listens, then reads, holds and turns answer STORE_UNAVAILABLE (503, retryable)', async () => {
    // Port 1 on loopback: refused at once, no real-clock wait.
    const pool = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 2_000,
    });
    const meetings = new PgMeetingRecords(pool, async () => []);
    const routing = new PgRoutingRecords(pool);
    const unavailable = { code: 'STORE_UNAVAILABLE', httpStatus: 503, retryable: true };
    try {
      await expect(meetings.listMeetings()).rejects.toMatchObject(unavailable);
      await expect(meetings.saveAgent(agent('a1', 'a1@example.com'))).rejects.toMatchObject(
        unavailable,
      );
      await expect(
        meetings.holdMeeting({
          visitorEmail: 'v@example.com',
          now: T0,
          probes: [],
          decide: () => ({ result: undefined }),
        }),
      ).rejects.toMatchObject(unavailable);
      await expect(
        routing.takeAssignmentTurn({
          key: 'lead:1',
          keepSince: 0,
          decide: () => ({ result: undefined }),
        }),
      ).rejects.toMatchObject(unavailable);
      await expect(routing.rotationState()).rejects.toMatchObject(unavailable);
    } finally {
      await pool.end();
    }
  });
});
