import nock from 'nock';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { tokenContext } from '../../src/calendar/token-cipher.js';
import { googleEventId } from '../../src/clients/google-calendar/google-event.js';
import { createManualClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { changeMeetingStatus, rescheduleMeeting } from '../../src/meetings/change-meeting.js';
import { LINK_WAIT_MS } from '../../src/meetings/meeting-link.js';
import { agentInputSchema, type Agent } from '../../src/records/meeting-contract.js';
import { runOutboxOnce } from '../../src/outbox/run-outbox-once.js';
import {
  API,
  EVENTS_PATH,
  FREEBUSY_PATH,
  REFRESH_TOKEN,
  createTestGoogleCalendar,
  eventAnswer,
  freeBusyAnswer,
  mockRefresh,
} from '../helpers/google-calendar-harness.js';
import { T0, book, createMeetingsTestApp, outboxOf } from '../helpers/meetings-app.js';

/**
 * A Meet link Google is still making when the event is inserted (createRequest status
 * `pending`): the booking goes on without it, the link check reads the event again through the
 * outbox on the manual clock, and the booking's one Marketo activity carries the link.
 */

const LINK = 'https://meet.google.com/abc-defg-hij';

afterEach(() => {
  nock.cleanAll();
});

const pendingEvent = (id: string) => ({
  kind: 'calendar#event',
  id,
  status: 'confirmed',
  conferenceData: {
    createRequest: {
      requestId: 'm-1',
      conferenceSolutionKey: { type: 'hangoutsMeet' },
      status: { statusCode: 'pending' },
    },
  },
});

async function setup() {
  const clock = createManualClock(T0);
  const google = createTestGoogleCalendar({ clock });
  const t = createMeetingsTestApp({
    clock,
    googleProvider: { client: google.client, oauth: google.oauth },
  });
  const { store, meetings } = t;
  const agent: Agent = {
    ...agentInputSchema.parse({
      name: 'Ada',
      email: 'ada@example.com',
      timeZone: 'Europe/Berlin',
      conferencing: true,
    }),
    id: 'a1',
    calendar: {
      provider: 'google',
      status: 'connected',
      encryptedRefreshToken: t.cipher.encrypt(REFRESH_TOKEN, tokenContext('a1', 'google')),
    },
    createdAt: T0,
    updatedAt: T0,
  };
  await store.saveAgent(agent);

  mockRefresh();
  nock(API).post(FREEBUSY_PATH).times(2).reply(200, freeBusyAnswer([]));
  const eventId = googleEventId('m-1');
  nock(API).post(EVENTS_PATH).query(true).reply(200, pendingEvent(eventId));
  const booked = await book(t, {});
  const meeting = (await store.getMeeting('m-1'))!;
  const manageUrl = new URL(booked.body.meeting.manageUrl as string);
  /** The meeting as the visitor's link shows it. */
  const visitorView = async () =>
    (await request(t.app).get(manageUrl.pathname).set('Accept', 'application/json').expect(200))
      .body.meeting;

  const relay = { store, clock, logger: silentLogger, random: () => 0 };
  /** One outbox pass of the meetings' handlers, at the clock's time. */
  const pass = () => runOutboxOnce(relay, meetings.outboxHandlers);
  /** events.get of the meeting's event answers `body`, once. */
  const eventRead = (body: object) =>
    nock(API).get(`${EVENTS_PATH}/${eventId}`).query(true).reply(200, body);
  const activities = () => outboxOf(t);
  return {
    clock,
    store,
    meetings,
    meeting,
    booked,
    eventId,
    pass,
    eventRead,
    activities,
    visitorView,
  };
}

describe('a Meet link still pending when the event is made', () => {
  it('when the link comes at the second read, then it reaches the meeting and the booking’s one activity carries it', async () => {
    const t = await setup();
    expect(t.booked.status).toBe(201);
    expect(t.meeting).toMatchObject({ status: 'booked', providerEventId: t.eventId });
    expect(t.meeting.meetingUrl).toBeUndefined();
    // The activity waits for the link.
    expect(await t.activities()).toEqual([]);

    expect((await t.pass()).claimed).toBe(0); // the first read is 2 s after the booking
    t.clock.advance(2_000);
    const stillPending = t.eventRead(pendingEvent(t.eventId));
    expect(await t.pass()).toMatchObject({ claimed: 1, done: 1 });
    expect(stillPending.isDone()).toBe(true);
    expect(await t.activities()).toEqual([]);

    t.clock.advance(4_000);
    t.eventRead(eventAnswer(t.eventId));
    expect(await t.pass()).toMatchObject({ claimed: 1, done: 1 });

    expect((await t.store.getMeeting(t.meeting.id))?.meetingUrl).toBe(LINK);
    expect(await t.visitorView()).toMatchObject({ meetingUrl: LINK });
    const [activity, ...more] = await t.activities();
    expect(more).toEqual([]);
    expect(activity).toMatchObject({
      dedupeKey: `meeting:${t.meeting.id}#1`,
      payload: { seq: 1, status: 'booked', meetingUrl: LINK, meetingId: t.meeting.id },
    });
    t.clock.advance(3_600_000);
    expect((await t.pass()).claimed).toBe(0);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('when Google says the conference failed, then the activity goes at once without a link', async () => {
    const t = await setup();
    t.clock.advance(2_000);
    t.eventRead({
      ...pendingEvent(t.eventId),
      conferenceData: { createRequest: { status: { statusCode: 'failure' } } },
    });
    await t.pass();

    expect(nock.pendingMocks()).toEqual([]);
    expect((await t.store.getMeeting(t.meeting.id))?.meetingUrl).toBeUndefined();
    expect(await t.activities()).toHaveLength(1);
    expect((await t.activities())[0]?.payload).not.toHaveProperty('meetingUrl');
  });

  it('when the link never comes, then reads back off and after 10 minutes the activity goes without it, once', async () => {
    const t = await setup();
    const reads = nock(API)
      .get(`${EVENTS_PATH}/${t.eventId}`)
      .query(true)
      .times(20)
      .reply(200, pendingEvent(t.eventId));
    const seen: number[] = [];
    for (let second = 0; second <= 11 * 60; second += 1) {
      const report = await t.pass();
      if (report.claimed > 0) seen.push(second);
      t.clock.advance(1_000);
    }

    // 2, 4, 8, 16, 32 s apart, then every minute, until the 10 minutes are up.
    expect(seen.slice(0, 6)).toEqual([2, 6, 14, 30, 62, 122]);
    expect(seen.at(-1)).toBeLessThanOrEqual(600);
    expect(await t.activities()).toHaveLength(1);
    expect((await t.activities())[0]?.payload).not.toHaveProperty('meetingUrl');
    expect(reads.pendingMocks().length).toBeGreaterThan(0); // it stopped reading
    nock.cleanAll();
  });

  it('when the meeting is cancelled before its link comes, then "booked" is enqueued before "cancelled" in the same write, each once, and the link check ends without reading the event', async () => {
    const t = await setup();
    nock(API).delete(`${EVENTS_PATH}/${t.eventId}`).query(true).reply(204);
    await changeMeetingStatus(t.meetings.booking, {
      meetingId: t.meeting.id,
      to: 'cancelled',
      by: 'visitor',
    });
    const sent = async () =>
      (await t.activities()).map((item) => [
        item.dedupeKey,
        (item.payload as { status: string }).status,
      ]);
    // listOutbox is newest first: the cancellation on top, the booking under it.
    const expected = [
      [`meeting:${t.meeting.id}#2`, 'cancelled'],
      [`meeting:${t.meeting.id}#1`, 'booked'],
    ];
    expect(await sent()).toEqual(expected);
    expect((await t.activities())[1]?.payload).not.toHaveProperty('meetingUrl');
    // The relay sends the oldest first: #1, then #2.
    const [first, second] = [...(await t.activities())].reverse();
    expect(first!.createdAt).toBeLessThanOrEqual(second!.createdAt);

    t.clock.advance(2_000);
    expect(await t.pass()).toMatchObject({ claimed: 1, done: 1 });
    t.clock.advance(LINK_WAIT_MS);
    expect((await t.pass()).claimed).toBe(0);
    expect(nock.pendingMocks()).toEqual([]); // the event was never read
    expect(await sent()).toEqual(expected);
  });

  it('when the meeting is rescheduled before its link comes, then "booked" goes ahead of "rescheduled", once, and the link check ends', async () => {
    const t = await setup();
    nock(API).post(FREEBUSY_PATH).reply(200, freeBusyAnswer([]));
    nock(API).patch(`${EVENTS_PATH}/${t.eventId}`).query(true).reply(200, eventAnswer(t.eventId));
    await rescheduleMeeting(t.meetings.booking, {
      meetingId: t.meeting.id,
      start: '2026-11-26T09:00:00+01:00',
      by: 'visitor',
    });
    t.clock.advance(2_000);
    await t.pass();
    expect(
      [...(await t.activities())]
        .reverse()
        .map((item) => [item.dedupeKey, (item.payload as { status: string }).status]),
    ).toEqual([
      [`meeting:${t.meeting.id}#1`, 'booked'],
      [`meeting:${t.meeting.id}#2`, 'rescheduled'],
    ]);
    expect((await t.activities())[1]?.payload).toMatchObject({ start: t.meeting.start });
    expect(await t.store.getMeeting(t.meeting.id)).not.toHaveProperty('bookedActivityPending');
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('when a read fails after the client’s own retries, then the link is read again later', async () => {
    const t = await setup();
    t.clock.advance(2_000);
    nock(API).get(`${EVENTS_PATH}/${t.eventId}`).query(true).times(4).reply(503, {});
    await t.pass();
    expect(await t.activities()).toEqual([]);

    t.clock.advance(4_000);
    t.eventRead(eventAnswer(t.eventId));
    await t.pass();
    expect((await t.store.getMeeting(t.meeting.id))?.meetingUrl).toBe(LINK);
    expect((await t.activities()).map((item) => item.payload)).toMatchObject([
      { meetingUrl: LINK },
    ]);
  });
});
