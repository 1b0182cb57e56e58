import { z } from 'zod';
import type { Meeting } from '../records/meeting-contract.js';
import { invitationMethodSchema, noticeSchema, type Notice } from '../records/notification.js';
import type { NewOutboxItem } from '../store/types.js';

/**
 * The durable intent to send one email: an outbox item of kind `notification-email`, enqueued in
 * the same store write as the meeting change it reports (as the meeting's Marketo activity is),
 * so a crash never separates the two and a retry of the change never enqueues it twice. Its
 * dedupe key is the notification's stable id: the Message-ID of what is sent, and the id of what
 * is captured. The payload is a snapshot of the meeting as the change left it, so a booking
 * cancelled a minute later still announces the booking as it was; the message is built from it
 * when delivered (compose-notification.ts).
 */
export const NOTIFICATION_KIND = 'notification-email';

const meetingFactsSchema = z.object({
  start: z.number(),
  end: z.number(),
  /** The meeting type's name, when one was booked. */
  title: z.string().optional(),
  agentId: z.string(),
  agentName: z.string(),
  agentEmail: z.string(),
  visitorEmail: z.string(),
  visitorName: z.string().optional(),
  meetingUrl: z.string().optional(),
  /** A reschedule: where the meeting was before. */
  previousStart: z.number().optional(),
  previousEnd: z.number().optional(),
  /** A reassign: the agent who had it (to the new agent), or who has it now (to the old one). */
  reassignedFrom: z.string().optional(),
  reassignedTo: z.string().optional(),
});
export type MeetingFacts = z.infer<typeof meetingFactsSchema>;

export const notificationPayloadSchema = z.object({
  notice: noticeSchema,
  meetingId: z.string(),
  occurredAt: z.number(),
  recipient: z.object({
    role: z.enum(['agent', 'visitor']),
    email: z.string(),
    name: z.string().optional(),
    /** An agent's time zone and locale are read when the message is built (agent record). */
    agentId: z.string().optional(),
    timeZone: z.string().optional(),
    locale: z.string().optional(),
  }),
  meeting: meetingFactsSchema,
  /**
   * The iCalendar invitation to attach: for agents on the local calendar, whose calendar sends
   * no invitation of its own. Same UID for every message of a meeting, SEQUENCE the meeting's
   * revision (its history length), so a calendar app updates or removes its copy (RFC 5546).
   */
  invitation: z
    .object({ method: invitationMethodSchema, sequence: z.number().int().nonnegative() })
    .optional(),
});
export type NotificationPayload = z.infer<typeof notificationPayloadSchema>;

/** `notify:<notice>:<meeting id>#<revision>` (a reminder: `@<start>`): unique per message. */
export const notificationId = (notice: Notice, meetingId: string, key: string) =>
  `notify:${notice}:${meetingId}${key}`;

function factsOf(meeting: Meeting): MeetingFacts {
  return {
    start: meeting.start,
    end: meeting.end,
    ...(meeting.meetingType === undefined ? {} : { title: meeting.meetingType.name }),
    agentId: meeting.agentId,
    agentName: meeting.agentName,
    agentEmail: meeting.agentEmail,
    visitorEmail: meeting.visitor.email,
    ...(meeting.visitor.name === undefined ? {} : { visitorName: meeting.visitor.name }),
    ...(meeting.meetingUrl === undefined ? {} : { meetingUrl: meeting.meetingUrl }),
  };
}

function item(payload: NotificationPayload, key: string): NewOutboxItem {
  return {
    kind: NOTIFICATION_KIND,
    dedupeKey: notificationId(payload.notice, payload.meetingId, key),
    payload: payload satisfies NotificationPayload,
  };
}

/** To the meeting's agent, as the change left the meeting; `meeting` names the agent. */
function agentNotice(
  notice: Extract<Notice, `agent-${string}`>,
  meeting: Meeting,
  now: number,
  extra: Partial<MeetingFacts> = {},
): NewOutboxItem {
  const revision = meeting.history.length;
  return item(
    {
      notice,
      meetingId: meeting.id,
      occurredAt: now,
      recipient: {
        role: 'agent',
        email: meeting.agentEmail,
        name: meeting.agentName,
        agentId: meeting.agentId,
      },
      meeting: { ...factsOf(meeting), ...extra },
      ...(meeting.provider === 'local'
        ? {
            invitation: {
              method: notice === 'agent-cancelled' ? ('CANCEL' as const) : ('REQUEST' as const),
              sequence: revision,
            },
          }
        : {}),
    },
    `#${revision}`,
  );
}

/** The agent's notice of a new booking (pending → booked). */
export const bookedNotice = (meeting: Meeting, now: number): NewOutboxItem =>
  agentNotice('agent-booked', meeting, now);

/** The agent's notice that the meeting moved, with where it was. */
export const rescheduledNotice = (meeting: Meeting, before: Meeting, now: number): NewOutboxItem =>
  agentNotice('agent-rescheduled', meeting, now, {
    previousStart: before.start,
    previousEnd: before.end,
  });

/** The agent's notice that the meeting was cancelled. */
export const cancelledNotice = (meeting: Meeting, now: number): NewOutboxItem =>
  agentNotice('agent-cancelled', meeting, now);

/**
 * A meeting given to another agent on reschedule: the old agent's cancellation (of the meeting
 * as they had it, at the new revision, so their calendar drops it) and the new agent's booking.
 */
export function reassignedNotices(before: Meeting, after: Meeting, now: number): NewOutboxItem[] {
  const asTheyHadIt: Meeting = { ...before, history: after.history };
  return [
    agentNotice('agent-cancelled', asTheyHadIt, now, { reassignedTo: after.agentName }),
    agentNotice('agent-booked', after, now, { reassignedFrom: before.agentName }),
  ];
}

/** The visitor's reminder of the meeting at its current start: one per start. */
export function reminderItem(meeting: Meeting, now: number): NewOutboxItem {
  return item(
    {
      notice: 'visitor-reminder',
      meetingId: meeting.id,
      occurredAt: now,
      recipient: {
        role: 'visitor',
        email: meeting.visitor.email,
        ...(meeting.visitor.name === undefined ? {} : { name: meeting.visitor.name }),
        ...(meeting.visitor.timeZone === undefined ? {} : { timeZone: meeting.visitor.timeZone }),
        ...(meeting.visitor.locale === undefined ? {} : { locale: meeting.visitor.locale }),
      },
      meeting: factsOf(meeting),
    },
    `@${meeting.start}`,
  );
}
