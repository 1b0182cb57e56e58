import nock from 'nock';
import type { CalendarAccess, CalendarEventInput } from '../../src/calendar/calendar-types.js';
import { createManualClock } from '../../src/deps.js';
import {
  createGoogleCalendar,
  type GoogleCalendarOptions,
} from '../../src/clients/google-calendar/index.js';

/** Google stand-ins for tests: nothing here reaches the real Google hosts. */
export const OAUTH = 'https://oauth2.test';
export const API = 'https://calendar.test';
export const FREEBUSY_PATH = '/calendar/v3/freeBusy';
export const EVENTS_PATH = '/calendar/v3/calendars/primary/events';

/** Look like Google's own (1//... and ya29....) so a leak would be easy to spot. */
export const REFRESH_TOKEN = '1//refresh-secret-abc';
export const ACCESS_TOKEN = 'ya29.access-secret-xyz';

/** The provider against the stand-in hosts, with a manual clock and a sleep that records. */
export function createTestGoogleCalendar(overrides: Partial<GoogleCalendarOptions> = {}) {
  const clock = createManualClock();
  const sleeps: number[] = [];
  const google = createGoogleCalendar({
    clientId: 'client-1.apps.googleusercontent.com',
    clientSecret: 'client-secret-1',
    urls: {
      authorize: `${OAUTH}/auth`,
      token: `${OAUTH}/token`,
      revoke: `${OAUTH}/revoke`,
      api: API,
    },
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
  return { ...google, clock, sleeps };
}

/** Form bodies as nock hands them to a reply function: a string, parsed here. */
export function formBody(body: unknown): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : ''));
}

/**
 * The token endpoint answering `refresh_token` grants (3599 s tokens); records each form
 * body it answered.
 */
export function mockRefresh(
  options: { times?: number; accessToken?: string; anyRefreshToken?: boolean } = {},
): { bodies: Array<Record<string, string>> } {
  const bodies: Array<Record<string, string>> = [];
  nock(OAUTH)
    .post('/token', (body: Record<string, string>) => {
      if (body['grant_type'] !== 'refresh_token') return false;
      return options.anyRefreshToken === true || body['refresh_token'] === REFRESH_TOKEN;
    })
    .times(options.times ?? 1)
    .reply((_uri, body) => {
      bodies.push(formBody(body));
      return [
        200,
        {
          access_token: options.accessToken ?? ACCESS_TOKEN,
          expires_in: 3599,
          token_type: 'Bearer',
          scope:
            'https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.freebusy',
        },
      ];
    });
  return { bodies };
}

/** One agent's grant on their primary calendar. */
export const access: CalendarAccess = { agentId: 'agent-1', refreshToken: REFRESH_TOKEN };
export const HOUR = 3_600_000;
/** 1 December 2026, 09:00 UTC. */
export const meetingStart = Date.UTC(2026, 11, 1, 9, 0, 0);
const start = meetingStart;

/** A 30-minute meeting with a Meet link asked for. */
export const meeting: CalendarEventInput = {
  meetingId: 'mtg-0001',
  start,
  end: start + HOUR / 2,
  timeZone: 'Europe/Berlin',
  summary: 'Intro call',
  description: 'Booked from the chat',
  organizer: { name: 'Ada Agent', email: 'ada@example.com' },
  attendee: { name: 'Vic Visitor', email: 'vic@example.org' },
  conference: true,
};

/** An events.insert/get/patch answer with a Meet link. */
export const eventAnswer = (id: string) => ({
  kind: 'calendar#event',
  id,
  status: 'confirmed',
  hangoutLink: 'https://meet.google.com/abc-defg-hij',
  conferenceData: {
    entryPoints: [
      { entryPointType: 'video', uri: 'https://meet.google.com/abc-defg-hij' },
      { entryPointType: 'phone', uri: 'tel:+1-555-0100' },
    ],
    createRequest: { requestId: 'mtg-0001', status: { statusCode: 'success' } },
  },
});

export const freeBusyAnswer = (busy: Array<{ start: string; end: string }>) => ({
  kind: 'calendar#freeBusy',
  calendars: { primary: { busy } },
});

/** The Calendar API's 401 body. */
export const authError = {
  error: {
    code: 401,
    message: 'Invalid Credentials',
    errors: [{ domain: 'global', reason: 'authError', message: 'Invalid Credentials' }],
  },
};

/** A Calendar API error body with one reason (403/429 usageLimits and others). */
export function rateLimited(reason: string, code: number) {
  return { error: { code, message: reason, errors: [{ domain: 'usageLimits', reason }] } };
}

/** An Error instance: nock 14 does not pass a plain object on to node-fetch (the call hangs). */
export function connectionReset() {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}
