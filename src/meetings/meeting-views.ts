import { DateTime } from 'luxon';
import type { PublicMeeting } from './booking-contract.js';
import type { ManageLinks } from './manage-links.js';
import type { Meeting } from '../records/meeting-contract.js';

const inZone = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toISO()!;

/**
 * What the visitor sees of their own meeting: the time in their zone, the agent's name, the
 * join link and their links. Never the agent's email, the routing record, the lead, or anyone
 * else's data.
 */
export function toPublicMeeting(meeting: Meeting, links: ManageLinks): PublicMeeting {
  const timeZone = meeting.visitor.timeZone ?? 'UTC';
  return {
    id: meeting.id,
    status: meeting.status,
    start: inZone(meeting.start, timeZone),
    end: inZone(meeting.end, timeZone),
    timeZone,
    agent: { id: meeting.agentId, name: meeting.agentName },
    ...(meeting.meetingType === undefined ? {} : { meetingType: { ...meeting.meetingType } }),
    ...(meeting.meetingUrl === undefined ? {} : { meetingUrl: meeting.meetingUrl }),
    ...links.urls(links.token(meeting.id, meeting.manageTokenHash)),
  };
}

/** The admin view: everything but the hash of the visitor's token; times as ISO (UTC). */
export function toAdminMeeting(meeting: Meeting) {
  const { manageTokenHash: _hash, ...rest } = meeting;
  return {
    ...rest,
    startIso: new Date(meeting.start).toISOString(),
    endIso: new Date(meeting.end).toISOString(),
    durationMinutes: Math.round((meeting.end - meeting.start) / 60_000),
  };
}
