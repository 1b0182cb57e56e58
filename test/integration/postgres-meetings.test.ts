import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Meeting } from '../../src/records/meeting-contract.js';
import type { RotationState } from '../../src/records/rotation.js';
import type { HoldFacts, SlotProbe } from '../../src/store/meeting-store-types.js';
import { PgRoutingRecords } from '../../src/store/postgres/pg-routing-records.js';
import {
  createMeetingsDatabase,
  meetingOf,
  MINUTE,
  T0,
  type MeetingsDatabase,
} from '../helpers/postgres-meeting-fixtures.js';

/**
 * PostgreSQL-only guarantees of the meetings and the rotation: the database itself refuses a
 * double booking, and the rotation's row lock serialises holds and turns across pools (the
 * replicas). The semantics shared with the lowdb store are the contract suites' business.
 */

let db: MeetingsDatabase;

beforeAll(async () => {
  db = await createMeetingsDatabase();
});
afterAll(async () => {
  await db?.drop();
});
beforeEach(async () => {
  await db.reset();
});

/** One more turn for `agentId` in the default pool (what routing/ would decide). */
function turnFor(rotation: RotationState, agentId: string): RotationState {
  return {
    ...rotation,
    lastAgentId: agentId,
    turns: { ...rotation.turns, default: (rotation.turns?.default ?? 0) + 1 },
    totals: { ...rotation.totals, [agentId]: (rotation.totals[agentId] ?? 0) + 1 },
  };
}

const probe = (agentId: string, start = T0): SlotProbe => ({
  agentId,
  start,
  end: start + 30 * MINUTE,
  bufferAfterMs: 0,
});

async function insertRaw(m: Meeting, active = true): Promise<void> {
  await db.pool.query(
    `INSERT INTO meetings (id, agent_id, status, start_ms, end_ms, buffer_after_ms, active,
       manage_token_hash, visitor_email, created_at, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)`,
    [
      m.id,
      m.agentId,
      m.status,
      m.start,
      m.end,
      m.bufferAfterMs,
      active,
      m.manageTokenHash,
      m.visitor.email,
      m.createdAt,
      JSON.stringify(m),
    ],
  );
}

async function countOutbox(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM outbox_items',
  );
  return rows[0]!.n;
}

describe('PostgreSQL meetings: the exclusion constraint', () => {
  it('when raw SQL inserts an active meeting overlapping one of the same agent, then the database refuses it', async () => {
    await insertRaw(meetingOf({ id: 'm1', agentId: 'a', start: T0, bufferAfterMs: 10 * MINUTE }));

    // Starts inside m1's buffer after (T0+30 .. T0+40): refused, code 23P01.
    await expect(
      insertRaw(meetingOf({ id: 'm2', agentId: 'a', start: T0 + 35 * MINUTE })),
    ).rejects.toMatchObject({ code: '23P01', constraint: 'meetings_no_overlap' });
    // Exactly at the buffer's end, another agent, or an inactive meeting: accepted.
    await insertRaw(meetingOf({ id: 'm3', agentId: 'a', start: T0 + 40 * MINUTE }));
    await insertRaw(meetingOf({ id: 'm4', agentId: 'b', start: T0 }));
    await insertRaw(meetingOf({ id: 'm5', agentId: 'a', start: T0, status: 'cancelled' }), false);

    const ids = (await db.meetings.listMeetings()).map((m) => m.id).sort();
    expect(ids).toEqual(['m1', 'm3', 'm4', 'm5']);
  });

  it('when a decision holds a taken slot whatever the facts say, then SLOT_TAKEN and nothing is written', async () => {
    await insertRaw(meetingOf({ id: 'm1', agentId: 'a', start: T0 }));
    let seen: HoldFacts | undefined;

    const hold = db.meetings.holdMeeting({
      visitorEmail: 'visitor@example.com',
      now: T0 - 60 * MINUTE,
      probes: [probe('a', T0 + 15 * MINUTE)],
      decide: (facts) => {
        seen = facts;
        return {
          result: 'held',
          meeting: meetingOf({ id: 'm2', agentId: 'a', start: T0 + 15 * MINUTE }),
          rotation: turnFor(facts.rotation, 'a'),
        };
      },
    });

    await expect(hold).rejects.toMatchObject({ code: 'SLOT_TAKEN', httpStatus: 409 });
    expect([...seen!.overlapping]).toEqual(['a']);
    expect(seen!.upcomingForVisitor).toBe(1);
    expect(await db.meetings.getMeeting('m2')).toBeUndefined();
    expect(await db.routing.rotationState()).toEqual({ totals: {} });
  });
});

describe('PostgreSQL meetings: concurrent holds', () => {
  it('when 100 holds of one slot race with 3 agents, then exactly 3 meetings are made, one per agent', async () => {
    const agents = ['a', 'b', 'c'];
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        db.meetings.holdMeeting({
          idempotencyKey: `key-${i}`,
          visitorEmail: `visitor-${i}@example.com`,
          now: T0 - 60 * MINUTE,
          probes: agents.map((agentId) => probe(agentId)),
          decide: ({ overlapping, rotation }) => {
            const free = agents.find((agentId) => !overlapping.has(agentId));
            if (free === undefined) return { result: 'taken' };
            return {
              result: `held:${free}`,
              meeting: meetingOf({
                id: `m${i}`,
                agentId: free,
                start: T0,
                idempotencyKey: `key-${i}`,
              }),
              rotation: turnFor(rotation, free),
            };
          },
        }),
      ),
    );

    expect(outcomes.filter((o) => o === 'taken')).toHaveLength(97);
    expect(outcomes.filter((o) => o !== 'taken').sort()).toEqual(['held:a', 'held:b', 'held:c']);
    const meetings = await db.meetings.listMeetings();
    expect(meetings.map((m) => m.agentId).sort()).toEqual(agents);
    expect(await db.routing.rotationState()).toMatchObject({
      turns: { default: 3 },
      totals: { a: 1, b: 1, c: 1 },
    });
  });

  it('when 20 holds that ignore the facts race for one agent, then one succeeds and the others get SLOT_TAKEN', async () => {
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        db.meetings.holdMeeting({
          visitorEmail: 'visitor@example.com',
          now: T0 - 60 * MINUTE,
          probes: [probe('a')],
          decide: ({ rotation }) => ({
            result: i,
            meeting: meetingOf({ id: `m${i}`, agentId: 'a', start: T0 + i * MINUTE }),
            rotation: turnFor(rotation, 'a'),
          }),
        }),
      ),
    );

    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    const refusals = settled.filter((s) => s.status === 'rejected');
    expect(refusals.map((s) => (s.reason as { code: string }).code)).toEqual(
      Array(19).fill('SLOT_TAKEN'),
    );
    expect(await db.meetings.listMeetings()).toHaveLength(1);
    expect((await db.routing.rotationState()).totals).toEqual({ a: 1 });
  });

  it('when two holds with one idempotency key race, then the second sees the first as its replay', async () => {
    const hold = (id: string) =>
      db.meetings.holdMeeting({
        idempotencyKey: 'same-key',
        visitorEmail: 'visitor@example.com',
        now: T0 - 60 * MINUTE,
        probes: [probe('a'), probe('b')],
        decide: ({ replay, overlapping }) => {
          if (replay !== undefined) return { result: `replay:${replay.id}` };
          const free = ['a', 'b'].find((agentId) => !overlapping.has(agentId))!;
          const meeting = meetingOf({ id, agentId: free, start: T0, idempotencyKey: 'same-key' });
          return { result: `held:${id}`, meeting };
        },
      });

    const results = (await Promise.all([hold('m1'), hold('m2')])).sort();

    expect(results).toHaveLength(2);
    const held = results.find((r) => r.startsWith('held:'))!.slice('held:'.length);
    expect(results).toContain(`replay:${held}`);
    expect(await db.meetings.listMeetings()).toHaveLength(1);
  });
});

describe('PostgreSQL routing: concurrent turns from two replicas', () => {
  it('when two PgRoutingRecords on one database take 60 turns at once, then no turn is given twice', async () => {
    const replicas = [db.routing, new PgRoutingRecords(db.openPool())];
    const turns = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        replicas[i % 2]!.takeAssignmentTurn({
          key: `lead:${i}`,
          keepSince: 0,
          decide: ({ rotation, previous }) => {
            expect(previous).toBeUndefined();
            const taken = rotation.turns?.default ?? 0;
            const agentId = ['a', 'b', 'c'][taken % 3]!;
            return {
              result: taken,
              rotation: turnFor(rotation, agentId),
              assignment: {
                key: `lead:${i}`,
                agentId,
                agentName: agentId,
                agentEmail: `${agentId}@example.com`,
                rule: 'round-robin',
                assignedAt: T0 + i,
                source: 'webhook',
              },
            };
          },
        }),
      ),
    );

    expect([...turns].sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(await db.routing.rotationState()).toMatchObject({
      turns: { default: 60 },
      totals: { a: 20, b: 20, c: 20 },
    });
    expect(await db.routing.getAssignment('lead:59')).toMatchObject({ key: 'lead:59' });
  });

  it('when a turn is written, then assignments made before keepSince are swept', async () => {
    const take = (key: string, assignedAt: number, keepSince: number) =>
      db.routing.takeAssignmentTurn({
        key,
        keepSince,
        decide: () => ({
          result: undefined,
          assignment: {
            key,
            agentId: 'a',
            agentName: 'A',
            agentEmail: 'a@example.com',
            rule: 'round-robin',
            assignedAt,
            source: 'webhook' as const,
          },
        }),
      });
    await take('old', T0, 0);
    await take('new', T0 + 10, T0 + 5);

    expect(await db.routing.getAssignment('old')).toBeUndefined();
    expect(await db.routing.getAssignment('new')).toMatchObject({ assignedAt: T0 + 10 });
  });
});

describe('PostgreSQL meetings: a give-back and a change are atomic', () => {
  const rotationWithTurn = (agentId: string) => turnFor({ totals: {} }, agentId);

  async function holdOne(m: Meeting): Promise<void> {
    await db.meetings.holdMeeting({
      visitorEmail: m.visitor.email,
      now: T0 - 60 * MINUTE,
      probes: [],
      decide: ({ rotation }) => ({
        result: undefined,
        meeting: m,
        rotation: turnFor(rotation, m.agentId),
      }),
    });
  }

  it('when giveBack throws, then the hold and the rotation stay; when it returns, both change together', async () => {
    await holdOne(meetingOf({ id: 'm1', agentId: 'a', start: T0 }));

    await expect(
      db.meetings.releaseMeeting('m1', T0, () => {
        throw new Error('giveBack failed');
      }),
    ).rejects.toThrow('giveBack failed');
    expect(await db.meetings.getMeeting('m1')).toMatchObject({ status: 'pending' });
    expect(await db.routing.rotationState()).toEqual(rotationWithTurn('a'));

    const released = await db.meetings.releaseMeeting('m1', T0, (rotation, meeting) => ({
      ...rotation,
      totals: { ...rotation.totals, [meeting.agentId]: 0 },
    }));
    expect(released).toBe(true);
    expect(await db.meetings.getMeeting('m1')).toBeUndefined();
    expect((await db.routing.rotationState()).totals).toEqual({ a: 0 });
    expect(await db.meetings.releaseMeeting('m1', T0, () => ({ totals: {} }))).toBe(false);
  });

  it('when change throws or its new time is taken, then the meeting, its outbox and the rotation stay as they were', async () => {
    await holdOne(meetingOf({ id: 'm1', agentId: 'a', start: T0, status: 'booked' }));
    await holdOne(meetingOf({ id: 'm2', agentId: 'a', start: T0 + 60 * MINUTE }));
    const before = await db.routing.rotationState();
    const outbox = [{ kind: 'marketo-activity', dedupeKey: 'moved:m1', payload: { id: 'm1' } }];

    await expect(
      db.meetings.updateMeeting(
        'm1',
        () => {
          throw new Error('change failed');
        },
        T0,
      ),
    ).rejects.toThrow('change failed');

    const moveOnto = T0 + 70 * MINUTE;
    let overlaps: boolean | undefined;
    await expect(
      db.meetings.updateMeeting(
        'm1',
        (current, facts) => {
          overlaps = facts.overlaps;
          return {
            meeting: {
              ...current,
              status: 'rescheduled',
              start: moveOnto,
              end: moveOnto + 30 * MINUTE,
            },
            outbox,
            rotation: { ...facts.rotation, totals: {} },
          };
        },
        T0,
        { probe: { ...probe('a', moveOnto), excludeId: 'm1' } },
      ),
    ).rejects.toMatchObject({ code: 'SLOT_TAKEN' });

    expect(overlaps).toBe(true);
    expect(await db.meetings.getMeeting('m1')).toMatchObject({ status: 'booked', start: T0 });
    expect(await db.routing.rotationState()).toEqual(before);
    expect(await countOutbox()).toBe(0);
  });

  it('when a change is written, then the meeting, its outbox items and the rotation commit together', async () => {
    await holdOne(meetingOf({ id: 'm1', agentId: 'a', start: T0, status: 'booked' }));
    const later = T0 + 120 * MINUTE;

    const updated = await db.meetings.updateMeeting(
      'm1',
      (current, facts) => {
        expect(facts.overlaps).toBe(false);
        expect(facts.routingSettings).toEqual({ cancellationReturnsTurn: false });
        return {
          meeting: { ...current, status: 'rescheduled', start: later, end: later + 30 * MINUTE },
          outbox: [{ kind: 'marketo-activity', dedupeKey: 'moved:m1', payload: { id: 'm1' } }],
          rotation: { ...facts.rotation, totals: { a: 0 } },
        };
      },
      T0,
      // Its own old time does not count: the probe excludes the meeting itself.
      { probe: { ...probe('a', T0 + 15 * MINUTE), excludeId: 'm1' } },
    );

    expect(updated).toMatchObject({ status: 'rescheduled', start: later });
    expect(await db.meetings.getMeeting('m1')).toEqual(updated);
    expect(await db.meetings.agentMeetings('a', later, later + MINUTE)).toEqual([updated]);
    expect((await db.routing.rotationState()).totals).toEqual({ a: 0 });
    expect(await countOutbox()).toBe(1);
  });
});
