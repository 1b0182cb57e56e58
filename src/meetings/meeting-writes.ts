import type { CalendarEventInput } from '../calendar/calendar-types.js';
import { createIcs } from '../calendar/ics.js';
import type { Agent, Meeting } from '../records/meeting-contract.js';
import type { MeetingActivityPayload } from './meeting-events-outbox.js';

/** The calendar event for a meeting, as every provider takes it. */
export function eventInput(agent: Agent, meeting: Meeting): CalendarEventInput {
  const visitor = meeting.visitor.name ?? meeting.visitor.email;
  return {
    meetingId: meeting.id,
    start: meeting.start,
    end: meeting.end,
    timeZone: agent.timeZone,
    // The meeting type's name when one was booked ("15-minute intro: Ada and Ana").
    summary: `${meeting.meetingType?.name ?? 'Meeting'}: ${visitor} and ${agent.name}`,
    description:
      `Booked from the website chat by ${visitor} <${meeting.visitor.email}>.` +
      (meeting.routing.ruleName === undefined ? '' : ` Routing rule: ${meeting.routing.ruleName}.`),
    organizer: { name: agent.name, email: agent.email },
    attendee: {
      email: meeting.visitor.email,
      ...(meeting.visitor.name === undefined ? {} : { name: meeting.visitor.name }),
    },
    conference: agent.conferencing,
  };
}

/** The Marketo activity of a meeting's `seq`-th event (1: booked; then each status change). */
export function activityPayload(
  meeting: Meeting,
  seq: number,
  occurredAt: number,
): MeetingActivityPayload {
  const status = meeting.status === 'pending' ? 'booked' : meeting.status;
  return {
    meetingId: meeting.id,
    seq,
    ...(meeting.leadId === undefined ? {} : { leadId: meeting.leadId }),
    email: meeting.visitor.email,
    status,
    occurredAt,
    agentId: meeting.agentId,
    agentName: meeting.agentName,
    agentEmail: meeting.agentEmail,
    start: meeting.start,
    durationMinutes: Math.round((meeting.end - meeting.start) / 60_000),
    provider: meeting.provider,
    ...(meeting.meetingUrl === undefined ? {} : { meetingUrl: meeting.meetingUrl }),
    routingRule: meeting.routing.ruleName ?? meeting.routing.rule,
    ...(meeting.dialogueId === undefined ? {} : { dialogueId: meeting.dialogueId }),
  };
}

/** The meeting's iCalendar invitation as it stands (a cancellation once cancelled). */
export function meetingInvitation(agent: Agent, meeting: Meeting): string {
  const input = eventInput(agent, meeting);
  return createIcs({
    uid: `${meeting.id}@marketo-chat`,
    // Each change of the meeting is a new revision for calendar apps (RFC 5546).
    sequence: meeting.history.length,
    start: meeting.start,
    end: meeting.end,
    stamp: meeting.updatedAt,
    summary: input.summary,
    description: input.description,
    organizer: input.organizer,
    attendee: input.attendee,
    cancelled: meeting.status === 'cancelled',
    ...(meeting.meetingUrl === undefined ? {} : { url: meeting.meetingUrl }),
  });
}
