import { AppError } from '../errors.js';

/**
 * The provider-neutral calendar contract (cal.com's `Calendar` interface, narrowed to what
 * booking needs). Each provider module (src/clients/google-calendar/, src/clients/microsoft-graph/,
 * src/calendar/local-calendar.ts) implements it and keeps its vendor types inside.
 */

/** Half-open interval [start, end) in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

export type CalendarProviderKind = 'google' | 'microsoft' | 'local';

/**
 * What a provider call needs to act for one agent: the decrypted refresh token (never logged,
 * never stored in clear) and the calendar to use. `onRefreshTokenRotated` is called when the
 * provider returns a new refresh token (Microsoft rotates them on every use); the caller
 * encrypts and stores it before the next call.
 */
export interface CalendarAccess {
  agentId: string;
  refreshToken: string;
  /** `primary` (Google) or the default calendar (Graph) when absent. */
  calendarId?: string;
  onRefreshTokenRotated?: (refreshToken: string) => Promise<void>;
}

export interface CalendarEventInput {
  /**
   * Our meeting id. Providers derive an idempotent identity from it (Google: the client-chosen
   * event `id`; Graph: `transactionId`), so a retried create never makes a second event.
   */
  meetingId: string;
  start: number;
  end: number;
  /** The agent's IANA time zone, for how the event shows in the agent's calendar. */
  timeZone: string;
  summary: string;
  description: string;
  organizer: { name: string; email: string };
  attendee: { name?: string; email: string };
  /** Ask for a Google Meet or Teams link. */
  conference: boolean;
}

export interface CalendarEventResult {
  /** The provider's event id, kept on the meeting for updates and cancellation. */
  eventId: string;
  /** Meet/Teams join URL when one was created. */
  meetingUrl?: string;
  /**
   * A link was asked for and the provider is still making it (Google creates Meet links
   * asynchronously: conferenceData.createRequest.status.statusCode `pending`): read the event
   * again later with getEvent.
   */
  meetingUrlPending?: true;
  /** An iCalendar (RFC 5545) invitation, for the local calendar. */
  ics?: string;
}

export interface CalendarClient {
  readonly kind: CalendarProviderKind;
  /** Busy intervals of the agent's calendar in [from, to): free, cancelled and workingElsewhere do not block. */
  getBusy(access: CalendarAccess, range: Interval): Promise<Interval[]>;
  /** Idempotent on `event.meetingId`: a second call returns the event the first made. */
  createEvent(access: CalendarAccess, event: CalendarEventInput): Promise<CalendarEventResult>;
  /** Moves the event (reschedule). */
  updateEvent(
    access: CalendarAccess,
    eventId: string,
    event: CalendarEventInput,
  ): Promise<CalendarEventResult>;
  /** Idempotent: an event already gone (404/410) counts as cancelled. */
  cancelEvent(access: CalendarAccess, eventId: string): Promise<void>;
  /** The event as it is now (a link that was pending may be there). Absent: not supported. */
  getEvent?(access: CalendarAccess, eventId: string): Promise<CalendarEventResult>;
  /**
   * Removes the event a create for `meetingId` may have made although its answer was lost:
   * Google by the event id derived from the meeting, Graph by the extended property every
   * event carries with its meeting id. Absent for a provider that cannot find it.
   */
  cancelEventOfMeeting?(access: CalendarAccess, meetingId: string): Promise<void>;
}

/** The OAuth 2.0 authorization-code flow of a provider (with PKCE and offline access). */
export interface CalendarOAuth {
  readonly kind: 'google' | 'microsoft';
  authorizationUrl(args: {
    state: string;
    codeChallenge: string;
    redirectUri: string;
    loginHint?: string;
  }): string;
  /** Exchanges the callback's code; the refresh token is what we keep (encrypted). */
  exchangeCode(args: {
    code: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<{ refreshToken: string; accountEmail?: string; scope?: string }>;
  /** Best effort: revoke the grant when an agent disconnects. */
  revoke?(refreshToken: string): Promise<void>;
}

/**
 * The grant is gone (`invalid_grant`: revoked, expired, password change, a Google app left in
 * "Testing" for 7 days, Entra AADSTS700082). Retrying cannot help: the agent's calendar is
 * marked disconnected and the agent leaves routing until they reconnect.
 */
export class CalendarGrantError extends AppError {
  constructor(provider: CalendarProviderKind, message: string, cause?: unknown) {
    super('CALENDAR_GRANT_REVOKED', `${provider}: ${message}`, {
      httpStatus: 503,
      retryable: false,
      cause,
      details: { provider },
    });
  }
}

/**
 * The provider failed after the client's own retries (429/5xx/network), or answered in a shape
 * we do not understand. Booking fails clearly with 503; nothing is half-made.
 */
export class CalendarProviderError extends AppError {
  constructor(
    provider: CalendarProviderKind,
    message: string,
    options: { status?: number; retryable?: boolean; cause?: unknown } = {},
  ) {
    super('CALENDAR_PROVIDER_UNAVAILABLE', `${provider}: ${message}`, {
      httpStatus: 503,
      retryable: options.retryable ?? true,
      cause: options.cause,
      details: { provider, ...(options.status === undefined ? {} : { status: options.status }) },
    });
  }
}
