import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { STALE_HOLD_MS } from '../../src/meetings/complete-meetings.js';
import { reassignMeeting } from '../../src/meetings/reassign-meeting.js';
import { NOTIFICATION_KIND } from '../../src/notifications/notification-items.js';
import type { Meeting } from '../../src/records/meeting-contract.js';
import {
  addAgent,
  book,
  connectGoogle,
  createMeetingsTestApp,
  HOUR,
  T0,
  type TestApp,
} from '../helpers/meetings-app.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

/**
 * A reassign on reschedule (reassign-meeting.ts) that the process does not live to finish: the
 * move is written (the meeting marked `reassigning`), then the process dies in the new agent's
 * calendar create, or after the confirmation. "Dies" is a call that never answers: nothing
 * after it runs, as after a crash. The meetings' job, once the mark is STALE_HOLD_MS old,
 * finishes the move the way the reschedule would have, or puts the meeting back.
 * Wednesday 25 November 2026, Berlin; the meeting with Ana at 09:00 is moved to noon, where
 * Ana is busy, so it goes to Ben.
 */

const noon = Date.parse('2026-11-25T12:00:00+01:00');
const nine = Date.parse('2026-11-25T09:00:00+01:00');

async function anaAndBen(t: TestApp) {
  const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
  const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
  await connectGoogle(t, ana.id, 'ana-code');
  await connectGoogle(t, ben.id, 'ben-code');
  const { body } = await book(t, {});
  t.google.behaviour.busyOf = { [ana.id]: [{ start: noon, end: noon + HOUR }] };
  return { ana, ben, meetingId: body.meeting.id as string, manageUrl: body.meeting.manageUrl };
}

/** A call that never answers; resolves `reached` when it is made. */
function dies(): { hook: () => Promise<void>; reached: Promise<void> } {
  let reach!: () => void;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  return {
    reached,
    hook: () => {
      reach();
      return new Promise<void>(() => undefined);
    },
  };
}

/** The reschedule to noon, called as the manage route does, left running. */
async function rescheduleToNoon(t: TestApp, meetingId: string): Promise<void> {
  const meeting = (await t.store.getMeeting(meetingId))!;
  const ana = (await t.store.getAgent(meeting.agentId))!;
  void reassignMeeting(t.meetings.booking, {
    meeting,
    from: ana,
    reason: 'busy',
    start: noon,
    by: 'visitor',
  });
}

const calls = (t: TestApp, op: string) =>
  t.google.calls.filter((c) => c.op === op).map((c) => c.access.agentId);

async function written(t: TestApp) {
  const activities = await t.store.listOutbox({ kind: 'meeting-activity' });
  const notices = await t.store.listOutbox({ kind: NOTIFICATION_KIND });
  return {
    activities: activities.map((i) => i.dedupeKey),
    notices: notices.map((i) => i.dedupeKey),
    reschedules: activities.filter((i) => (i.payload as { seq: number }).seq === 2),
  };
}

describe.each(storeImplementations)('reassign interrupted by a crash: $kind', (impl) => {
  let data: StoreTestData | undefined;
  afterEach(() => data?.remove());

  it('when the process dies in the new agent’s calendar create, then after STALE_HOLD_MS the job makes the event, confirms once, removes the old event, and a second run changes nothing', async () => {
    data = await impl.createData();
    const t = createMeetingsTestApp({ store: await data.open() });
    const { ana, ben, meetingId } = await anaAndBen(t);
    const before = await written(t);
    const crash = dies();
    t.google.behaviour.onCreate = crash.hook;

    await rescheduleToNoon(t, meetingId);
    await crash.reached;
    delete t.google.behaviour.onCreate;

    // The move is written, marked; no event, no activity, no email; Ana's event still there.
    const stranded = (await t.store.getMeeting(meetingId))!;
    expect(stranded).toMatchObject({ agentId: ben.id, start: noon, status: 'rescheduled' });
    expect(stranded.providerEventId).toBeUndefined();
    expect(stranded.reassigning).toMatchObject({
      since: T0,
      from: { agentId: ana.id, providerEventId: `evt-${meetingId}`, start: nine },
    });
    expect(await written(t)).toEqual(before);
    expect(calls(t, 'cancel')).toEqual([]);

    t.clock.set(T0 + STALE_HOLD_MS);
    expect(await t.meetings.runJobs()).toMatchObject({ reassignsFinished: 0 });
    t.clock.set(T0 + STALE_HOLD_MS + 1);
    expect(await t.meetings.runJobs()).toMatchObject({
      reassignsFinished: 1,
      reassignsPutBack: 0,
    });

    const repaired: Meeting = (await t.store.getMeeting(meetingId))!;
    expect(repaired).toMatchObject({
      agentId: ben.id,
      providerEventId: `evt-${meetingId}`,
      meetingUrl: 'https://meet.example/abc',
      routing: { reassignedFrom: { agentId: ana.id, reason: 'busy' } },
    });
    expect(repaired.reassigning).toBeUndefined();
    // Ben's event: the crashed create and the job's (the same id: idempotent on the meeting).
    expect(calls(t, 'create')).toEqual([ana.id, ben.id, ben.id]);
    expect(calls(t, 'cancel')).toEqual([ana.id]);
    const after = await written(t);
    expect(after.reschedules).toHaveLength(1);
    expect(after.reschedules[0]?.payload).toMatchObject({ agentId: ben.id, start: noon });
    // Ana's cancellation and Ben's booking, once each.
    const newNotices = after.notices.filter((key) => !before.notices.includes(key));
    expect(newNotices.sort()).toEqual([
      `notify:agent-booked:${meetingId}#3`,
      `notify:agent-cancelled:${meetingId}#3`,
    ]);

    const callsSoFar = t.google.calls.length;
    t.clock.set(T0 + 2 * STALE_HOLD_MS);
    expect(await t.meetings.runJobs()).toMatchObject({ reassignsFinished: 0, reassignsPutBack: 0 });
    expect(await written(t)).toEqual(after);
    expect(await t.store.getMeeting(meetingId)).toEqual(repaired);
    expect(t.google.calls.slice(callsSoFar).map((c) => c.op)).not.toContain('create');
  });
});

describe('reassign interrupted by a crash', () => {
  it('when the process dies after the confirmation, before the old event is removed, then the job only removes it: no second event, activity or email', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben, meetingId } = await anaAndBen(t);
    const crash = dies();
    t.google.behaviour.onCancel = crash.hook;

    await rescheduleToNoon(t, meetingId);
    await crash.reached;
    delete t.google.behaviour.onCancel;
    const confirmed = (await t.store.getMeeting(meetingId))!;
    expect(confirmed.providerEventId).toBe(`evt-${meetingId}`);
    expect(confirmed.reassigning?.from.agentId).toBe(ana.id);
    const before = await written(t);
    expect(before.reschedules).toHaveLength(1);

    t.clock.set(T0 + STALE_HOLD_MS + 1);
    expect(await t.meetings.runJobs()).toMatchObject({ reassignsFinished: 1 });

    expect(await written(t)).toEqual(before);
    expect(calls(t, 'create')).toEqual([ana.id, ben.id]);
    expect(calls(t, 'cancel')).toEqual([ana.id, ana.id]);
    expect((await t.store.getMeeting(meetingId))?.reassigning).toBeUndefined();
  });

  it('when the new agent’s calendar refuses the job’s create, then the meeting is back with its agent, time, event and turn, and nothing goes to Marketo', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben, meetingId } = await anaAndBen(t);
    const was = (await t.store.getMeeting(meetingId))!;
    const rotation = await t.store.rotationState();
    const before = await written(t);
    const crash = dies();
    t.google.behaviour.onCreate = crash.hook;
    await rescheduleToNoon(t, meetingId);
    await crash.reached;
    delete t.google.behaviour.onCreate;
    t.google.behaviour.failCreateFor = ben.id;

    t.clock.set(T0 + STALE_HOLD_MS + 1);
    expect(await t.meetings.runJobs()).toMatchObject({
      reassignsFinished: 0,
      reassignsPutBack: 1,
    });

    const { updatedAt: _a, ...back } = (await t.store.getMeeting(meetingId))!;
    const { updatedAt: _b, ...kept } = was;
    expect(back).toEqual(kept);
    expect(await t.store.rotationState()).toMatchObject({
      lastAgentId: rotation.lastAgentId,
      totals: rotation.totals,
    });
    expect(await written(t)).toEqual(before);
    // Any event the refused create may have made is removed; Ana's stays.
    expect(t.google.calls.map((c) => c.op)).toContain(`cancel-of:${meetingId}`);
    expect(calls(t, 'cancel')).toEqual([]);
    expect(ana.id).toBe(was.agentId);
  });

  it('when the meeting is being moved, then the visitor’s cancel is refused with 409 until the move is done', async () => {
    const t = createMeetingsTestApp();
    const { meetingId, manageUrl } = await anaAndBen(t);
    const crash = dies();
    t.google.behaviour.onCreate = crash.hook;
    await rescheduleToNoon(t, meetingId);
    await crash.reached;
    delete t.google.behaviour.onCreate;

    const res = await request(t.app)
      .post(`${new URL(manageUrl as string).pathname}/cancel`)
      .send({})
      .expect(409);
    expect(res.body.error).toMatchObject({ code: 'MEETING_CHANGED', field: 'status' });

    t.clock.set(T0 + STALE_HOLD_MS + 1);
    await t.meetings.runJobs();
    await request(t.app)
      .post(`${new URL(manageUrl as string).pathname}/cancel`)
      .send({})
      .expect(200);
  });
});
