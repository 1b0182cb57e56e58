import { createHash } from 'node:crypto';
import type { CalendarEventInput, CalendarEventResult } from '../../calendar/calendar-types.js';
import type { GoogleEvent } from './google-wire.js';

/**
 * The client-chosen event id for a meeting: the same meeting always gets the same id, so a
 * resent insert answers 409 instead of making a second event. Google's rules for `id`
 * (Events resource): base32hex characters only (lowercase a-v, 0-9), 5 to 1024 long, unique
 * per calendar. SHA-256 in lowercase hex meets them for any meeting id (0-9a-f ⊂ base32hex,
 * always 64 long); the meeting id itself travels in extendedProperties.private.
 */
export function googleEventId(meetingId: string): string {
  return createHash('sha256').update(`meeting:${meetingId}`).digest('hex');
}

/** Google wants RFC 3339; the zone decides how the event shows in the agent's calendar. */
export function googleEventTime(
  ms: number,
  timeZone: string,
): { dateTime: string; timeZone: string } {
  return { dateTime: new Date(ms).toISOString(), timeZone };
}

/**
 * The events.insert body. The organizer is not sent: Google makes the owner of the calendar
 * the organizer (`organizer` is writable only through events.import). The visitor is the one
 * attendee, `needsAction` until they answer the invitation Google emails (sendUpdates=all).
 */
export function buildGoogleEventBody(id: string, event: CalendarEventInput) {
  return {
    id,
    summary: event.summary,
    description: event.description,
    start: googleEventTime(event.start, event.timeZone),
    end: googleEventTime(event.end, event.timeZone),
    attendees: [
      {
        email: event.attendee.email,
        ...(event.attendee.name === undefined ? {} : { displayName: event.attendee.name }),
        responseStatus: 'needsAction',
      },
    ],
    // The slot is the booking: it must show as busy to other schedulers.
    transparency: 'opaque',
    reminders: { useDefault: true },
    extendedProperties: { private: { meetingId: event.meetingId } },
    ...(event.conference
      ? {
          // Needs conferenceDataVersion=1 on the request. The requestId makes a resent create
          // request a no-op ("if the ID is the same as for the previous request, the request
          // is ignored"), and is stable for the meeting.
          conferenceData: {
            createRequest: {
              requestId: event.meetingId,
              conferenceSolutionKey: { type: 'hangoutsMeet' },
            },
          },
        }
      : {}),
  };
}

/**
 * What booking keeps of an event. The Meet link is the `video` entry point (or the older
 * `hangoutLink`). Google makes the conference asynchronously ("Create events", Conferencing:
 * the request's status is `pending` until the entry points are populated, `failure` when none
 * will be): a pending one is said, so the link is read again later (meeting-link.ts) while
 * the booking goes on without waiting for it.
 */
export function readGoogleEventResult(event: GoogleEvent): CalendarEventResult {
  const video = event.conferenceData?.entryPoints?.find(
    (entry) => entry.entryPointType === 'video',
  );
  const meetingUrl = video?.uri ?? event.hangoutLink;
  if (meetingUrl !== undefined) return { eventId: event.id, meetingUrl };
  const pending = event.conferenceData?.createRequest?.status?.statusCode === 'pending';
  return { eventId: event.id, ...(pending ? { meetingUrlPending: true } : {}) };
}
