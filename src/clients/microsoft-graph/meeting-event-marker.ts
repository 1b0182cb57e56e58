import type { CalendarAccess } from '../../calendar/calendar-types.js';

/**
 * Every event we create carries our meeting id in a named MAPI property of our own, so the event
 * a create made can be found again when its answer was lost (Graph's "Outlook extended
 * properties overview", learn.microsoft.com/graph/api/resources/extended-properties-overview).
 * `transactionId` cannot serve: Graph documents it only as a create-dedup key, not as a filter.
 *
 * The property set is a GUID generated once for this application (marketo-chat); it must never
 * change, or events made before the change could no longer be found. The id uses the documented
 * format `{type} {guid} Name {name}`; the Name part is matched case-sensitively.
 */
export const MEETING_PROPERTY_SET = '{0079E82E-85C9-40CA-890B-354D4A0227CC}';
export const MEETING_ID_PROPERTY = `String ${MEETING_PROPERTY_SET} Name MeetingId`;

/** For the body of POST /me/events: a singleValueLegacyExtendedProperty holding the meeting id. */
export function meetingMarker(meetingId: string): { id: string; value: string }[] {
  return [{ id: MEETING_ID_PROPERTY, value: meetingId }];
}

/**
 * `$filter` for the events carrying the marker of `meetingId`, as documented for event instances
 * in "Get singleValueLegacyExtendedProperty" (learn.microsoft.com/graph/api/
 * singlevaluelegacyextendedproperty-get, "GET resource instances with string-typed extended
 * properties matching a filter"). The doc asks for colon, slash and space to be URL-encoded:
 * GraphTransport encodes every query value with encodeURIComponent. Matching on `value` is
 * case-insensitive there, which is safe for our meeting ids (randomUUID, one case).
 */
export function eventsOfMeetingFilter(meetingId: string): string {
  return (
    `singleValueExtendedProperties/Any(ep: ep/id eq '${MEETING_ID_PROPERTY}'` +
    ` and ep/value eq '${odataString(meetingId)}')`
  );
}

/**
 * The agent's event collection: the default calendar's, or the chosen calendar's. The filter doc
 * lists /me/events; /me/calendars/{id}/events takes the same OData query options (calendar-list-events).
 */
export function eventsPath(access: CalendarAccess): string {
  return access.calendarId === undefined
    ? '/me/events'
    : `/me/calendars/${encodeURIComponent(access.calendarId)}/events`;
}

/** An OData string literal's content: a single quote is written twice (OData ABNF, SQUOTE-in-string). */
function odataString(value: string): string {
  return value.replace(/'/g, "''");
}
