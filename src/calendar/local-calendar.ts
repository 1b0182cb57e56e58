import type { CalendarClient } from './calendar-types.js';
import { createIcs } from './ics.js';

/**
 * The built-in calendar for agents with neither Google nor Outlook: availability comes from
 * working hours and the service's own meetings (so `getBusy` has nothing to add), and the
 * "event" is an iCalendar invitation for the agent and the visitor. Sandbox mode books meetings
 * end to end with it, with no outside account.
 */
export function createLocalCalendar(options: { clock: { now(): number } }): CalendarClient {
  const invitation = (
    event: Parameters<CalendarClient['createEvent']>[1],
    sequence: number,
    cancelled = false,
  ) =>
    createIcs({
      uid: `${event.meetingId}@marketo-chat`,
      sequence,
      start: event.start,
      end: event.end,
      stamp: options.clock.now(),
      summary: event.summary,
      description: event.description,
      organizer: event.organizer,
      attendee: event.attendee,
      cancelled,
    });

  return {
    kind: 'local',
    getBusy: () => Promise.resolve([]),
    createEvent: (_access, event) =>
      Promise.resolve({ eventId: event.meetingId, ics: invitation(event, 0) }),
    updateEvent: (_access, eventId, event) =>
      // The meeting's history length orders updates; a time-based sequence is simpler and
      // always grows, which is all RFC 5546 asks of it.
      Promise.resolve({ eventId, ics: invitation(event, Math.floor(options.clock.now() / 1000)) }),
    cancelEvent: () => Promise.resolve(),
  };
}
