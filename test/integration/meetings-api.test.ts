import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CalendarGrantError, CalendarProviderError } from '../../src/calendar/calendar-types.js';
import { createMeetingsTestApp, T0 } from '../helpers/meetings-app.js';

type TestApp = ReturnType<typeof createMeetingsTestApp>;

/** Wednesday 25 November 2026, 09:00 in Berlin (08:00 UTC). */
const WED_0900_BERLIN = '2026-11-25T09:00:00+01:00';
const HOUR = 3600_000;

async function addAgent(t: TestApp, body: Record<string, unknown>) {
  const res = await request(t.app)
    .post('/api/agents')
    .send({ timeZone: 'Europe/Berlin', ...body })
    .expect(201);
  return res.body as { id: string; email: string };
}

async function book(t: TestApp, body: Record<string, unknown>, status = 201) {
  return request(t.app)
    .post('/chat/meetings')
    .send({
      start: WED_0900_BERLIN,
      email: 'visitor@example.org',
      timeZone: 'Europe/Berlin',
      ...body,
    })
    .expect(status);
}

const outboxOf = (t: TestApp) => t.store.listOutbox({ kind: 'meeting-activity' });

describe('agents admin API', () => {
  it.each([
    ['timeZone', { name: 'A', email: 'a@example.com', timeZone: 'Mars/Olympus' }],
    ['email', { name: 'A', email: 'not-an-email' }],
    [
      'availability.0.end',
      {
        name: 'A',
        email: 'a@example.com',
        availability: [{ day: 'mon', start: '12:00', end: '09:00' }],
      },
    ],
    ['meetingMinutes', { name: 'A', email: 'a@example.com', meetingMinutes: 2 }],
  ])('when %s is bad, then 400 names that field and nothing is saved', async (field, body) => {
    const t = createMeetingsTestApp();
    const res = await request(t.app).post('/api/agents').send(body).expect(400);
    expect(res.body.error.field).toBe(field);
    expect(t.store.listAgents()).toHaveLength(0);
  });

  it('when an agent is created, then defaults apply, the calendar is the built-in one, and a second agent with the same email is refused', async () => {
    const t = createMeetingsTestApp();
    const agent = await addAgent(t, { name: 'Ana', email: 'Ana@Example.com' });
    const res = await request(t.app).get(`/api/agents/${agent.id}`).expect(200);
    expect(res.body).toMatchObject({
      email: 'ana@example.com',
      meetingMinutes: 30,
      active: true,
      calendar: { provider: 'local', status: 'connected', hasGrant: false },
    });
    expect(res.body.availability).toHaveLength(5);
    const dup = await request(t.app)
      .post('/api/agents')
      .send({ name: 'Other', email: 'ana@example.com' })
      .expect(409);
    expect(dup.body.error.field).toBe('email');
  });
});

describe('deleting an agent', () => {
  it('when the agent has a meeting to come, then 409; once it is cancelled, the agent is deleted and the grant revoked', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await connectGoogle(t, ana.id, 'ana-code');
    const { body } = await book(t, {});
    const refused = await request(t.app).delete(`/api/agents/${ana.id}`).expect(409);
    expect(refused.body.error.code).toBe('AGENT_HAS_MEETINGS');
    await request(t.app)
      .post(`/api/meetings/${body.meeting.id}/status`)
      .send({ status: 'cancelled' })
      .expect(200);
    await request(t.app).delete(`/api/agents/${ana.id}`).expect(204);
    expect(t.google.oauthCalls).toContainEqual({ revoke: 'refresh-for-ana-code' });
    expect(t.store.getAgent(ana.id)).toBeUndefined();
  });
});

describe('booking from the widget', () => {
  it('when the visitor asks for slots in New York, then the Berlin agent’s 09:00 is 03:00 there', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const res = await request(t.app)
      .get('/chat/slots')
      .query({ from: '2026-11-25', days: 1, timeZone: 'America/New_York' })
      .expect(200);
    expect(res.body.days[0].date).toBe('2026-11-25');
    expect(res.body.days[0].slots[0]).toEqual({
      start: '2026-11-25T03:00:00.000-05:00',
      end: '2026-11-25T03:30:00.000-05:00',
    });
    expect(res.body.days[0].slots).toHaveLength(16);
  });

  it('when a slot is booked, then the visitor sees only their meeting, the admin sees it booked, and one Marketo activity is queued', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await request(t.app)
      .post('/chat/meetings')
      .send({ start: WED_0900_BERLIN, email: 'someone.else@example.org' });
    const res = await book(t, {
      start: '2026-11-25T10:00:00+01:00',
      name: 'Vi Sitor',
      idempotencyKey: 'key-0000001',
    });
    expect(res.body.replayed).toBe(false);
    expect(res.body.meeting).toMatchObject({
      status: 'booked',
      agent: { name: 'Ana' },
      start: '2026-11-25T10:00:00.000+01:00',
    });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('ana@example.com');
    expect(text).not.toContain('someone.else');
    expect(res.body.meeting.manageUrl).toMatch(
      /^https:\/\/chat\.example\.com\/chat\/meetings\/manage\/[\w-]{43}$/,
    );

    const list = await request(t.app).get('/api/meetings').query({ status: 'booked' }).expect(200);
    expect(list.body.meetings.map((m: { visitor: { email: string } }) => m.visitor.email)).toEqual([
      'visitor@example.org',
      'someone.else@example.org',
    ]);
    expect(list.body.meetings[0]).not.toHaveProperty('manageTokenHash');
    expect(
      outboxOf(t)
        .map((item) => item.dedupeKey)
        .sort(),
    ).toEqual(
      [`meeting:${list.body.meetings[0].id}#1`, `meeting:${list.body.meetings[1].id}#1`].sort(),
    );

    const again = await book(
      t,
      { start: '2026-11-25T10:00:00+01:00', idempotencyKey: 'key-0000001' },
      200,
    );
    expect(again.body).toMatchObject({
      replayed: true,
      meeting: { id: res.body.meeting.id, manageUrl: res.body.meeting.manageUrl },
    });
  });

  it.each([
    ['in the past', 'start', { start: '2026-11-23T09:00:00+01:00' }],
    ['malformed', 'start', { start: 'tomorrow at nine' }],
    ['without an offset', 'start', { start: '2026-11-25T09:00:00' }],
    ['on a Sunday', 'start', { start: '2026-11-29T10:00:00+01:00' }],
    ['at 09:10 (off the grid)', 'start', { start: '2026-11-25T09:10:00+01:00' }],
    ['without an email', 'email', { email: undefined }],
    ['in an unknown zone', 'timeZone', { timeZone: 'Nowhere/Land' }],
  ])('when the slot is %s, then 400 names %s and nothing is stored', async (_what, field, body) => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const res = await book(t, body, 400);
    expect(res.body.error.field).toBe(field);
    expect(t.store.listMeetings()).toHaveLength(0);
    expect(outboxOf(t)).toHaveLength(0);
  });

  it('when two bookings with one key but different visitors arrive together, then the second is 422 and sees nothing of the first', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const [first, second] = await Promise.all([
      request(t.app)
        .post('/chat/meetings')
        .set('Idempotency-Key', 'shared-key-1')
        .send({ start: WED_0900_BERLIN, email: 'one@example.org' }),
      request(t.app)
        .post('/chat/meetings')
        .set('Idempotency-Key', 'shared-key-1')
        .send({ start: WED_0900_BERLIN, email: 'two@example.org' }),
    ]);
    expect(first.status).toBe(201);
    expect(second.status).toBe(422);
    expect(second.body.error.field).toBe('idempotencyKey');
    expect(JSON.stringify(second.body)).not.toContain('manage');
  });

  it('when a Tokyo visitor’s slot is taken and the client wrote it in UTC, then the fresh slots are of the visitor’s day', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    // 08:00 UTC on Wednesday: 17:00 on Wednesday in Tokyo; the slot is taken twice.
    await book(t, { start: '2026-11-25T08:00:00Z', timeZone: 'Asia/Tokyo' });
    const res = await book(
      t,
      { start: '2026-11-25T08:00:00Z', timeZone: 'Asia/Tokyo', email: 'x@example.org' },
      409,
    );
    expect(res.body.slots.days[0].date).toBe('2026-11-25');
    const starts = res.body.slots.days[0].slots.map((x: { start: string }) => x.start);
    expect(starts).toContain('2026-11-25T17:30:00.000+09:00');
    expect(starts).not.toContain('2026-11-25T17:00:00.000+09:00');
  });

  it('when one email already holds three meetings to come, then a fourth is refused naming email; a replay still answers', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    for (const [i, time] of ['09:00', '10:00', '11:00'].entries()) {
      await book(t, { start: `2026-11-25T${time}:00+01:00`, idempotencyKey: `key-visitor-${i}` });
    }
    const res = await book(t, { start: '2026-11-25T12:00:00+01:00' }, 409);
    expect(res.body.error).toMatchObject({ code: 'TOO_MANY_MEETINGS', field: 'email' });
    await book(t, { start: '2026-11-25T10:00:00+01:00', idempotencyKey: 'key-visitor-1' }, 200);
  });

  it('when the slot is taken, then 409 SLOT_TAKEN comes with fresh slots of that day, without the taken one', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await book(t, {});
    const res = await book(t, { email: 'late@example.org' }, 409);
    expect(res.body.error).toMatchObject({ code: 'SLOT_TAKEN', field: 'start' });
    const starts = res.body.slots.days[0].slots.map((s: { start: string }) => s.start);
    expect(starts[0]).toBe('2026-11-25T09:30:00.000+01:00');
  });

  it('when the calendar provider is down at commit, then 503 and no meeting, no activity, no turn taken', async () => {
    const t = createMeetingsTestApp();
    const agent = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await connectGoogle(t, agent.id);
    t.google.behaviour.failCreate = new CalendarProviderError('google', 'HTTP 503 after 3 retries');
    const res = await book(t, {}, 503);
    expect(res.body.error.code).toBe('CALENDAR_PROVIDER_UNAVAILABLE');
    expect(t.store.listMeetings()).toHaveLength(0);
    expect(outboxOf(t)).toHaveLength(0);
    expect(t.store.routingState()).toMatchObject({
      lastAgentId: undefined,
      totals: { [agent.id]: 0 },
    });
  });
});

describe('the assigned agent on the lead', () => {
  it('when agent lead fields are configured, then the booking enqueues their write with the activity, once', async () => {
    const t = createMeetingsTestApp({ agentLeadFields: { email: 'salesAgentEmail' } });
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const { body } = await book(t, { idempotencyKey: 'key-lead-fields' });
    await book(t, { idempotencyKey: 'key-lead-fields' }, 200);
    const items = t.store.listOutbox({ kind: 'meeting-lead-agent' });
    expect(items).toHaveLength(1);
    expect(items[0]!.payload).toEqual({
      meetingId: body.meeting.id,
      email: 'visitor@example.org',
      fields: { salesAgentEmail: 'ana@example.com' },
    });
  });
});

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
    expect(
      outboxOf(t)
        .map((i) => i.dedupeKey)
        .sort(),
    ).toEqual([`meeting:${body.meeting.id}#1`, `meeting:${body.meeting.id}#2`]);
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

    // The agent's own times only: Ben (Tokyo) works while Ana sleeps.
    const slots = await request(t.app)
      .get(`${path}/slots`)
      .query({ from: '2026-11-25', days: 1, timeZone: 'Europe/Berlin' })
      .expect(200);
    const starts = slots.body.days[0].slots.map((x: { start: string }) => x.start);
    expect(starts[0]).toBe('2026-11-25T09:30:00.000+01:00');
    expect(starts.every((x: string) => x >= '2026-11-25T09' && x < '2026-11-25T17')).toBe(true);

    const picker = await request(t.app).get(`${path}/reschedule`).set('Accept', html).expect(200);
    expect(picker.text).toContain('name="start" value="2026-11-25T09:30:00.000+01:00"');
    const moved = await request(t.app)
      .post(`${path}/reschedule`)
      .type('form')
      .send({ start: '2026-11-25T15:00:00.000+01:00' })
      .expect(200);
    expect(moved.text).toContain('Your meeting is moved.');
    expect(t.store.getMeeting(body.meeting.id)).toMatchObject({
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
    const stored = t.store.getMeeting(body.meeting.id)!;
    const lastUpdate = t.google.calls.filter((c) => c.op === 'update').at(-1)!;
    expect(lastUpdate.event?.start).toBe(stored.start);
    expect(stored.start).toBe(Date.parse('2026-11-25T14:00:00+01:00'));
  });
});

describe('bookings interrupted between hold and confirm', () => {
  /** A hold as a booking leaves it when the process stops before the calendar answered. */
  async function strandedHold(t: TestApp, agentId: string, start: string) {
    const agent = t.store.getAgent(agentId)!;
    const result = await t.store.holdMeeting({
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
    });
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
    expect(outboxOf(t).map((i) => i.dedupeKey)).toEqual(['meeting:stranded-1#1']);
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
    expect(t.store.getMeeting('stranded-1')).toBeUndefined();
    expect(t.google.calls.map((c) => c.op)).toContain('cancel-of:stranded-1');
    expect(outboxOf(t)).toHaveLength(0);
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

describe('the booking page (the webhook’s bookingUrl)', () => {
  it('when a lead opens /chat/book?agent=…, then they pick a time of that agent, give their details, and land on their meeting; a double submit books once', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const ben = await addAgent(t, {
      name: 'Ben & Co',
      email: 'ben@example.com',
      timeZone: 'America/New_York',
    });
    await request(t.app).get('/chat/book').query({ agent: 'agt_nobody' }).expect(400);
    const list = await request(t.app).get('/chat/book').query({ agent: ben.id }).expect(200);
    expect(list.text).toContain('Book a meeting with Ben &#38; Co');
    expect(list.text).toContain('Times in America/New_York');
    const href = /href="(book\/confirm\?[^"]+)"/.exec(list.text)![1]!.replace(/&#38;/g, '&');
    const confirm = await request(t.app).get(`/chat/${href}`).expect(200);
    const hidden = Object.fromEntries(
      [...confirm.text.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [
        m[1],
        m[2]!.replace(/&#43;/g, '+'),
      ]),
    );
    expect(hidden).toMatchObject({ agentId: ben.id, timeZone: 'America/New_York' });
    const form = { ...hidden, name: 'Lee', email: 'lee@example.org' };
    const first = await request(t.app).post('/chat/book').type('form').send(form).expect(303);
    const second = await request(t.app).post('/chat/book').type('form').send(form).expect(303);
    expect(second.headers['location']).toBe(first.headers['location']);
    expect(t.store.listMeetings()).toHaveLength(1);
    expect(t.store.listMeetings()[0]).toMatchObject({
      agentId: ben.id,
      routing: { rule: 'agent' },
    });
    const bad = await request(t.app)
      .post('/chat/book')
      .type('form')
      .send({ ...form, email: 'nope', idempotencyKey: 'other-key-1' })
      .expect(400);
    expect(bad.text).toContain('email:');
  });
});

describe('meeting statuses and the completion job', () => {
  it('when the admin marks a future meeting completed, then 409; after its end the job completes it, and a no-show after that is refused', async () => {
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
    expect(t.store.getMeeting(body.meeting.id)?.status).toBe('no-show');
  });
});

describe('routing: rules, owner, rotation', () => {
  it('when agents have different meeting lengths, then each meeting has its own agent’s length', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com', meetingMinutes: 60 });
    const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com', meetingMinutes: 30 });
    await book(t, { start: '2026-11-25T14:00:00+01:00', email: 'first@example.org' });
    const { body } = await book(t, { email: 'second@example.org' });
    expect(body.meeting).toMatchObject({
      agent: { id: ben.id },
      end: '2026-11-25T09:30:00.000+01:00',
    });
    const first = t.store.listMeetings({ agentId: ana.id })[0]!;
    expect(first.end - first.start).toBe(HOUR);
  });

  it('when a rule matches the lead, then its agent gets the meeting and the decision names the rule; others go round robin', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com', groups: ['dach'] });
    const bad = await request(t.app)
      .post('/api/routing/rules')
      .send({
        name: 'x',
        conditions: [{ field: 'country', operator: 'equals', value: 'DE' }],
        target: { agentIds: ['nobody'] },
      })
      .expect(400);
    expect(bad.body.error.field).toBe('target.agentIds.0');
    const rule = await request(t.app)
      .post('/api/routing/rules')
      .send({
        name: 'DACH',
        conditions: [{ field: 'country', operator: 'equals', value: 'DE' }],
        target: { group: 'dach' },
      })
      .expect(201);
    await t.store.applyLeadChanges({
      upserts: [
        {
          id: 7,
          fields: { email: 'hans@example.de', country: 'DE' },
          observedAt: T0,
          source: 'sync',
        },
      ],
    });
    await book(t, { email: 'hans@example.de' });
    await book(t, { start: '2026-11-25T10:00:00+01:00', email: 'anon@example.org' });
    const meetings = t.store.listMeetings();
    const hans = meetings.find((m) => m.visitor.email === 'hans@example.de')!;
    expect(hans).toMatchObject({
      agentId: ben.id,
      leadId: 7,
      routing: { rule: `rule:${rule.body.id}`, ruleName: 'DACH' },
    });
    expect(meetings.find((m) => m.visitor.email === 'anon@example.org')).toMatchObject({
      agentId: ana.id,
      routing: { rule: 'round-robin' },
    });
    const routing = await request(t.app).get('/api/routing').expect(200);
    expect(routing.body.totals).toEqual({ [ana.id]: 1, [ben.id]: 1 });
    expect(routing.body.next.id).toBe(ben.id);
  });

  it('when the lead’s owner is an agent and free, then the owner gets it; when busy, the rotation does', async () => {
    const t = createMeetingsTestApp({ ownerField: 'leadOwnerEmailAddress' });
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
    const cy = await addAgent(t, { name: 'Cy', email: 'cy@example.com' });
    await t.store.applyLeadChanges({
      upserts: [
        {
          id: 8,
          fields: { email: 'owned@example.org', leadOwnerEmailAddress: 'BEN@example.com' },
          observedAt: T0,
          source: 'sync',
        },
      ],
    });
    const ten = '2026-11-25T10:00:00+01:00';
    await book(t, { start: ten, email: 'first@example.org' });
    await book(t, { start: ten, email: 'second@example.org' });
    await book(t, { email: 'owned@example.org' });
    await book(t, { start: ten, email: 'owned@example.org', idempotencyKey: 'key-owned-2' });
    const owned = t.store.listMeetings().filter((m) => m.visitor.email === 'owned@example.org');
    expect(owned.map((m) => [m.start, m.agentId, m.routing.rule])).toEqual([
      [Date.parse(ten), cy.id, 'fallback-round-robin'],
      [Date.parse(WED_0900_BERLIN), ben.id, 'owner'],
    ]);
    const routing = await request(t.app).get('/api/routing').expect(200);
    expect(
      routing.body.order.map((a: { id: string; meetingsToDate: number }) => [
        a.id,
        a.meetingsToDate,
      ]),
    ).toEqual([
      [ana.id, 1],
      [ben.id, 2],
      [cy.id, 1],
    ]);
  });
});

describe('calendar connection (OAuth) and revoked grants', () => {
  it('when the callback comes with an unknown, missing or reused state, then 400 and no token is stored', async () => {
    const t = createMeetingsTestApp();
    const agent = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await request(t.app).get('/oauth/calendar/callback').query({ code: 'c' }).expect(400);
    await request(t.app)
      .get('/oauth/calendar/callback')
      .query({ state: 'forged', code: 'c' })
      .expect(400);
    const state = await connectGoogle(t, agent.id);
    await request(t.app)
      .get('/oauth/calendar/callback')
      .query({ state, code: 'again' })
      .expect(400);
    expect(t.google.oauthCalls.filter((c) => c['code'] === 'again')).toHaveLength(0);
    const stored = t.store.getAgent(agent.id)!;
    expect(stored.calendar).toMatchObject({
      provider: 'google',
      status: 'connected',
      accountEmail: 'agent@example.com',
    });
    expect(stored.calendar.encryptedRefreshToken).not.toContain('refresh-for');
    const shown = await request(t.app).get(`/api/agents/${agent.id}`).expect(200);
    expect(JSON.stringify(shown.body)).not.toContain(stored.calendar.encryptedRefreshToken);
    expect(shown.body.calendar.hasGrant).toBe(true);
  });

  it('when the grant is revoked, then the agent is marked disconnected, leaves routing, and shows why until reconnected', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
    await connectGoogle(t, ana.id);
    t.google.behaviour.failBusy = new CalendarGrantError(
      'google',
      'invalid_grant: Token has been expired or revoked.',
    );
    const res = await book(t, {});
    expect(t.store.getMeeting(res.body.meeting.id)?.agentId).toBe(ben.id);
    const agent = await request(t.app).get(`/api/agents/${ana.id}`).expect(200);
    expect(agent.body.calendar).toMatchObject({
      status: 'disconnected',
      disconnectedReason: expect.stringContaining('invalid_grant'),
    });
    const routing = await request(t.app).get('/api/routing').expect(200);
    expect(routing.body.order[0]).toMatchObject({
      id: ana.id,
      routable: false,
      reason: 'disconnected',
    });
    t.google.behaviour.failBusy = undefined;
    await connectGoogle(t, ana.id);
    expect(t.store.getAgent(ana.id)?.calendar.status).toBe('connected');
  });

  it('when a stored grant cannot be decrypted (the key changed), then the agent is marked disconnected and skipped', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    const ben = await addAgent(t, { name: 'Ben', email: 'ben@example.com' });
    await connectGoogle(t, ana.id);
    await t.store.updateAgent(ana.id, (a) => ({
      ...a,
      calendar: { ...a.calendar, encryptedRefreshToken: 'v1.unknownk.AAAA.AAAA.AAAA' },
    }));
    const res = await book(t, {});
    expect(res.body.meeting.agent.id).toBe(ben.id);
    expect(t.store.getAgent(ana.id)?.calendar).toMatchObject({
      status: 'disconnected',
      disconnectedReason: expect.stringContaining('cannot be decrypted'),
    });
  });

  it('when an agent’s calendar is connected, then its refresh token reaches the provider decrypted, and busy times remove slots', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await connectGoogle(t, ana.id, 'code-1');
    const nine = Date.parse(WED_0900_BERLIN);
    t.google.behaviour.busy = [{ start: nine, end: nine + HOUR }];
    const slots = await request(t.app)
      .get('/chat/slots')
      .query({ from: '2026-11-25', days: 1, timeZone: 'Europe/Berlin' })
      .expect(200);
    expect(slots.body.days[0].slots[0].start).toBe('2026-11-25T10:00:00.000+01:00');
    expect(t.google.calls.find((c) => c.op === 'busy')?.access.refreshToken).toBe(
      'refresh-for-code-1',
    );
    const res = await book(t, {}, 409);
    expect(res.body.error.code).toBe('SLOT_TAKEN');
  });
});

async function connectGoogle(t: TestApp, agentId: string, code = 'the-code'): Promise<string> {
  const start = await request(t.app)
    .post(`/api/agents/${agentId}/calendar/connect`)
    .send({ provider: 'google' })
    .expect(200);
  const state = new URL(start.body.authorizationUrl).searchParams.get('state')!;
  await request(t.app).get('/oauth/calendar/callback').query({ state, code }).expect(200);
  return state;
}
