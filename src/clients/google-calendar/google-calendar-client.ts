import type { calendar_v3 } from '@googleapis/calendar';
import {
  CalendarProviderError,
  type CalendarAccess,
  type CalendarClient,
  type CalendarEventResult,
} from '../../calendar/calendar-types.js';
import {
  buildGoogleEventBody,
  googleEventId,
  googleEventTime,
  readGoogleEventResult,
} from './google-event.js';
import { queryGoogleBusy } from './google-free-busy.js';
import type { GoogleApiCaller } from './google-request.js';
import { eventSchema, parseGoogleAnswer } from './google-wire.js';

/**
 * The CalendarClient for Google Calendar (API v3). Requests go through `call`, which adds the
 * agent's access token, retries and maps failures; this file builds them and reads answers.
 * Every write uses sendUpdates=all, so Google emails the visitor the invitation, the move and
 * the cancellation.
 */
export function createGoogleCalendarClient(deps: {
  api: calendar_v3.Calendar;
  call: GoogleApiCaller;
}): CalendarClient {
  const { api, call } = deps;
  const calendarOf = (access: CalendarAccess) => access.calendarId ?? 'primary';
  const auth = (authorization: string) => ({ headers: { authorization } });

  async function getEvent(access: CalendarAccess, eventId: string): Promise<CalendarEventResult> {
    const answer = await call(access, {
      operation: 'events.get',
      send: (authorization) =>
        api.events.get({ calendarId: calendarOf(access), eventId }, auth(authorization)),
    });
    const event = parseGoogleAnswer(eventSchema, answer.data, 'events.get');
    if (event.status === 'cancelled') {
      // The id is the meeting's and that event was cancelled: making it again would revive a
      // cancelled meeting, so booking must use a new meeting id.
      throw new CalendarProviderError('google', 'the event of this meeting was cancelled', {
        status: 409,
        retryable: false,
      });
    }
    return readGoogleEventResult(event);
  }

  return {
    kind: 'google',

    getBusy: (access, range) => queryGoogleBusy(api, call, access, range),

    async createEvent(access, event) {
      const eventId = googleEventId(event.meetingId);
      const answer = await call(access, {
        operation: 'events.insert',
        // 409 duplicate: "the requested identifier already exists". With our id that means an
        // earlier attempt made the event and its answer was lost; that event is the result.
        accept: [409],
        send: (authorization) =>
          api.events.insert(
            {
              calendarId: calendarOf(access),
              sendUpdates: 'all',
              // Without version 1 Google ignores conferenceData.createRequest (no Meet link).
              conferenceDataVersion: event.conference ? 1 : 0,
              requestBody: buildGoogleEventBody(eventId, event),
            },
            auth(authorization),
          ),
      });
      if (answer.status === 409) return getEvent(access, eventId);
      return readGoogleEventResult(parseGoogleAnswer(eventSchema, answer.data, 'events.insert'));
    },

    async updateEvent(access, eventId, event) {
      // Patch, not update: only the times change; guests, Meet link and the agent's own edits
      // to the description stay as they are.
      const answer = await call(access, {
        operation: 'events.patch',
        send: (authorization) =>
          api.events.patch(
            {
              calendarId: calendarOf(access),
              eventId,
              sendUpdates: 'all',
              requestBody: {
                start: googleEventTime(event.start, event.timeZone),
                end: googleEventTime(event.end, event.timeZone),
              },
            },
            auth(authorization),
          ),
      });
      return readGoogleEventResult(parseGoogleAnswer(eventSchema, answer.data, 'events.patch'));
    },

    async cancelEvent(access, eventId) {
      // 404 (never there / other calendar) and 410 (already deleted) both mean "not in the
      // calendar any more", which is what cancelling asks for.
      await call(access, {
        operation: 'events.delete',
        accept: [404, 410],
        send: (authorization) =>
          api.events.delete(
            { calendarId: calendarOf(access), eventId, sendUpdates: 'all' },
            auth(authorization),
          ),
      });
    },

    getEvent,

    cancelEventOfMeeting(access, meetingId) {
      // The event's id is derived from the meeting: it can be removed without knowing whether
      // the create that made it ever answered.
      return this.cancelEvent(access, googleEventId(meetingId));
    },
  };
}
