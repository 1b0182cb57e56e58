import type { z } from 'zod';
import {
  CalendarProviderError,
  type CalendarAccess,
  type CalendarClient,
  type CalendarEventInput,
  type CalendarEventResult,
  type Interval,
} from '../../calendar/calendar-types.js';
import type { AccessTokens } from './access-tokens.js';
import { parseGraphDateTime, toGraphUtc } from './graph-time.js';
import type { GraphCall, GraphTransport, TokenSupplier } from './graph-transport.js';
import { eventsOfMeetingFilter, eventsPath, meetingMarker } from './meeting-event-marker.js';
import { calendarViewPageSchema, eventIdPageSchema, eventSchema } from './wire-schemas.js';

/**
 * showAs values that leave the agent bookable (resources/event: free, tentative, busy, oof,
 * workingElsewhere, unknown). Anything else, `unknown` and values Graph may add later, blocks:
 * a missed booking costs less than a double booking.
 */
const NON_BLOCKING = new Set(['free', 'workingelsewhere']);

const PAGE_SIZE = 100;
/** 100 events a page: 50 pages is 5,000 events in one range, far past any real calendar. */
const MAX_PAGES = 50;

/**
 * The agent's Outlook calendar through Graph, for the provider-neutral CalendarClient.
 *
 * Busy times come from List calendarView, not getSchedule: calendarView reads any of the agent's
 * calendars (`calendarId`) where getSchedule only knows the default one, it needs no email
 * address (CalendarAccess has none), and getSchedule is "Not supported" for personal Microsoft
 * accounts, which the `common` tenant lets in (learn.microsoft.com/graph/api/calendar-getschedule,
 * "Permissions"). calendarView expands recurring series into occurrences and pages with
 * @odata.nextLink (learn.microsoft.com/graph/api/calendar-list-calendarview).
 */
export class GraphCalendarClient implements CalendarClient {
  readonly kind = 'microsoft' as const;

  constructor(
    private readonly graph: GraphTransport,
    private readonly tokens: AccessTokens,
  ) {}

  async getBusy(access: CalendarAccess, range: Interval): Promise<Interval[]> {
    const busy: Interval[] = [];
    const call: GraphCall = {
      label: 'read busy times',
      method: 'GET',
      path: `${calendarRoot(access)}/calendarView`,
      query: {
        startDateTime: new Date(range.start).toISOString(),
        endDateTime: new Date(range.end).toISOString(),
        $select: 'showAs,start,end,isCancelled',
        $top: String(PAGE_SIZE),
      },
    };
    for await (const body of this.pages(access, call, calendarViewPageSchema)) {
      for (const event of body.value) {
        if (event.isCancelled === true) continue;
        if (NON_BLOCKING.has((event.showAs ?? 'unknown').toLowerCase())) continue;
        const start = parseGraphDateTime(event.start);
        const end = parseGraphDateTime(event.end);
        if (start === undefined || end === undefined) {
          throw drift(call.label, 'an event time it could not read');
        }
        const clipped = { start: Math.max(start, range.start), end: Math.min(end, range.end) };
        if (clipped.start < clipped.end) busy.push(clipped);
      }
    }
    return busy.sort((a, b) => a.start - b.start || a.end - b.end);
  }

  /**
   * POST /me/events (or /me/calendars/{id}/events) with `transactionId` = our meeting id.
   * Graph's event resource: transactionId is "a custom identifier specified by a client app for
   * the server to avoid redundant POST operations in case of client retries to create the same
   * event ... when low network connectivity causes the client to time out before receiving a
   * response". So the retries GraphTransport makes after a reset or a 5xx cannot double the
   * event. Teams: isOnlineMeeting + onlineMeetingProvider `teamsForBusiness`, and the link is
   * read from onlineMeeting.joinUrl (learn.microsoft.com/graph/api/user-post-events, example 4).
   * The meeting marker (meeting-event-marker.ts) lets cancelEventOfMeeting find the event later.
   */
  async createEvent(
    access: CalendarAccess,
    event: CalendarEventInput,
  ): Promise<CalendarEventResult> {
    const call: GraphCall = {
      label: 'create event',
      method: 'POST',
      path: eventsPath(access),
      body: {
        transactionId: event.meetingId,
        singleValueExtendedProperties: meetingMarker(event.meetingId),
        subject: event.summary,
        body: { contentType: 'text', content: event.description },
        start: toGraphUtc(event.start),
        end: toGraphUtc(event.end),
        attendees: [
          {
            type: 'required',
            emailAddress: {
              address: event.attendee.email,
              name: event.attendee.name ?? event.attendee.email,
            },
          },
        ],
        // A time the attendee proposes would never reach our booking record.
        allowNewTimeProposals: false,
        ...(event.conference
          ? { isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness' }
          : {}),
      },
    };
    return toResult(parse(eventSchema, await this.send(access, call), call.label));
  }

  /** PATCH start and end: Outlook sends the attendee an updated invitation. */
  async updateEvent(
    access: CalendarAccess,
    eventId: string,
    event: CalendarEventInput,
  ): Promise<CalendarEventResult> {
    const call: GraphCall = {
      label: 'move event',
      method: 'PATCH',
      path: `/me/events/${encodeURIComponent(eventId)}`,
      body: { start: toGraphUtc(event.start), end: toGraphUtc(event.end) },
    };
    return toResult(parse(eventSchema, await this.send(access, call), call.label));
  }

  /**
   * POST /me/events/{id}/cancel: the organizer cancels and Outlook sends the cancellation to the
   * attendee (learn.microsoft.com/graph/api/event-cancel; DELETE would not let us word it).
   * An event already gone (404/410) counts as cancelled.
   */
  async cancelEvent(access: CalendarAccess, eventId: string): Promise<void> {
    await this.send(access, {
      label: 'cancel event',
      method: 'POST',
      path: `/me/events/${encodeURIComponent(eventId)}/cancel`,
      body: { comment: 'This meeting was cancelled.' },
      doneStatuses: [404, 410],
    });
  }

  /**
   * Cancels every event whose marker holds `meetingId`: what a create whose answer was lost made.
   * All pages are read before the first cancel, since cancelling removes the event from the
   * organizer's calendar and would shift a $skip-based nextLink past events not yet seen. No
   * event found means nothing was made, which succeeds.
   */
  async cancelEventOfMeeting(access: CalendarAccess, meetingId: string): Promise<void> {
    const call: GraphCall = {
      label: 'find events of a meeting',
      method: 'GET',
      path: eventsPath(access),
      query: { $filter: eventsOfMeetingFilter(meetingId), $select: 'id', $top: String(PAGE_SIZE) },
    };
    const found: string[] = [];
    for await (const body of this.pages(access, call, eventIdPageSchema)) {
      found.push(...body.value.map((event) => event.id));
    }
    for (const eventId of new Set(found)) await this.cancelEvent(access, eventId);
  }

  /** Each page of a list, following @odata.nextLink up to MAX_PAGES. */
  private async *pages<S extends z.ZodType<{ '@odata.nextLink'?: string | undefined }>>(
    access: CalendarAccess,
    first: GraphCall,
    schema: S,
  ): AsyncGenerator<z.output<S>> {
    let call = first;
    for (let page = 1; ; page += 1) {
      const body = parse(schema, await this.send(access, call), call.label);
      yield body;
      const next = body['@odata.nextLink'];
      if (next === undefined) return;
      if (page >= MAX_PAGES) throw drift(call.label, `more than ${MAX_PAGES} pages`);
      // The nextLink already holds every parameter; GraphTransport checks it stays on Graph.
      call = { label: call.label, method: 'GET', path: next };
    }
  }

  private send(access: CalendarAccess, call: GraphCall): Promise<unknown> {
    const supplier: TokenSupplier = {
      agentId: access.agentId,
      current: () => this.tokens.get(access),
      renew: (rejected) => this.tokens.renew(access, rejected),
    };
    return this.graph.send(supplier, call);
  }
}

function calendarRoot(access: CalendarAccess): string {
  return access.calendarId === undefined
    ? '/me/calendar'
    : `/me/calendars/${encodeURIComponent(access.calendarId)}`;
}

function toResult(event: z.infer<typeof eventSchema>): CalendarEventResult {
  const joinUrl = event.onlineMeeting?.joinUrl ?? undefined;
  return joinUrl === undefined ? { eventId: event.id } : { eventId: event.id, meetingUrl: joinUrl };
}

function parse<S extends z.ZodType>(schema: S, body: unknown, label: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw drift(label, 'an unexpected shape');
  return parsed.data;
}

function drift(label: string, what: string): CalendarProviderError {
  return new CalendarProviderError('microsoft', `${label}: Graph answered ${what}`, {
    retryable: false,
  });
}
