import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CalendarProviderError } from '../../src/calendar/calendar-types.js';
import { holdMeetingArgs } from '../../src/meetings/hold-decision.js';
import {
  addAgent,
  book,
  connectGoogle,
  createMeetingsTestApp,
  HOUR,
  outboxOf,
  T0,
  WED_0900_BERLIN,
  type TestApp,
} from '../helpers/meetings-app.js';

describe('the visitor’s links', () => {
  it('when the visitor cancels through the link, then the meeting is cancelled once, with its activity; a wrong link is 404', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const { body } = await book(t, {});
    const path = new URL(body.meeting.manageUrl).pathname;
    await request(t.app).get(path).expect(200);
    await request(t.app)
      .get(`${path.slice(0, -4)}AAAA`)
      .expect(404);
    const cancelled = await request(t.app).post(`${path}/cancel`).expect(200);
    expect(cancelled.body.meeting.status).toBe('cancelled');
    const again = await request(t.app).post(`${path}/cancel`).expect(409);
    expect(again.body.error.code).toBe('MEETING_FINAL');
    expect((await outboxOf(t)).map((i) => i.dedupeKey).sort()).toEqual([
      `meeting:${body.meeting.id}#1`,
      `meeting:${body.meeting.id}#2`,
    ]);
    // The slot is free again.
    await book(t, { email: 'next@example.org' });
  });

  it('when the visitor reschedules, then the same agent keeps it at the new time; a taken time is 409', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const { body } = await book(t, {});
    await book(t, { start: '2026-11-25T11:00:00+01:00', email: 'other@example.org' });
    const path = new URL(body.meeting.manageUrl).pathname;
    const taken = await request(t.app)
      .post(`${path}/reschedule`)
      .send({ start: '2026-11-25T11:00:00+01:00' })
      .expect(409);
    expect(taken.body.error.code).toBe('SLOT_TAKEN');
    const moved = await request(t.app)
      .post(`${path}/reschedule`)
      .send({ start: '2026-11-25T14:00:00+01:00' })
      .expect(200);
    expect(moved.body.meeting).toMatchObject({
      status: 'rescheduled',
      start: '2026-11-25T14:00:00.000+01:00',
    });
    const ics = await request(t.app).get(`${path}/invite.ics`).expect(200);
    expect(ics.headers['content-type']).toMatch(/text\/calendar/);
    expect(ics.text).toContain('DTSTART:20261125T130000Z');
  });
});

describe('the visitor’s links opened in a browser', () => {
  /** A POST as `curl -X POST` sends it: no body, so no Content-Length or Content-Type. */
  async function postWithoutBody(t: TestApp, path: string, headers: Record<string, string> = {}) {
    const server = t.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      return await new Promise<{ status: number; type: string; text: string }>(
        (resolve, reject) => {
          const req = httpRequest(
            { host: '127.0.0.1', port, path, method: 'POST', headers },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (chunk: string) => (text += chunk));
              res.on('end', () =>
                resolve({ status: res.statusCode!, type: res.headers['content-type']!, text }),
              );
            },
          );
          req.on('error', reject);
          req.removeHeader('content-length');
          req.removeHeader('transfer-encoding');
          req.end();
        },
      );
    } finally {
      server.close();
    }
  }

  it('when the cancel link is posted with no body (curl), then the answer is JSON; with Accept: text/html, a page', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const first = (await book(t, {})).body.meeting;
    const second = (
      await book(t, { email: 'other@example.org', start: '2026-11-25T10:00:00+01:00' })
    ).body.meeting;

    const json = await postWithoutBody(t, `${new URL(first.manageUrl).pathname}/cancel`);
    expect(json.status).toBe(200);
    expect(json.type).toMatch(/^application\/json/);
    expect(JSON.parse(json.text).meeting).toMatchObject({ id: first.id, status: 'cancelled' });
    const refused = await postWithoutBody(t, `${new URL(first.manageUrl).pathname}/cancel`);
    expect(refused.status).toBe(409);
    expect(JSON.parse(refused.text).error.code).toBe('MEETING_FINAL');

    const html = await postWithoutBody(t, `${new URL(second.manageUrl).pathname}/cancel`, {
      Accept: 'text/html,application/xhtml+xml',
    });
    expect(html.status).toBe(200);
    expect(html.type).toMatch(/^text\/html/);
    expect(html.text).toContain('Your meeting is cancelled.');
  });

  it('when the visitor opens the links, then plain pages show their meeting, and the forms cancel or move it with the same agent', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana <script>', email: 'ana@example.com' });
    await addAgent(t, { name: 'Ben', email: 'ben@example.com', timeZone: 'Asia/Tokyo' });
    const { body } = await book(t, {});
    expect(body.meeting.agent).toEqual({ id: ana.id, name: 'Ana <script>' });
    const path = new URL(body.meeting.manageUrl).pathname;
    const html = 'text/html,application/xhtml+xml';

    const manage = await request(t.app).get(path).set('Accept', html).expect(200);
    expect(manage.headers['content-type']).toMatch(/text\/html/);
    expect(manage.text).toContain('Wednesday 25 November 2026, 09:00–09:30 (Europe/Berlin)');
    expect(manage.text).toContain('Ana &#60;script&#62;');
    expect(manage.text).not.toContain('<script>');

    // The pool's times (issue 11: a reschedule may be reassigned): Ben (Tokyo) works while Ana
    // sleeps, and Ana's times follow; the meeting's own time is not offered again.
    const slots = await request(t.app)
      .get(`${path}/slots`)
      .query({ from: '2026-11-25', days: 1, timeZone: 'Europe/Berlin' })
      .expect(200);
    const starts = slots.body.days[0].slots.map((x: { start: string }) => x.start);
    expect(starts[0]).toBe('2026-11-25T01:00:00.000+01:00');
    expect(starts).toContain('2026-11-25T09:30:00.000+01:00');
    expect(starts).not.toContain('2026-11-25T09:00:00.000+01:00');
    expect(starts.every((x: string) => x >= '2026-11-25T01' && x < '2026-11-25T17')).toBe(true);

    const picker = await request(t.app).get(`${path}/reschedule`).set('Accept', html).expect(200);
    expect(picker.text).toContain('name="start" value="2026-11-25T09:30:00.000+01:00"');
    const moved = await request(t.app)
      .post(`${path}/reschedule`)
      .type('form')
      .send({ start: '2026-11-25T15:00:00.000+01:00' })
      .expect(200);
    expect(moved.text).toContain('Your meeting is moved.');
    expect(await t.store.getMeeting(body.meeting.id)).toMatchObject({
      status: 'rescheduled',
      agentId: ana.id,
    });

    const confirm = await request(t.app).get(`${path}/cancel`).set('Accept', html).expect(200);
    expect(confirm.text).toContain(`action="${body.meeting.cancelUrl}"`);
    const cancelled = await request(t.app).post(`${path}/cancel`).type('form').send({}).expect(200);
    expect(cancelled.text).toContain('Your meeting is cancelled.');
    const again = await request(t.app).post(`${path}/cancel`).type('form').send({}).expect(409);
    expect(again.text).toContain('nothing can change after that');
  });
});

describe('rescheduling against a real calendar', () => {
  it('when a meeting moves by less than its length, then its own calendar event is not a conflict; two moves at once end with calendar and store agreeing', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com', meetingMinutes: 90 });
    await connectGoogle(t, ana.id);
    const { body } = await book(t, {});
    const nine = Date.parse(WED_0900_BERLIN);
    t.google.behaviour.busy = [{ start: nine, end: nine + 90 * 60_000 }];
    const path = new URL(body.meeting.manageUrl).pathname;
    await request(t.app)
      .post(`${path}/reschedule`)
      .send({ start: '2026-11-25T09:30:00+01:00' })
      .expect(200);

    t.google.behaviour.busy = [];
    const [a, b] = await Promise.all([
      request(t.app).post(`${path}/reschedule`).send({ start: '2026-11-25T12:00:00+01:00' }),
      request(t.app).post(`${path}/reschedule`).send({ start: '2026-11-25T14:00:00+01:00' }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const stored = (await t.store.getMeeting(body.meeting.id))!;
    const lastUpdate = t.google.calls.filter((c) => c.op === 'update').at(-1)!;
    expect(lastUpdate.event?.start).toBe(stored.start);
    expect(stored.start).toBe(Date.parse('2026-11-25T14:00:00+01:00'));
  });
});

describe('meeting statuses and the completion job', () => {
  it('when the admin marks a future meeting completed, then 409; after its end the job completes it, and then a cancellation, or a no-show past the grace period, is refused', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const { body } = await book(t, {});
    const id = body.meeting.id as string;
    const early = await request(t.app)
      .post(`/api/meetings/${id}/status`)
      .send({ status: 'completed' })
      .expect(409);
    expect(early.body.error.code).toBe('MEETING_NOT_STARTED');
    t.clock.set(Date.parse(WED_0900_BERLIN) + HOUR);
    expect(await t.meetings.runJobs()).toMatchObject({ completed: 1 });
    const cancelled = await request(t.app)
      .post(`/api/meetings/${id}/status`)
      .send({ status: 'cancelled' })
      .expect(409);
    expect(cancelled.body.error.code).toBe('MEETING_FINAL');
    // A late no-show is taken within MEETING_NO_SHOW_GRACE_MS (7 days) of the end, not after.
    t.clock.set(Date.parse(WED_0900_BERLIN) + 8 * 24 * HOUR);
    const late = await request(t.app)
      .post(`/api/meetings/${id}/status`)
      .send({ status: 'no-show' })
      .expect(409);
    expect(late.body.error.code).toBe('MEETING_FINAL');
    const ics = await request(t.app).get(`/api/meetings/${id}/invite.ics`).expect(200);
    expect(ics.text).toContain(`UID:${id}@marketo-chat`);
    expect(ics.text).toContain('ORGANIZER;CN="Ana":mailto:ana@example.com');
    const shown = await request(t.app).get(`/api/meetings/${id}`).expect(200);
    expect(shown.body.history.map((h: { status: string }) => h.status)).toEqual([
      'pending',
      'booked',
      'completed',
    ]);
  });

  it('when a meeting is marked no-show after its start, then the job leaves it no-show', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const { body } = await book(t, {});
    t.clock.set(Date.parse(WED_0900_BERLIN) + 10 * 60_000);
    await request(t.app)
      .post(`/api/meetings/${body.meeting.id}/status`)
      .send({ status: 'no-show' })
      .expect(200);
    t.clock.set(Date.parse(WED_0900_BERLIN) + 2 * HOUR);
    expect(await t.meetings.runJobs()).toMatchObject({ completed: 0 });
    expect((await t.store.getMeeting(body.meeting.id))?.status).toBe('no-show');
  });
});

describe('bookings interrupted between hold and confirm', () => {
  /** A hold as a booking leaves it when the process stops before the calendar answered. */
  async function strandedHold(t: TestApp, agentId: string, start: string) {
    const agent = (await t.store.getAgent(agentId))!;
    const result = await t.store.holdMeeting(
      holdMeetingArgs({
        mode: 'rotation',
        pool: 'default',
        now: T0,
        candidates: [
          {
            id: agent.id,
            name: agent.name,
            email: agent.email,
            bufferAfterMs: 0,
            durationMs: 30 * 60_000,
            provider: agent.calendar.provider,
            eligible: true,
          },
        ],
        meeting: {
          id: 'stranded-1',
          status: 'pending',
          start: Date.parse(start),
          visitor: { email: 'stranded@example.org', timeZone: 'Europe/Berlin' },
          routing: { rule: 'round-robin', pool: 'default', skipped: [] },
          idempotencyKey: 'stranded-key',
          manageTokenHash: 'hash-stranded',
          history: [{ status: 'pending', at: T0, by: 'visitor' }],
          createdAt: T0,
          updatedAt: T0,
        },
      }),
    );
    expect(result.outcome).toBe('held');
  }

  it('when a hold is left for ten minutes and its slot is still free, then the job makes the event (same meeting id) and confirms it, and the visitor’s retry gets it', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await connectGoogle(t, ana.id);
    await strandedHold(t, ana.id, WED_0900_BERLIN);
    t.clock.set(T0 + 5 * 60_000);
    expect(await t.meetings.runJobs()).toMatchObject({ recovered: 0, released: 0 });
    t.clock.set(T0 + 11 * 60_000);
    expect(await t.meetings.runJobs()).toMatchObject({ recovered: 1, released: 0 });
    expect(t.google.calls.filter((c) => c.op === 'create').map((c) => c.event?.meetingId)).toEqual([
      'stranded-1',
    ]);
    expect((await outboxOf(t)).map((i) => i.dedupeKey)).toEqual(['meeting:stranded-1#1']);
    const retry = await book(
      t,
      { email: 'stranded@example.org', idempotencyKey: 'stranded-key' },
      200,
    );
    expect(retry.body.meeting).toMatchObject({ id: 'stranded-1', status: 'booked' });
  });

  it('when a stranded hold’s time has passed, then it is given back, any stray event removed, and nothing goes to Marketo', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await connectGoogle(t, ana.id);
    await strandedHold(t, ana.id, WED_0900_BERLIN);
    t.clock.set(Date.parse(WED_0900_BERLIN) + HOUR);
    expect(await t.meetings.runJobs()).toMatchObject({ recovered: 0, released: 1 });
    expect(await t.store.getMeeting('stranded-1')).toBeUndefined();
    expect(t.google.calls.map((c) => c.op)).toContain('cancel-of:stranded-1');
    expect(await outboxOf(t)).toHaveLength(0);
  });

  it('when the provider fails a create (its answer may have been lost), then any event it made is removed before the slot is given back', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await connectGoogle(t, ana.id);
    t.google.behaviour.failCreate = new CalendarProviderError(
      'google',
      'socket hang up after 3 retries',
    );
    await book(t, {}, 503);
    const ops = t.google.calls.map((c) => c.op);
    expect(ops.filter((op) => op.startsWith('cancel-of:'))).toHaveLength(1);
    expect(ops.lastIndexOf('create')).toBeLessThan(
      ops.findIndex((op) => op.startsWith('cancel-of:')),
    );
  });
});

describe('calendar failures while a meeting changes', () => {
  it('when the provider is down at a cancellation, then 503 and the meeting stays booked, with no activity queued', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await connectGoogle(t, ana.id);
    const { body } = await book(t, {});
    t.google.behaviour.failCancel = new CalendarProviderError('google', 'HTTP 503 after 3 retries');
    const path = new URL(body.meeting.manageUrl).pathname;
    const res = await request(t.app).post(`${path}/cancel`).expect(503);
    expect(res.body.error.code).toBe('CALENDAR_PROVIDER_UNAVAILABLE');
    expect((await t.store.getMeeting(body.meeting.id))?.status).toBe('booked');
    expect((await outboxOf(t)).map((i) => i.dedupeKey)).toEqual([`meeting:${body.meeting.id}#1`]);
  });

  it('when a booking takes the new time while the calendar event is being moved, then 409 and the event is moved back to the stored time', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await connectGoogle(t, ana.id);
    const { body } = await book(t, {});
    const noon = '2026-11-25T12:00:00+01:00';
    t.google.behaviour.onUpdate = async () => {
      await book(t, { start: noon, email: 'racer@example.org' });
    };
    const path = new URL(body.meeting.manageUrl).pathname;
    const res = await request(t.app).post(`${path}/reschedule`).send({ start: noon }).expect(409);
    expect(res.body.error.code).toBe('SLOT_TAKEN');
    const stored = (await t.store.getMeeting(body.meeting.id))!;
    expect(stored).toMatchObject({ status: 'booked', start: Date.parse(WED_0900_BERLIN) });
    const updates = t.google.calls.filter((c) => c.op === 'update').map((c) => c.event?.start);
    expect(updates).toEqual([Date.parse(noon), Date.parse(WED_0900_BERLIN)]);
  });
});
