import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { assignAgent } from '../../src/routing/assign-agent.js';
import { toRoutingAgent } from '../../src/routing/meeting-routing.js';
import {
  addAgent,
  book,
  createMeetingsTestApp,
  HOUR,
  outboxOf,
  WED_0900_BERLIN,
  type TestApp,
} from '../helpers/meetings-app.js';

const TEN = '2026-11-25T10:00:00+01:00';

async function threeAgents(t: TestApp) {
  const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
  const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
  const cy = await addAgent(t, { name: 'Cy', email: 'cy@example.com' });
  return { ana, ben, cy };
}

async function setStatus(t: TestApp, meetingId: string, status: string) {
  await request(t.app).post(`/api/meetings/${meetingId}/status`).send({ status }).expect(200);
}

/** A Call Webhook assignment, as the webhook route makes it. */
function assignLead(t: TestApp, leadId: number) {
  return assignAgent(
    {
      store: t.store,
      clock: t.clock,
      agents: async () => (await t.store.listAgents()).map(toRoutingAgent),
      repeatWindowMs: 0,
    },
    { key: `lead:${leadId}`, source: 'webhook' },
  );
}

async function routing(t: TestApp) {
  return (await request(t.app).get('/api/routing').expect(200)).body;
}

describe('GET /api/routing: totals that say what they count', () => {
  it('when meetings are booked, held, cancelled, missed and leads assigned, then each agent shows each count apart', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben, cy } = await threeAgents(t);
    const ids: string[] = [];
    for (const [n, start] of [
      WED_0900_BERLIN,
      WED_0900_BERLIN,
      WED_0900_BERLIN,
      TEN,
      TEN,
    ].entries()) {
      ids.push((await book(t, { start, email: `v${n}@example.org` })).body.meeting.id);
    }
    await setStatus(t, ids[1]!, 'cancelled'); // Ben's first, before it starts
    expect((await assignLead(t, 1)).agentId).toBe(cy.id);
    expect((await assignLead(t, 2)).agentId).toBe(ana.id);
    t.clock.set(Date.parse(TEN) + 2 * HOUR);
    await setStatus(t, ids[2]!, 'no-show'); // Cy's
    expect(await t.meetings.runJobs()).toMatchObject({ completed: 3 });

    const body = await routing(t);
    const zero = { booked: 0, held: 0, upcoming: 0, cancelled: 0, noShow: 0 };
    expect(body.order).toEqual([
      expect.objectContaining({
        id: ana.id,
        meetings: { ...zero, booked: 2, held: 2 },
        assignments: 1,
        routed: 3,
      }),
      expect.objectContaining({
        id: ben.id,
        meetings: { ...zero, booked: 2, held: 1, cancelled: 1 },
        assignments: 0,
        routed: 2,
      }),
      expect.objectContaining({
        id: cy.id,
        meetings: { ...zero, booked: 1, noShow: 1 },
        assignments: 1,
        routed: 2,
      }),
    ]);
    expect(body.routed).toEqual({ [ana.id]: 3, [ben.id]: 2, [cy.id]: 2 });
    expect(body.settings).toEqual({ cancellationReturnsTurn: false });
    expect(body.order[0]).not.toHaveProperty('meetingsToDate');
  });

  it('when a meeting is booked and not yet held, then it counts as booked and upcoming', async () => {
    const t = createMeetingsTestApp();
    const { ana } = await threeAgents(t);
    await book(t, {});
    const body = await routing(t);
    expect(body.order[0]).toMatchObject({
      id: ana.id,
      meetings: { booked: 1, held: 0, upcoming: 1 },
      assignments: 0,
      routed: 1,
    });
  });
});

describe('a no-show reported after the meeting job completed the meeting', () => {
  it('when an admin marks a completed meeting no-show within the grace period, then it moves from held to noShow, the history and Marketo say so once; after the grace it is refused', async () => {
    const t = createMeetingsTestApp();
    const { ana } = await threeAgents(t);
    const first = (await book(t, {})).body.meeting.id as string;
    const second = (await book(t, { email: 'other@example.org', start: TEN })).body.meeting
      .id as string;
    t.clock.set(Date.parse(TEN) + HOUR);
    expect(await t.meetings.runJobs()).toMatchObject({ completed: 2 });
    const agentOf = async (id: string) =>
      (await routing(t)).order.find((a: { id: string }) => a.id === id);
    expect((await agentOf(ana.id)).meetings).toMatchObject({ booked: 1, held: 1, noShow: 0 });

    t.clock.advance(HOUR);
    const late = await request(t.app)
      .post(`/api/meetings/${first}/status`)
      .send({ status: 'no-show' })
      .expect(200);
    expect(late.body.status).toBe('no-show');
    expect((await t.store.getMeeting(first))!.history.map((h) => [h.status, h.by])).toEqual([
      ['pending', 'visitor'],
      ['booked', 'system'],
      ['completed', 'system'],
      ['no-show', 'admin'],
    ]);
    expect((await agentOf(ana.id)).meetings).toMatchObject({ booked: 1, held: 0, noShow: 1 });
    // listOutbox is newest first: reversed, the order Marketo is sent them in.
    const activities = (await outboxOf(t))
      .reverse()
      .filter((item) => item.dedupeKey.startsWith(`meeting:${first}#`));
    expect(
      activities.map((item) => [item.dedupeKey, (item.payload as { status: string }).status]),
    ).toEqual([
      [`meeting:${first}#1`, 'booked'],
      [`meeting:${first}#2`, 'completed'],
      [`meeting:${first}#3`, 'no-show'],
    ]);

    // The grace (MEETING_NO_SHOW_GRACE_MS, 7 days by default) runs from the meeting's end.
    t.clock.set((await t.store.getMeeting(second))!.end + 7 * 24 * HOUR + 1);
    const refused = await request(t.app)
      .post(`/api/meetings/${second}/status`)
      .send({ status: 'no-show' })
      .expect(409);
    expect(refused.body.error).toMatchObject({ code: 'MEETING_FINAL', field: 'status' });
    expect((await t.store.getMeeting(second))!.status).toBe('completed');
  });
});

describe('routing settings: does a cancellation give the turn back?', () => {
  it('when the setting is off (the default), then a cancelled meeting keeps its turn: the next agent is the one after', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben } = await threeAgents(t);
    expect((await request(t.app).get('/api/routing/settings').expect(200)).body).toEqual({
      cancellationReturnsTurn: false,
    });
    const first = await book(t, {});
    await setStatus(t, first.body.meeting.id, 'cancelled');
    const body = await routing(t);
    expect(body.next.id).toBe(ben.id);
    expect(body.routed).toEqual({ [ana.id]: 1 });
  });

  it('when it is on and no other turn was taken since, then the cancelled meeting’s agent is next again and their count goes back', async () => {
    const t = createMeetingsTestApp();
    const { ana, ben, cy } = await threeAgents(t);
    const put = await request(t.app)
      .put('/api/routing/settings')
      .send({ cancellationReturnsTurn: true })
      .expect(200);
    expect(put.body).toEqual({ cancellationReturnsTurn: true });
    expect(await t.store.routingSettings()).toEqual({ cancellationReturnsTurn: true });

    const first = await book(t, { email: 'first@example.org' });
    expect(first.body.meeting.agent.id).toBe(ana.id);
    await setStatus(t, first.body.meeting.id, 'cancelled');
    let body = await routing(t);
    expect(body.next.id).toBe(ana.id);
    expect(body.order[0]).toMatchObject({ meetings: { booked: 1, cancelled: 1 }, routed: 0 });

    // Ana gets the turn back; then Ben books one, and Ana's second cancellation comes too late.
    const again = await book(t, { start: TEN, email: 'again@example.org' });
    expect(again.body.meeting.agent.id).toBe(ana.id);
    const bens = await book(t, { start: TEN, email: 'third@example.org' });
    expect(bens.body.meeting.agent.id).toBe(ben.id);
    await setStatus(t, again.body.meeting.id, 'cancelled');
    body = await routing(t);
    expect(body.next.id).toBe(cy.id);
    expect(body.routed).toEqual({ [ana.id]: 0, [ben.id]: 1 });
  });

  it.each([
    ['not a boolean', { cancellationReturnsTurn: 'yes' }, 'cancellationReturnsTurn'],
    ['missing', {}, 'cancellationReturnsTurn'],
    ['with an unknown key', { cancellationReturnsTurn: true, credit: true }, undefined],
  ])('when the setting is %s, then 400 and the settings stay', async (_what, body, field) => {
    const t = createMeetingsTestApp();
    const res = await request(t.app).put('/api/routing/settings').send(body).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    if (field !== undefined) expect(res.body.error.field).toBe(field);
    expect(await t.store.routingSettings()).toEqual({ cancellationReturnsTurn: false });
  });
});
