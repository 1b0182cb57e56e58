import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addAgent,
  book,
  createMeetingsTestApp,
  outboxOf,
  type TestApp,
} from '../helpers/meetings-app.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

/**
 * Meeting types and buffers before, through HTTP: the admin API's checks, GET /chat/slots with
 * `meetingType`, bookings of a type's length among the agents who offer it, and what the
 * visitor, the admin, the .ics and Marketo's activity say of it. Wednesday 25 November 2026 in
 * Berlin; the clock is Tuesday noon UTC.
 */

const INTRO = { id: 'intro', name: '15-minute intro', minutes: 15 };
const DEMO = { id: 'demo', name: 'Product demo', minutes: 45 };

/** Ana offers intro and demo, Ben only demo, Cy no types (30 minutes). */
async function team(t: TestApp) {
  const ana = await addAgent(t, {
    name: 'Ana',
    email: 'ana@example.com',
    meetingTypes: [INTRO, DEMO],
  });
  const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com', meetingTypes: [DEMO] });
  const cy = await addAgent(t, { name: 'Cy', email: 'cy@example.com' });
  return { ana, ben, cy };
}

const slotsOf = (t: TestApp, query: Record<string, string | number>, status = 200) =>
  request(t.app)
    .get('/chat/slots')
    .query({ from: '2026-11-25', days: 1, timeZone: 'Europe/Berlin', ...query })
    .expect(status);

describe('meeting types in the agents admin API', () => {
  it.each([
    [
      'an id is listed twice',
      { meetingTypes: [INTRO, { ...INTRO, name: 'Again' }] },
      'meetingTypes.1.id',
    ],
    ['a name is blank', { meetingTypes: [{ ...INTRO, name: '  ' }] }, 'meetingTypes.0.name'],
    [
      'a length is under 5 minutes',
      { meetingTypes: [{ ...INTRO, minutes: 3 }] },
      'meetingTypes.0.minutes',
    ],
    [
      'another agent defines the id otherwise',
      { meetingTypes: [DEMO, { ...INTRO, minutes: 20 }] },
      'meetingTypes.1.id',
    ],
  ])('when %s, then 400 names that field and nothing is saved', async (_case, body, field) => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com', meetingTypes: [INTRO] });

    const res = await request(t.app)
      .post('/api/agents')
      .send({ name: 'Ben', email: 'ben@example.com', ...body })
      .expect(400);

    expect(res.body.error.field).toBe(field);
    expect((await t.store.listAgents()).map((a) => a.name)).toEqual(['Ana']);
  });

  it('when a patch repeats a type id and has another bad field, then one 400 names both', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const res = await request(t.app)
      .patch(`/api/agents/${ana.id}`)
      .send({ meetingTypes: [INTRO, { ...INTRO, name: 'Again' }], bufferBeforeMinutes: 300 })
      .expect(400);
    const fields = (res.body.error.details.issues as Array<{ field: string }>).map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['meetingTypes.1.id', 'bufferBeforeMinutes']));
  });

  it('when a patch gives an agent a type another agent defines otherwise, then 400 naming it; the same definition goes through', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com', meetingTypes: [INTRO] });
    const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com' });

    const refused = await request(t.app)
      .patch(`/api/agents/${ben.id}`)
      .send({ meetingTypes: [{ ...INTRO, name: 'Quick chat' }] })
      .expect(400);
    expect(refused.body.error.field).toBe('meetingTypes.0.id');
    expect(refused.body.error.message).toContain('Ana offers intro as "15-minute intro"');
    expect((await t.store.getAgent(ben.id))?.meetingTypes).toEqual([]);

    const res = await request(t.app)
      .patch(`/api/agents/${ben.id}`)
      .send({ meetingTypes: [INTRO], bufferBeforeMinutes: 10 })
      .expect(200);
    expect(res.body).toMatchObject({ meetingTypes: [INTRO], bufferBeforeMinutes: 10 });
  });
});

describe('slots of a meeting type', () => {
  it('when slots are asked for a type, then they are of its length, from the agents who offer it, and the pool’s types are listed', async () => {
    const t = createMeetingsTestApp();
    await team(t);

    const res = await slotsOf(t, { meetingType: 'intro' });

    expect(res.body).toMatchObject({
      durationMinutes: 15,
      meetingType: INTRO,
      meetingTypes: [INTRO, DEMO],
    });
    const [day] = res.body.days;
    expect(day.slots[0]).toEqual({
      start: '2026-11-25T09:00:00.000+01:00',
      end: '2026-11-25T09:15:00.000+01:00',
    });
    // A 15-minute grid: 32 slots in 09:00-17:00.
    expect(day.slots).toHaveLength(32);

    const plain = await slotsOf(t, {});
    expect(plain.body).toMatchObject({ durationMinutes: 30, meetingTypes: [INTRO, DEMO] });
    expect(plain.body).not.toHaveProperty('meetingType');
  });

  it('when an unknown type is asked, or one the named agent does not offer, then 400 names meetingType', async () => {
    const t = createMeetingsTestApp();
    const { ben } = await team(t);

    const unknown = await slotsOf(t, { meetingType: 'workshop' }, 400);
    expect(unknown.body.error.field).toBe('meetingType');
    const notBens = await slotsOf(t, { meetingType: 'intro', agentId: ben.id }, 400);
    expect(notBens.body.error.field).toBe('meetingType');
    const bens = await slotsOf(t, { agentId: ben.id });
    expect(bens.body.meetingTypes).toEqual([DEMO]);
  });
});

describe('booking a meeting type', () => {
  it('when a visitor books a type, then the meeting is that long with an agent who offers it, and the visitor, the admin, the .ics and Marketo say so', async () => {
    const t = createMeetingsTestApp();
    const { ana } = await team(t);

    const res = await book(t, { meetingType: 'intro' });

    expect(res.body.meeting).toMatchObject({
      agent: { id: ana.id, name: 'Ana' },
      start: '2026-11-25T09:00:00.000+01:00',
      end: '2026-11-25T09:15:00.000+01:00',
      meetingType: INTRO,
    });
    const admin = await request(t.app).get(`/api/meetings/${res.body.meeting.id}`).expect(200);
    expect(admin.body).toMatchObject({ meetingType: INTRO, durationMinutes: 15 });
    const ics = await request(t.app)
      .get(`/api/meetings/${res.body.meeting.id}/invite.ics`)
      .expect(200);
    expect(ics.text).toContain('SUMMARY:15-minute intro: visitor@example.org and Ana');
    expect(ics.text).toContain('DTEND:20261125T081500Z');
    const [activity] = await outboxOf(t);
    expect(activity?.payload).toMatchObject({ agentId: ana.id, durationMinutes: 15 });
  });

  it('when demos are booked one after the other, then the rotation goes round only the agents who offer demos', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben } = await team(t);

    const agents: string[] = [];
    for (const [i, start] of ['09:00', '10:00', '11:00', '12:00'].entries()) {
      const res = await book(t, {
        meetingType: 'demo',
        start: `2026-11-25T${start}:00+01:00`,
        email: `v${i}@example.org`,
      });
      agents.push(res.body.meeting.agent.id);
      expect(res.body.meeting.end).toBe(`2026-11-25T${start.replace(':00', ':45')}:00.000+01:00`);
    }

    expect(agents).toEqual([ana.id, ben.id, ana.id, ben.id]);
    const stored = await t.store.listMeetings();
    expect(stored.map((m) => m.meetingType?.id)).toEqual(['demo', 'demo', 'demo', 'demo']);
    expect(stored.map((m) => m.routing.rule)).toEqual(Array(4).fill('round-robin'));
  });

  it('when the type’s slot is taken meanwhile, then 409 with that day’s free slots of the same type', async () => {
    const t = createMeetingsTestApp();
    await team(t);
    await book(t, { meetingType: 'intro' });

    const taken = await book(t, { meetingType: 'intro', email: 'late@example.org' }, 409);

    expect(taken.body.error.code).toBe('SLOT_TAKEN');
    expect(taken.body.slots).toMatchObject({ durationMinutes: 15, meetingType: INTRO });
    expect(taken.body.slots.days[0].slots[0].start).toBe('2026-11-25T09:15:00.000+01:00');
  });

  it('when an unknown type or one the named agent does not offer is booked, then 400 names meetingType and nothing is stored', async () => {
    const t = createMeetingsTestApp();
    const { cy } = await team(t);

    const unknown = await book(t, { meetingType: 'workshop' }, 400);
    expect(unknown.body.error.field).toBe('meetingType');
    const notCys = await book(t, { meetingType: 'demo', agentId: cy.id }, 400);
    expect(notCys.body.error.field).toBe('meetingType');
    expect(await t.store.listMeetings()).toEqual([]);
  });

  it('when the same idempotency key comes back with another type, then 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const t = createMeetingsTestApp();
    await team(t);

    await book(t, { meetingType: 'intro', idempotencyKey: 'key-12345678' });
    const again = await book(t, { meetingType: 'demo', idempotencyKey: 'key-12345678' }, 422);
    expect(again.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});

describe.each(storeImplementations)('a buffer before meetings, through HTTP: $kind', (impl) => {
  let data: StoreTestData | undefined;
  afterEach(() => data?.remove());

  it('when an agent keeps 15 minutes before meetings, then the slot right after a meeting is neither offered nor bookable, and the meeting records its buffer', async () => {
    data = await impl.createData();
    const t = createMeetingsTestApp({ store: await data.open() });
    await addAgent(t, { name: 'Ana', email: 'ana@example.com', bufferBeforeMinutes: 15 });

    const first = await book(t, {});
    const slots = await slotsOf(t, {});
    const starts = slots.body.days[0].slots.map((s: { start: string }) => s.start.slice(11, 16));
    expect(starts.slice(0, 2)).toEqual(['10:00', '10:30']);

    const taken = await book(
      t,
      { start: '2026-11-25T09:30:00+01:00', email: 'b@example.org' },
      409,
    );
    expect(taken.body.error.code).toBe('SLOT_TAKEN');
    await book(t, { start: '2026-11-25T10:00:00+01:00', email: 'c@example.org' }, 201);
    expect(await t.store.getMeeting(first.body.meeting.id)).toMatchObject({
      bufferBeforeMs: 15 * 60_000,
      bufferAfterMs: 0,
    });
  });
});

describe('the booking page with a meeting type', () => {
  it('when a lead opens /chat/book?meetingType=intro, then the types are offered, the slots are 15 minutes, and the form books an intro', async () => {
    const t = createMeetingsTestApp();
    const { ana } = await team(t);

    const list = await request(t.app)
      .get('/chat/book')
      .query({ meetingType: 'intro', timeZone: 'Europe/Berlin' })
      .expect(200);
    expect(list.text).toContain('<strong>15-minute intro (15 min)</strong>');
    expect(list.text).toContain('href="/chat/book?timeZone=Europe%2FBerlin&#38;meetingType=demo"');
    expect(list.text).toContain('15-minute intro: 15 minutes.');
    const href = /href="(\/chat\/book\/confirm\?[^"]+)"/
      .exec(list.text)![1]!
      .replace(/&#38;/g, '&');
    const confirm = await request(t.app).get(href).expect(200);
    const hidden = Object.fromEntries(
      [...confirm.text.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [
        m[1],
        m[2]!.replace(/&#43;/g, '+'),
      ]),
    );
    expect(hidden).toMatchObject({ meetingType: 'intro' });

    await request(t.app)
      .post('/chat/book')
      .type('form')
      .send({ ...hidden, name: 'Lee', email: 'lee@example.org' })
      .expect(303);

    const [meeting] = await t.store.listMeetings();
    expect(meeting).toMatchObject({ agentId: ana.id, meetingType: INTRO });
    expect(meeting!.end - meeting!.start).toBe(15 * 60_000);
  });
});
