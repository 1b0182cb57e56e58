import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { Meeting } from '../../src/records/meeting-contract.js';
import {
  addAgent,
  book,
  connectGoogle,
  createMeetingsTestApp,
  HOUR,
  outboxOf,
  WED_0900_BERLIN,
  type TestApp,
} from '../helpers/meetings-app.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

/**
 * Reassign on reschedule (issue 11 item 10), through the visitor's manage link and the admin
 * API: a new time the meeting's agent is no longer free for gives the meeting to another agent
 * by the same routing; the calendars, the record, its history, its routing decision, the
 * rotation and Marketo's activity follow. Wednesday 25 November 2026, Berlin.
 */

const NOON = '2026-11-25T12:00:00+01:00';
const noon = Date.parse(NOON);

/** Ana and Ben, both on (fake) Google; the visitor's meeting with Ana at 09:00. */
async function anaAndBen(t: TestApp, extra: Record<string, unknown> = {}) {
  const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com', ...extra });
  const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com', ...extra });
  await connectGoogle(t, ana.id, 'ana-code');
  await connectGoogle(t, ben.id, 'ben-code');
  const { body } = await book(t, {});
  expect(body.meeting.agent.id).toBe(ana.id);
  return { ana, ben, meeting: body.meeting as { id: string; manageUrl: string } };
}

const manage = (meeting: { manageUrl: string }) => new URL(meeting.manageUrl).pathname;

const reschedule = (t: TestApp, meeting: { manageUrl: string }, start: string, status = 200) =>
  request(t.app)
    .post(`${manage(meeting)}/reschedule`)
    .send({ start })
    .expect(status);

const callsOf = (t: TestApp, op: string) =>
  t.google.calls.filter((c) => c.op === op).map((c) => c.access.agentId);

describe('reassign on reschedule', () => {
  it('when the visitor moves the meeting to a time its agent is busy in their calendar, then another agent gets it, with a new event, the old one removed, and the record says why', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben, meeting } = await anaAndBen(t);
    t.google.behaviour.busyOf = { [ana.id]: [{ start: noon, end: noon + HOUR }] };

    const res = await reschedule(t, meeting, NOON);

    expect(res.body.meeting).toMatchObject({
      id: meeting.id,
      status: 'rescheduled',
      start: '2026-11-25T12:00:00.000+01:00',
      agent: { id: ben.id, name: 'Ben' },
      manageUrl: meeting.manageUrl,
    });
    // The same link shows the meeting with its new agent.
    const shown = await request(t.app).get(manage(meeting)).expect(200);
    expect(shown.body.meeting.agent).toEqual({ id: ben.id, name: 'Ben' });
    const stored = (await t.store.getMeeting(meeting.id))!;
    expect(stored).toMatchObject({
      agentId: ben.id,
      agentEmail: 'ben@example.com',
      providerEventId: `evt-${meeting.id}`,
      routing: {
        rule: 'round-robin',
        pool: 'default',
        // Ana took the pool's last turn: Ben is next in line, nobody was passed over.
        skipped: [],
        reassignedFrom: { agentId: ana.id, reason: 'busy' },
      },
    });
    expect(stored.history.at(-1)).toMatchObject({
      status: 'rescheduled',
      by: 'visitor',
      start: noon,
      note: 'reassigned from Ana to Ben',
    });
    expect(callsOf(t, 'create')).toEqual([ana.id, ben.id]);
    expect(callsOf(t, 'cancel')).toEqual([ana.id]);
    // Marketo hears of the reschedule with the new agent.
    const activities = (await outboxOf(t)).map((item) => item.payload as Record<string, unknown>);
    expect(activities.find((a) => a['seq'] === 2)).toMatchObject({
      seq: 2,
      status: 'rescheduled',
      agentId: ben.id,
      agentName: 'Ben',
      start: noon,
    });
    // Ben took the rotation's turn and Ana's count went down: the next booking is Ana's.
    expect(await t.store.rotationState()).toMatchObject({
      lastAgentId: ben.id,
      totals: { [ana.id]: 0, [ben.id]: 1 },
    });
    const next = await book(t, { email: 'next@example.org' });
    expect(next.body.meeting.agent.id).toBe(ana.id);
  });

  it('when the admin moves the meeting onto another meeting of its agent, then the next free agent gets it and the history says the admin did', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben, meeting } = await anaAndBen(t);
    // Ben's turn, then Ana's again: Ana has a meeting at noon.
    await book(t, { start: '2026-11-25T10:00:00+01:00', email: 'b@example.org' });
    const other = await book(t, { start: NOON, email: 'c@example.org' });
    expect(other.body.meeting.agent.id).toBe(ana.id);

    const res = await request(t.app)
      .post(`/api/meetings/${meeting.id}/reschedule`)
      .send({ start: NOON })
      .expect(200);

    expect(res.body).toMatchObject({
      agentId: ben.id,
      start: noon,
      routing: { reassignedFrom: { agentId: ana.id, reason: 'booked' } },
    });
    expect(res.body.history.at(-1)).toMatchObject({
      by: 'admin',
      note: 'reassigned from Ana to Ben',
    });
  });

  it('when nobody is free at the new time, then 409 SLOT_TAKEN with that day’s free times, and the meeting, calendars and rotation stay as they were', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben, meeting } = await anaAndBen(t);
    t.google.behaviour.busyOf = {
      [ana.id]: [{ start: noon, end: noon + HOUR }],
      [ben.id]: [{ start: noon, end: noon + HOUR }],
    };
    const before = await t.store.getMeeting(meeting.id);
    const rotation = await t.store.rotationState();

    const res = await reschedule(t, meeting, NOON, 409);

    expect(res.body.error).toMatchObject({ code: 'SLOT_TAKEN', field: 'start' });
    expect(res.body.slots.days).toHaveLength(1);
    const starts = res.body.slots.days[0].slots.map((s: { start: string }) => s.start);
    expect(starts).toContain('2026-11-25T13:00:00.000+01:00');
    expect(starts).not.toContain('2026-11-25T12:00:00.000+01:00');
    expect(await t.store.getMeeting(meeting.id)).toEqual(before);
    expect(await t.store.rotationState()).toEqual(rotation);
    expect(callsOf(t, 'cancel')).toEqual([]);
  });

  it('when the admin moves the meeting to a time nobody is free, then 409 with that day’s free times in the visitor’s zone', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben, meeting } = await anaAndBen(t);
    t.google.behaviour.busyOf = {
      [ana.id]: [{ start: noon, end: noon + HOUR }],
      [ben.id]: [{ start: noon, end: noon + HOUR }],
    };

    const res = await request(t.app)
      .post(`/api/meetings/${meeting.id}/reschedule`)
      .send({ start: NOON })
      .expect(409);

    expect(res.body.error).toMatchObject({ code: 'SLOT_TAKEN', field: 'start' });
    expect(res.body.slots).toMatchObject({ timeZone: 'Europe/Berlin', durationMinutes: 30 });
    expect(res.body.slots.days.map((d: { date: string }) => d.date)).toEqual(['2026-11-25']);
    expect((await t.store.getMeeting(meeting.id))?.agentId).toBe(ana.id);
  });

  it('when the new agent’s calendar refuses the event, then 503 and the meeting is back with its agent, time and turn', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben, meeting } = await anaAndBen(t);
    t.google.behaviour.busyOf = { [ana.id]: [{ start: noon, end: noon + HOUR }] };
    t.google.behaviour.failCreateFor = ben.id;
    const before = (await t.store.getMeeting(meeting.id))!;
    const rotation = await t.store.rotationState();

    const res = await reschedule(t, meeting, NOON, 503);

    expect(res.body.error.code).toBe('CALENDAR_PROVIDER_UNAVAILABLE');
    const after = (await t.store.getMeeting(meeting.id))!;
    const { updatedAt: _a, ...kept } = after;
    const { updatedAt: _b, ...was } = before;
    expect(kept).toEqual(was);
    expect(await t.store.rotationState()).toMatchObject({
      lastAgentId: rotation.lastAgentId,
      totals: rotation.totals,
    });
    expect(callsOf(t, 'cancel')).toEqual([]);
  });

  it('when the meeting is of a type, then it goes only to an agent who offers that type', async () => {
    const t = createMeetingsTestApp();
    const intro = { id: 'intro', name: 'Intro', minutes: 15 };
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com', meetingTypes: [intro] });
    const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
    const cy = await addAgent(t, { name: 'Cy', email: 'cy@example.com', meetingTypes: [intro] });
    await connectGoogle(t, ana.id);
    const { body } = await book(t, { meetingType: 'intro' });
    t.google.behaviour.busyOf = { [ana.id]: [{ start: noon, end: noon + HOUR }] };

    const res = await reschedule(t, body.meeting, NOON);

    expect(res.body.meeting).toMatchObject({
      agent: { id: cy.id },
      end: '2026-11-25T12:15:00.000+01:00',
      meetingType: intro,
    });
    const stored = (await t.store.getMeeting(body.meeting.id))!;
    expect(stored.routing.skipped.map((s) => s.agentId)).not.toContain(ben.id);
  });

  it('when the booking card named the agent, then the meeting stays with them: 409 when they are busy', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
    await connectGoogle(t, ana.id);
    const { body } = await book(t, { agentId: ana.id });
    t.google.behaviour.busyOf = { [ana.id]: [{ start: noon, end: noon + HOUR }] };

    const res = await reschedule(t, body.meeting, NOON, 409);

    expect(res.body.error.code).toBe('SLOT_TAKEN');
    expect((await t.store.getMeeting(body.meeting.id))?.agentId).toBe(ana.id);
  });

  it('when the visitor asks for times to move to, then the pool’s free times come, not only the agent’s', async () => {
    const t = createMeetingsTestApp();
    const { ana, meeting } = await anaAndBen(t);
    t.google.behaviour.busyOf = { [ana.id]: [{ start: noon, end: noon + HOUR }] };

    const res = await request(t.app)
      .get(`${manage(meeting)}/slots`)
      .query({ from: '2026-11-25', days: 1, timeZone: 'Europe/Berlin' })
      .expect(200);

    const starts = res.body.days[0].slots.map((s: { start: string }) => s.start);
    // Ben is free at noon though Ana is not.
    expect(starts).toContain('2026-11-25T12:00:00.000+01:00');
    expect(starts).not.toContain(new Date(Date.parse(WED_0900_BERLIN)).toISOString());
  });
});

describe.each(storeImplementations)('reassign on reschedule: $kind', (impl) => {
  let data: StoreTestData | undefined;
  afterEach(() => data?.remove());

  it('when the agent is busy at the new time, then the meeting is stored with the other agent, and their buffers hold the new time', async () => {
    data = await impl.createData();
    const t = createMeetingsTestApp({ store: await data.open() });
    const { ana, ben, meeting } = await anaAndBen(t, { bufferBeforeMinutes: 10 });
    t.google.behaviour.busyOf = { [ana.id]: [{ start: noon, end: noon + HOUR }] };

    await reschedule(t, meeting, NOON);

    const stored: Meeting = (await t.store.getMeeting(meeting.id))!;
    expect(stored).toMatchObject({ agentId: ben.id, start: noon, bufferBeforeMs: 10 * 60_000 });
    // Ben's 11:30 would end inside the buffer before the moved meeting.
    await book(
      t,
      { start: '2026-11-25T11:30:00+01:00', agentId: ben.id, email: 'x@example.org' },
      409,
    );
  });
});
