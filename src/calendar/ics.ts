/**
 * An iCalendar (RFC 5545) invitation for one meeting: what the local calendar gives the agent
 * and the visitor instead of a Google or Outlook event. METHOD:REQUEST with a stable UID and a
 * SEQUENCE that grows with each change, so a calendar app updates its copy on a reschedule and
 * removes it on a cancellation (RFC 5546 §3.2).
 */
export interface IcsMeeting {
  uid: string;
  sequence: number;
  start: number;
  end: number;
  /** Epoch ms the invitation was made (DTSTAMP). */
  stamp: number;
  summary: string;
  description: string;
  organizer: { name: string; email: string };
  attendee: { name?: string; email: string };
  cancelled: boolean;
  url?: string;
}

export function createIcs(meeting: IcsMeeting): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//marketo-chat//meetings//EN',
    'CALSCALE:GREGORIAN',
    `METHOD:${meeting.cancelled ? 'CANCEL' : 'REQUEST'}`,
    'BEGIN:VEVENT',
    `UID:${escapeText(meeting.uid)}`,
    `SEQUENCE:${meeting.sequence}`,
    `DTSTAMP:${utc(meeting.stamp)}`,
    `DTSTART:${utc(meeting.start)}`,
    `DTEND:${utc(meeting.end)}`,
    `SUMMARY:${escapeText(meeting.summary)}`,
    `DESCRIPTION:${escapeText(meeting.description)}`,
    `ORGANIZER;CN=${param(meeting.organizer.name)}:mailto:${meeting.organizer.email}`,
    `ATTENDEE;CN=${param(meeting.attendee.name ?? meeting.attendee.email)};ROLE=REQ-PARTICIPANT;` +
      `PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${meeting.attendee.email}`,
    `STATUS:${meeting.cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    ...(meeting.url === undefined ? [] : [`URL:${meeting.url}`]),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(fold).join('\r\n') + '\r\n';
}

/** 20261130T100000Z */
function utc(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 §3.3.11). */
function escapeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r?\n/g, '\\n');
}

/** A parameter value: quoted, with the characters a quoted value cannot hold removed. */
function param(text: string): string {
  return `"${text.replace(/["\r\n]/g, '')}"`;
}

/** Lines longer than 75 octets are folded with CRLF and a space (RFC 5545 §3.1). */
function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  for (const char of line) {
    const limit = parts.length === 0 ? 75 : 74;
    if (Buffer.byteLength(current + char, 'utf8') > limit) {
      parts.push(current);
      current = char;
    } else current += char;
  }
  parts.push(current);
  return parts.join('\r\n ');
}
