import { createIcs } from '../calendar/ics.js';
import type { InvitationMethod } from '../records/notification.js';
import type { NotificationPayload } from './notification-items.js';
import { resolveLocale, type NotificationStrings } from './notification-strings.js';

/** Where and how the recipient reads times, and the visitor's own links (reminders). */
export interface ComposeContext {
  /** An IANA zone: the agent's (agent record) or the visitor's (booking); UTC when unknown. */
  timeZone: string | undefined;
  /** BCP 47; English when unknown or not a language we write. */
  locale: string | undefined;
  /** The visitor's links to their meeting (manage-links.ts), for the reminder. */
  links?: { manageUrl: string; icsUrl: string };
}

export interface ComposedNotification {
  to: { address: string; name?: string };
  subject: string;
  text: string;
  /** The iCalendar invitation to attach (text/calendar with its method, and invite.ics). */
  invitation?: { method: InvitationMethod; sequence: number; content: string };
}

/**
 * Pure: the message a notification's payload makes for its recipient, in their language, with
 * every time in their zone and their locale's formats (Intl). Agents read the visitor's name and
 * address; visitors read the agent's name and their links.
 */
export function composeNotification(
  payload: NotificationPayload,
  context: ComposeContext,
): ComposedNotification {
  const { strings: t, locale } = resolveLocale(context.locale);
  const timeZone = usableZone(context.timeZone);
  const m = payload.meeting;
  const visitor = m.visitorName ?? m.visitorEmail;
  const short = formatStart(m.start, locale, timeZone);
  const when = `${formatRange(m.start, m.end, locale, timeZone)} (${timeZone})`;
  const lines: string[] = [];
  const detail = (label: string, value: string | undefined) => {
    if (value !== undefined) lines.push(`${label}${t.colon}${value}`);
  };
  let subject: string;
  switch (payload.notice) {
    case 'agent-booked':
      subject = t.subjectBooked(visitor, short);
      lines.push(t.booked(`${visitor} <${m.visitorEmail}>`));
      if (m.reassignedFrom !== undefined) lines.push(t.reassignedFrom(m.reassignedFrom));
      break;
    case 'agent-rescheduled':
      subject = t.subjectRescheduled(visitor, short);
      lines.push(t.rescheduled(`${visitor} <${m.visitorEmail}>`));
      break;
    case 'agent-cancelled':
      subject = t.subjectCancelled(visitor, short);
      lines.push(t.cancelled(`${visitor} <${m.visitorEmail}>`));
      if (m.reassignedTo !== undefined) lines.push(t.reassignedTo(m.reassignedTo));
      break;
    case 'visitor-reminder':
      subject = t.subjectReminder(m.agentName, short);
      lines.push(t.hello(payload.recipient.name), '', t.reminder(m.agentName));
      break;
  }
  lines.push('');
  detail(t.when, when);
  if (m.previousStart !== undefined && m.previousEnd !== undefined) {
    detail(t.previously, formatRange(m.previousStart, m.previousEnd, locale, timeZone));
  }
  detail(t.meeting, m.title);
  if (payload.notice !== 'agent-cancelled') detail(t.videoLink, m.meetingUrl);
  const invitation = payload.invitation && {
    ...payload.invitation,
    content: invitationOf(payload, payload.invitation),
  };
  const closing = closingLines(t, payload, invitation?.method, context.links);
  if (closing.length > 0) lines.push('', ...closing);
  return {
    to: {
      address: payload.recipient.email,
      ...(payload.recipient.name === undefined ? {} : { name: payload.recipient.name }),
    },
    subject,
    text: `${lines.join('\n')}\n`,
    ...(invitation === undefined ? {} : { invitation }),
  };
}

function closingLines(
  t: NotificationStrings,
  payload: NotificationPayload,
  method: InvitationMethod | undefined,
  links: ComposeContext['links'],
): string[] {
  if (method === 'REQUEST') return [t.invitationAttached];
  if (method === 'CANCEL') return [t.cancellationAttached];
  if (payload.recipient.role === 'visitor' && links !== undefined) {
    return [t.manage(links.manageUrl), t.addToCalendar(links.icsUrl)];
  }
  return [];
}

/** The invitation as the visitor's invite.ics shows the meeting (meeting-writes.ts). */
function invitationOf(
  payload: NotificationPayload,
  invitation: { method: InvitationMethod; sequence: number },
): string {
  const m = payload.meeting;
  const visitor = m.visitorName ?? m.visitorEmail;
  return createIcs({
    uid: `${payload.meetingId}@marketo-chat`,
    sequence: invitation.sequence,
    start: m.start,
    end: m.end,
    stamp: payload.occurredAt,
    summary: `${m.title ?? 'Meeting'}: ${visitor} and ${m.agentName}`,
    description: `Booked from the website chat by ${visitor} <${m.visitorEmail}>.`,
    organizer: { name: m.agentName, email: m.agentEmail },
    attendee: {
      email: m.visitorEmail,
      ...(m.visitorName === undefined ? {} : { name: m.visitorName }),
    },
    cancelled: invitation.method === 'CANCEL',
    ...(m.meetingUrl === undefined ? {} : { url: m.meetingUrl }),
  });
}

/** A zone Intl knows, else UTC (a record written before zones were checked). */
function usableZone(zone: string | undefined): string {
  if (zone === undefined) return 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}

/** For subjects: "Wed, Nov 25, 9:00 AM", "Mi., 25. Nov., 09:00". */
function formatStart(ms: number, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
  }).format(ms);
}

/** For bodies: "Wednesday, November 25, 2026, 9:00 – 9:30 AM GMT+1". */
function formatRange(start: number, end: number, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).formatRange(start, end);
}
