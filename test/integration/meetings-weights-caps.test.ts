import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  addAgent,
  book,
  createMeetingsTestApp,
  WED_0900_BERLIN,
  type TestApp,
} from '../helpers/meetings-app.js';

/**
 * Weights, caps and out-of-office over HTTP (issue 11 items 7 and 10): the agent settings
 * validated with every bad field named, the booking's decision naming the weight and who was
 * passed over and why, GET /api/routing showing them, and a reschedule that the agent's
 * absence or cap makes go to another agent by the same routing. Wednesday 25 November 2026,
 * agents in Berlin working 09:00-17:00.
 */

const at = (hhmm: string, day = 25) => `2026-11-${day}T${hhmm}:00+01:00`;

const patchAgent = (t: TestApp, id: string, body: Record<string, unknown>, status = 200) =>
  request(t.app).patch(`/api/agents/${id}`).send(body).expect(status);

const manage = (meeting: { manageUrl: string }) => new URL(meeting.manageUrl).pathname;

async function bookAt(t: TestApp, start: string, email: string) {
  return (await book(t, { start, email })).body.meeting as {
    id: string;
    manageUrl: string;
    agent: { id: string; name: string };
  };
}

describe('agent weights, caps and out-of-office: settings', () => {
  it('when the settings are bad, then 400 names every bad field and nothing changes', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const res = await patchAgent(
      t,
      ana.id,
      {
        weight: 101,
        maxMeetingsPerDay: 0,
        maxMeetingsPerWeek: 'five',
        outOfOffice: [
          { start: 'tomorrow', end: 5 },
          { start: at('12:00'), end: at('09:00') },
        ],
      },
      400,
    );
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual([
      'weight',
      'maxMeetingsPerDay',
      'maxMeetingsPerWeek',
      'outOfOffice.0.start',
      'outOfOffice.1.end',
    ]);
    const stored = await request(t.app).get(`/api/agents/${ana.id}`).expect(200);
    expect(stored.body).toMatchObject({ weight: 1, maxMeetingsPerDay: null, outOfOffice: [] });
  });

  it('when out of office is given as ISO 8601 date-times, then it is kept as epoch ms, with its note', async () => {
    const t = createMeetingsTestApp();
    const res = await request(t.app)
      .post('/api/agents')
      .send({
        name: 'Ana',
        email: 'ana@example.com',
        weight: 3,
        maxMeetingsPerDay: 4,
        maxMeetingsPerWeek: 12,
        outOfOffice: [
          { start: '2026-12-21T00:00:00+01:00', end: 1_798_412_400_000, note: 'Holidays' },
        ],
      })
      .expect(201);
    expect(res.body).toMatchObject({
      weight: 3,
      maxMeetingsPerDay: 4,
      maxMeetingsPerWeek: 12,
      outOfOffice: [
        {
          start: Date.parse('2026-12-21T00:00:00+01:00'),
          end: 1_798_412_400_000,
          note: 'Holidays',
        },
      ],
    });
  });
});

describe('agent weights, caps and out-of-office: bookings', () => {
  it('when Ana has weight 2 and Ben 1, then of three bookings Ana gets two, and each decision names the weight', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com', weight: 2 });
    const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
    const agents = [];
    for (const [n, time] of ['09:00', '10:00', '11:00'].entries()) {
      agents.push((await bookAt(t, at(time), `v${n}@example.org`)).agent.id);
    }
    expect(agents).toEqual([ana.id, ben.id, ana.id]);
    const meetings = (await t.store.listMeetings()).sort((a, b) => a.start - b.start);
    expect(meetings.map((m) => m.routing.weight)).toEqual([2, 1, 2]);
    expect(meetings[0]!.routing).toMatchObject({
      rule: 'round-robin',
      pool: 'default',
      skipped: [],
    });
    const routing = await request(t.app).get('/api/routing').expect(200);
    expect(routing.body.order[0]).toMatchObject({
      id: ana.id,
      weight: 2,
      maxMeetingsPerDay: null,
      outOfOfficeNow: false,
    });
    // The cycle of three is complete: the next one starts with Ana, whose seat is due first.
    expect(routing.body.next.id).toBe(ana.id);
  });

  it('when an agent has weight 0, then the rotation passes them and the decision says weight-0', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com', weight: 0 });
    const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
    expect((await bookAt(t, at('09:00'), 'v1@example.org')).agent.id).toBe(ben.id);
    expect((await bookAt(t, at('10:00'), 'v2@example.org')).agent.id).toBe(ben.id);
    const [meeting] = await t.store.listMeetings();
    expect(meeting!.routing.skipped).toEqual([{ agentId: ana.id, reason: 'weight-0' }]);
  });

  it('when the next agent is out of office, then the one after gets the meeting, the decision names the absence, and the absent one is next after', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const ben = await addAgent(t, {
      name: 'Ben',
      email: 'ben@example.com',
      outOfOffice: [{ start: at('09:00'), end: at('10:00') }],
    });
    const cy = await addAgent(t, { name: 'Cy', email: 'cy@example.com' });
    expect((await bookAt(t, at('11:00'), 'v1@example.org')).agent.id).toBe(ana.id);
    expect((await bookAt(t, at('09:00'), 'v2@example.org')).agent.id).toBe(cy.id);
    const second = (await t.store.listMeetings()).find((m) => m.agentId === cy.id)!;
    expect(second.routing.skipped).toEqual([{ agentId: ben.id, reason: 'out-of-office' }]);
    // Strict round robin: after Cy comes Ana; Ben's place comes round again.
    expect((await bookAt(t, at('12:00'), 'v3@example.org')).agent.id).toBe(ana.id);
    expect((await bookAt(t, at('13:00'), 'v4@example.org')).agent.id).toBe(ben.id);
  });

  it('when an agent has reached their daily cap, then the rotation passes them that day, names the cap, and they are back the next day', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com', maxMeetingsPerDay: 1 });
    const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
    expect((await bookAt(t, at('09:00'), 'v1@example.org')).agent.id).toBe(ana.id);
    expect((await bookAt(t, at('10:00'), 'v2@example.org')).agent.id).toBe(ben.id);
    expect((await bookAt(t, at('11:00'), 'v3@example.org')).agent.id).toBe(ben.id);
    const third = (await t.store.listMeetings()).find((m) => m.visitor.email === 'v3@example.org')!;
    expect(third.routing.skipped).toEqual([{ agentId: ana.id, reason: 'daily-cap' }]);
    expect((await bookAt(t, at('09:00', 26), 'v4@example.org')).agent.id).toBe(ana.id);
    // Her day shows no slots any more; Ben's still do.
    const slots = await request(t.app)
      .get(`/api/agents/${ana.id}/availability`)
      .query({ from: '2026-11-25', days: 1, timeZone: 'Europe/Berlin' })
      .expect(200);
    expect(slots.body.days).toEqual([]);
  });

  it('when a cancelled meeting was on that day, then it does not count toward the cap', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com', maxMeetingsPerDay: 1 });
    await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
    const first = await bookAt(t, at('09:00'), 'v1@example.org');
    await request(t.app)
      .post(`${manage(first)}/cancel`)
      .send({})
      .expect(200);
    await bookAt(t, at('10:00'), 'v2@example.org');
    expect((await bookAt(t, at('11:00'), 'v3@example.org')).agent.id).toBe(ana.id);
  });
});

describe('agent weights, caps and out-of-office: reschedules', () => {
  it('when a meeting moves to a time its agent is out of office, then it goes to another agent by the same routing, and the record says why', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, {
      name: 'Ana',
      email: 'ana@example.com',
      outOfOffice: [{ start: at('14:00'), end: at('18:00') }],
    });
    const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
    const meeting = await bookAt(t, WED_0900_BERLIN, 'v1@example.org');
    expect(meeting.agent.id).toBe(ana.id);
    const res = await request(t.app)
      .post(`${manage(meeting)}/reschedule`)
      .send({ start: at('15:00') })
      .expect(200);
    expect(res.body.meeting.agent.id).toBe(ben.id);
    expect((await t.store.getMeeting(meeting.id))!.routing).toMatchObject({
      rule: 'round-robin',
      reassignedFrom: { agentId: ana.id, reason: 'out-of-office' },
    });
  });

  it('when a meeting moves to a day its agent has reached their cap on, then another agent gets it; within its own day it stays', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com', maxMeetingsPerDay: 1 });
    const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
    const wednesday = await bookAt(t, at('09:00'), 'v1@example.org');
    expect(wednesday.agent.id).toBe(ana.id);
    await bookAt(t, at('09:00', 26), 'v2@example.org'); // Ben, Thursday
    expect((await bookAt(t, at('10:00', 26), 'v3@example.org')).agent.id).toBe(ana.id);
    // Within Wednesday: the meeting does not count against itself.
    const same = await request(t.app)
      .post(`${manage(wednesday)}/reschedule`)
      .send({ start: at('11:00') })
      .expect(200);
    expect(same.body.meeting.agent.id).toBe(ana.id);
    // To Thursday, where Ana has her one meeting: Ben takes it.
    const moved = await request(t.app)
      .post(`${manage(wednesday)}/reschedule`)
      .send({ start: at('14:00', 26) })
      .expect(200);
    expect(moved.body.meeting.agent.id).toBe(ben.id);
    expect((await t.store.getMeeting(wednesday.id))!.routing.reassignedFrom).toEqual({
      agentId: ana.id,
      reason: 'daily-cap',
    });
  });
});
