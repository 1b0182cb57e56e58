import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CalendarProviderError } from '../../src/calendar/calendar-types.js';
import { createDefaultConfiguration } from '../../src/chat/default-configuration.js';
import {
  addAgent,
  book,
  connectGoogle,
  createMeetingsTestApp,
  outboxOf,
  type TestApp,
  WED_0900_BERLIN,
} from '../helpers/meetings-app.js';
import { draft } from '../helpers/chat-admin-app.js';

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
    expect(await t.store.listAgents()).toHaveLength(0);
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
    expect(await t.store.getAgent(ana.id)).toBeUndefined();
  });
});

describe('an agent named by a dialogue', () => {
  /** A dialogue whose booking card routes to `agentEmail`, published or only drafted. */
  async function saveDialogue(t: TestApp, id: string, agentEmail: string, published: boolean) {
    const content = draft({
      name: `Dialogue ${id}`,
      cards: [
        {
          id: 'book',
          type: 'booking',
          text: 'Pick a time',
          routing: 'agent',
          agentEmail,
          next: null,
        },
      ],
      start: 'book',
    });
    await t.store.saveDialogue({
      id,
      enabled: true,
      draft: content,
      published: published ? { version: 1, content, publishedAt: '2026-11-24T12:00:00Z' } : null,
      createdAt: '2026-11-24T12:00:00Z',
      updatedAt: '2026-11-24T12:00:00Z',
    });
  }

  it('when a published and a draft dialogue book with the agent, then deleting the agent or changing their email is refused with 409 AGENT_IN_DIALOGUES naming both, and the agent stays', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await saveDialogue(t, 'dlg_live', 'Ana@Example.com', true);
    await saveDialogue(t, 'dlg_draft', 'ana@example.com', false);
    await saveDialogue(t, 'dlg_other', 'bo@example.com', true);

    const deleted = await request(t.app).delete(`/api/agents/${ana.id}`).expect(409);
    expect(deleted.body.error.code).toBe('AGENT_IN_DIALOGUES');
    expect(deleted.body.error.details.dialogues).toEqual([
      { id: 'dlg_live', name: 'Dialogue dlg_live' },
      { id: 'dlg_draft', name: 'Dialogue dlg_draft' },
    ]);
    expect(deleted.body.error.message).toContain('dlg_live (Dialogue dlg_live)');
    expect(await t.store.getAgent(ana.id)).toMatchObject({
      active: true,
      email: 'ana@example.com',
    });

    const renamed = await request(t.app)
      .patch(`/api/agents/${ana.id}`)
      .send({ email: 'ana.new@example.com' })
      .expect(409);
    expect(renamed.body.error.code).toBe('AGENT_IN_DIALOGUES');
    expect((await t.store.getAgent(ana.id))?.email).toBe('ana@example.com');
    // The availability slots of the card still answer for the agent.
    await request(t.app)
      .get('/chat/slots')
      .query({
        from: '2026-11-25',
        days: 1,
        timeZone: 'Europe/Berlin',
        agentEmail: 'ana@example.com',
      })
      .expect(200);
  });

  it('when the email changes only in case or other fields change, then the patch goes through; once no dialogue names the agent, the delete does too', async () => {
    const t = createMeetingsTestApp();
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await saveDialogue(t, 'dlg_live', 'ana@example.com', true);
    await request(t.app)
      .patch(`/api/agents/${ana.id}`)
      .send({ email: 'ANA@example.com', name: 'Ana Lopez' })
      .expect(200);
    expect((await t.store.getAgent(ana.id))?.name).toBe('Ana Lopez');

    await t.store.deleteDialogue('dlg_live');
    await request(t.app)
      .patch(`/api/agents/${ana.id}`)
      .send({ email: 'ana.new@example.com' })
      .expect(200);
    await request(t.app).delete(`/api/agents/${ana.id}`).expect(204);
    expect(await t.store.getAgent(ana.id)).toBeUndefined();
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
    expect((await outboxOf(t)).map((item) => item.dedupeKey).sort()).toEqual(
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
    expect(await t.store.listMeetings()).toHaveLength(0);
    expect(await outboxOf(t)).toHaveLength(0);
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

  it('when two requests join a booking with their key while its calendar event is being made, then the first is 201 and both joiners are 200 replays of the same meeting', async () => {
    let routed = 0;
    let allRouted!: () => void;
    const arrived = new Promise<void>((resolve) => (allRouted = resolve));
    const t = createMeetingsTestApp({ onRouted: () => ++routed === 3 && allRouted() });
    const ana = await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await connectGoogle(t, ana.id);
    let release!: () => void;
    const created = new Promise<void>((resolve) => (release = resolve));
    t.google.behaviour.onCreate = () => created;

    const send = () =>
      request(t.app)
        .post('/chat/meetings')
        .set('Idempotency-Key', 'joined-key-1')
        .send({ start: WED_0900_BERLIN, email: 'visitor@example.org', timeZone: 'Europe/Berlin' });
    const answers = Promise.all([send(), send(), send()]);
    // All three are in the route (the first one's event held open) before the event is made.
    await arrived;
    release();
    const responses = await answers;

    expect(responses.map((res) => [res.status, res.body.replayed]).sort()).toEqual([
      [200, true],
      [200, true],
      [201, false],
    ]);
    const [meeting] = await t.store.listMeetings();
    expect(new Set(responses.map((res) => res.body.meeting.id))).toEqual(new Set([meeting!.id]));
    expect(t.google.calls.filter((call) => call.op === 'create')).toHaveLength(1);
    expect(await outboxOf(t)).toHaveLength(1);
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
    // Checked where the slot is held: five at once for one more email give exactly three.
    const burst = await Promise.all(
      ['13:00', '13:30', '14:00', '14:30', '15:00'].map((time) =>
        request(t.app)
          .post('/chat/meetings')
          .send({ start: `2026-11-25T${time}:00+01:00`, email: 'burst@example.org' }),
      ),
    );
    expect(burst.map((r) => r.status).sort()).toEqual([201, 201, 201, 409, 409]);
    await book(t, { start: '2026-11-25T10:00:00+01:00', idempotencyKey: 'key-visitor-1' }, 200);
  });

  it('when the email is at a blocked domain, then 400 naming email and no meeting, no lead write', async () => {
    const t = createMeetingsTestApp();
    await addAgent(t, { name: 'Ana', email: 'ana@example.com' });
    await t.store.saveChatConfiguration({
      ...createDefaultConfiguration(),
      blockedEmailDomains: ['gmail.com'],
    });
    const res = await book(t, { email: 'blocked.person@Gmail.com' }, 400);
    expect(res.body.error).toMatchObject({ code: 'EMAIL_DOMAIN_BLOCKED', field: 'email' });
    expect(await t.store.listMeetings()).toHaveLength(0);
    expect(await t.store.listOutbox()).toHaveLength(0);
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
    expect(await t.store.listMeetings()).toHaveLength(0);
    expect(await outboxOf(t)).toHaveLength(0);
    expect(await t.store.routingState()).toMatchObject({
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
    const items = await t.store.listOutbox({ kind: 'meeting-lead-agent' });
    expect(items).toHaveLength(1);
    expect(items[0]!.payload).toEqual({
      meetingId: body.meeting.id,
      email: 'visitor@example.org',
      fields: { salesAgentEmail: 'ana@example.com' },
    });
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
    expect(list.headers['referrer-policy']).toBe('same-origin');
    const href = /href="(\/chat\/book\/confirm\?[^"]+)"/
      .exec(list.text)![1]!
      .replace(/&#38;/g, '&');
    const confirm = await request(t.app).get(href).expect(200);
    expect(confirm.text).toContain('<form method="post" action="/chat/book">');
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
    expect(await t.store.listMeetings()).toHaveLength(1);
    expect((await t.store.listMeetings())[0]).toMatchObject({
      agentId: ben.id,
      routing: { rule: 'agent' },
    });
    // A taken slot: the page says so and still offers the way back to other times.
    const taken = await request(t.app)
      .post('/chat/book')
      .type('form')
      .send({ ...form, email: 'other@example.org', idempotencyKey: 'other-key-2' })
      .expect(409);
    expect(taken.text).toContain('no longer available');
    expect(taken.text).toContain('href="/chat/book?agent=');
    // Repeated fields count once; a bad zone is a page naming the field, not JSON.
    await request(t.app).post('/chat/book').type('form').send('name=a&name=b&email=x').expect(400);
    const zone = await request(t.app)
      .get('/chat/book')
      .query({ timeZone: 'Mars/Base' })
      .expect(400);
    expect(zone.text).toContain('timeZone:');
    const bad = await request(t.app)
      .post('/chat/book')
      .type('form')
      .send({ ...form, email: 'nope', idempotencyKey: 'other-key-1' })
      .expect(400);
    expect(bad.text).toContain('email:');
  });
});
