import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { runMeetingReminders } from '../../src/notifications/meeting-reminders.js';
import { runOutboxOnce } from '../../src/outbox/run-outbox-once.js';
import type { Service } from '../../src/service.js';
import { ADMIN_AUTH, useSandboxServices } from '../helpers/test-service.js';

/**
 * Notifications by email (issue 11 item 11) through the HTTP API of the whole service in
 * sandbox mode: agents on the built-in calendar get a booking, a reschedule, a reassign and a
 * cancellation, each with its iCalendar invitation; the visitor gets a reminder. Nothing is
 * sent: every message is captured and listed by GET /api/notifications.
 */

const services = useSandboxServices();
/** Tuesday 24 November 2026, 12:00 UTC. */
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

interface Listed {
  id: string;
  kind: string;
  meetingId: string;
  to: string;
  subject: string;
  text: string;
  invitation?: { method: string; sequence: number };
  messageId: string;
  raw: string;
  capturedAt: string;
}

async function openService() {
  const clock = createManualClock(T0);
  const service = await services.open(
    {
      SANDBOX_LEADS: '0',
      SYNC_ENABLED: 'false',
      ROUTING_AGENTS: 'Ana Silva <ana@example.com>; Ben Okafor <ben@example.com>',
    },
    { clock },
  );
  const agents = (await service.store.listAgents()).map((a) => a.id);
  // Ana works in Berlin and reads German; Ben in New York, in US English. Both on the local
  // calendar (no Google or Outlook): their emails carry the invitations.
  await request(service.app)
    .patch(`/api/agents/${agents[0]}`)
    .set(ADMIN_AUTH)
    .send({ timeZone: 'Europe/Berlin', locale: 'de' })
    .expect(200);
  await request(service.app)
    .patch(`/api/agents/${agents[1]}`)
    .set(ADMIN_AUTH)
    .send({ timeZone: 'America/New_York', locale: 'en-US' })
    .expect(200);
  return { service, clock, ana: agents[0]!, ben: agents[1]! };
}

/** What the notifications relay would do on its timer: one pass, then the clock moves on. */
async function deliver(service: Service, clock: ReturnType<typeof createManualClock>) {
  const report = await runOutboxOnce(
    { store: service.store, clock, logger: silentLogger },
    service.outbox.handlers.notifications,
  );
  clock.advance(1_000);
  return report;
}

const list = async (service: Service, query: Record<string, string> = {}) =>
  (await request(service.app).get('/api/notifications').query(query).set(ADMIN_AUTH).expect(200))
    .body as { mode: string; notifications: Listed[]; next?: string };

const manage = (manageUrl: string) => new URL(manageUrl).pathname;

describe('notification emails through the API, in sandbox mode', () => {
  it('when a meeting is booked, moved, reassigned and cancelled, then each agent’s email is captured with its invitation, and listed newest first', async () => {
    const { service, clock, ana } = await openService();
    const booked = await request(service.app)
      .post('/chat/meetings')
      .set('Accept-Language', 'fr-FR,fr;q=0.9,en;q=0.5')
      .send({ start: '2026-11-25T10:00:00+01:00', email: 'ada@buyer.example', name: 'Ada' })
      .expect(201);
    const meeting = booked.body.meeting as { id: string; manageUrl: string };
    // The widget named no language: the browser's is kept for the visitor's reminder.
    expect((await service.store.getMeeting(meeting.id))?.visitor.locale).toBe('fr-FR');
    expect(await deliver(service, clock)).toMatchObject({ claimed: 1, done: 1 });

    await request(service.app)
      .post(`${manage(meeting.manageUrl)}/reschedule`)
      .send({ start: '2026-11-25T11:00:00+01:00' })
      .expect(200);
    await deliver(service, clock);

    // Another visitor takes Ana at 16:00 Berlin; moving Ada's meeting there gives it to Ben.
    await request(service.app)
      .post('/chat/meetings')
      .send({ start: '2026-11-25T15:00:00Z', email: 'bob@buyer.example', agentId: ana })
      .expect(201);
    await deliver(service, clock);
    const moved = await request(service.app)
      .post(`${manage(meeting.manageUrl)}/reschedule`)
      .send({ start: '2026-11-25T15:00:00Z' })
      .expect(200);
    expect(moved.body.meeting.agent.name).toBe('Ben Okafor');
    expect(await deliver(service, clock)).toMatchObject({ claimed: 2, done: 2 });

    await request(service.app)
      .post(`${manage(meeting.manageUrl)}/cancel`)
      .send({})
      .expect(200);
    await deliver(service, clock);

    const page = await list(service, { meetingId: meeting.id });
    expect(page.mode).toBe('capture');
    expect(
      page.notifications.map((n) => [n.kind, n.to, n.invitation?.method, n.invitation?.sequence]),
    ).toEqual([
      ['agent-cancelled', 'ben@example.com', 'CANCEL', 5],
      // The reassign's two messages went in one pass: same time, ordered by id.
      ['agent-cancelled', 'ana@example.com', 'CANCEL', 4],
      ['agent-booked', 'ben@example.com', 'REQUEST', 4],
      ['agent-rescheduled', 'ana@example.com', 'REQUEST', 3],
      ['agent-booked', 'ana@example.com', 'REQUEST', 2],
    ]);
    const [cancelled, reassignedAway, reassignedTo, rescheduled, first] = page.notifications;

    // Ana reads German, in Berlin time; Ben US English, in New York time.
    expect(first!.subject).toMatch(/^Neuer Termin: Ada, Mi\., 25\. Nov\., 10:00$/);
    expect(first!.text).toContain('Ada <ada@buyer.example> hat über den Website-Chat');
    expect(rescheduled!.text).toMatch(/Vorher: Mittwoch, 25\. November 2026, 10:00\s?–\s?10:30/);
    expect(reassignedAway!.text).toContain('Er wurde an Ben Okafor übertragen.');
    expect(reassignedTo!.subject).toMatch(/^New meeting: Ada, Wed, Nov 25, 10:00\sAM$/);
    expect(reassignedTo!.text).toContain('The meeting was reassigned to you from Ana Silva.');
    expect(cancelled!.subject).toMatch(/^Meeting cancelled: Ada, Wed, Nov 25, 10:00\sAM$/);

    // Real MIME, as SMTP would carry it: a text/calendar part with its method, and invite.ics.
    for (const n of page.notifications) {
      // Long header lines are folded (RFC 5322 §2.2.3): unfold before reading them.
      const headers = n.raw.slice(0, n.raw.indexOf('\r\n\r\n')).replace(/\r\n(?=[ \t])/g, '');
      expect(headers).toContain(`\r\nMessage-ID: ${n.messageId}\r\n`);
      expect(headers).toContain(`X-Marketo-Chat-Notification: ${n.kind}\r\n`);
      expect(headers).toContain(
        `\r\nTo: ${n.to === 'ana@example.com' ? 'Ana Silva' : 'Ben Okafor'} <${n.to}>\r\n`,
      );
      expect(n.raw).toContain(
        `Content-Type: text/calendar; charset=utf-8; method=${n.invitation!.method}`,
      );
      expect(n.raw).toContain('filename=invite.ics');
      expect(n.raw).toContain(`UID:${meeting.id}@marketo-chat`);
    }
    expect(first!.messageId).toBe(`<notify.agent-booked.${meeting.id}.2@marketo-chat>`);

    // Filters.
    const anaCancelled = await list(service, { to: 'ANA@example.com', kind: 'agent-cancelled' });
    expect(anaCancelled.notifications.map((n) => n.id)).toEqual([reassignedAway!.id]);
    const all = await list(service, { limit: '2' });
    expect(all.notifications).toHaveLength(2);
    const rest = await list(service, { cursor: all.next! });
    // Five of Ada's meeting, one of Bob's.
    expect(all.notifications.length + rest.notifications.length).toBe(6);

    // Nothing more to deliver: each message went once.
    expect(await deliver(service, clock)).toMatchObject({ claimed: 0 });
  });

  it('when the reminder time comes, then the visitor’s reminder is captured in their language and zone, with their links', async () => {
    const { service, clock } = await openService();
    expect(service.jobs.map((job) => job.name)).toContain('meeting-reminders');
    const booked = await request(service.app)
      .post('/chat/meetings')
      .send({
        start: '2026-11-25T10:00:00+01:00',
        email: 'ada@buyer.example',
        name: 'Ada',
        timeZone: 'America/Toronto',
        locale: 'fr-CA',
      })
      .expect(201);
    const meeting = booked.body.meeting as { id: string; manageUrl: string; icsUrl: string };
    await deliver(service, clock);

    clock.set(Date.parse('2026-11-25T09:00:00+01:00'));
    const reminders = { store: service.store, clock };
    const lead = { leadMs: service.config.notifications.reminderLeadMs };
    expect(await runMeetingReminders(reminders, lead)).toMatchObject({ enqueued: 1 });
    expect(await runMeetingReminders(reminders, lead)).toMatchObject({ enqueued: 0 });
    await deliver(service, clock);

    const { notifications } = await list(service, { kind: 'visitor-reminder' });
    expect(notifications).toHaveLength(1);
    const reminder = notifications[0]!;
    expect(reminder).toMatchObject({ to: 'ada@buyer.example', meetingId: meeting.id });
    expect(reminder.invitation).toBeUndefined();
    // 10:00 in Berlin is 4:00 in Toronto.
    expect(reminder.subject).toMatch(
      /^Rappel : votre rendez-vous avec Ana Silva, mer\. 25 nov\.,? 4 h 00$/,
    );
    expect(reminder.text).toContain(`Le déplacer ou l'annuler : ${meeting.manageUrl}`);
    expect(reminder.text).toContain(`L'ajouter à votre agenda : ${meeting.icsUrl}`);
  });

  it('when the list is asked badly or without the admin token, then it is refused naming the field', async () => {
    const { service } = await openService();
    const bad = await request(service.app)
      .get('/api/notifications')
      .query({ kind: 'spam', limit: '1000', to: 'nobody' })
      .set(ADMIN_AUTH)
      .expect(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(bad.body.error.details.issues.map((i: { field: string }) => i.field).sort()).toEqual([
      'kind',
      'limit',
      'to',
    ]);
    const cursor = await request(service.app)
      .get('/api/notifications')
      .query({ cursor: 'not-ours' })
      .set(ADMIN_AUTH)
      .expect(400);
    expect(cursor.body.error.field).toBe('cursor');
    await request(service.app).get('/api/notifications').expect(401);
  });
});
