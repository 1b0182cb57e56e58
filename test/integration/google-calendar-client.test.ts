import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CalendarGrantError, CalendarProviderError } from '../../src/calendar/calendar-types.js';
import { googleEventId } from '../../src/clients/google-calendar/index.js';
import {
  ACCESS_TOKEN,
  API,
  EVENTS_PATH,
  FREEBUSY_PATH,
  HOUR,
  OAUTH,
  REFRESH_TOKEN,
  access,
  authError,
  connectionReset,
  createTestGoogleCalendar,
  eventAnswer,
  freeBusyAnswer,
  meeting,
  meetingStart,
  mockRefresh,
} from '../helpers/google-calendar-harness.js';

const start = meetingStart;

beforeEach(() => nock.cleanAll());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('Google Calendar client: tokens', () => {
  it('when the first call for an agent is made, then the refresh token buys an access token the call carries', async () => {
    const { client } = createTestGoogleCalendar();
    const refresh = mockRefresh();
    nock(API, { reqheaders: { authorization: `Bearer ${ACCESS_TOKEN}` } })
      .post(FREEBUSY_PATH)
      .reply(200, freeBusyAnswer([]));

    await client.getBusy(access, { start, end: start + HOUR });

    expect(refresh.bodies).toEqual([
      {
        grant_type: 'refresh_token',
        refresh_token: REFRESH_TOKEN,
        client_id: 'client-1.apps.googleusercontent.com',
        client_secret: 'client-secret-1',
      },
    ]);
  });

  it('when several calls for one agent start together, then they share a single refresh', async () => {
    const { client } = createTestGoogleCalendar();
    const refresh = mockRefresh();
    nock(API).post(FREEBUSY_PATH).times(5).reply(200, freeBusyAnswer([]));

    await Promise.all(
      Array.from({ length: 5 }, () => client.getBusy(access, { start, end: start + HOUR })),
    );

    expect(refresh.bodies).toHaveLength(1);
  });

  it('when the access token is still valid, then it is reused; when it nears expiry, then it is refreshed', async () => {
    const { client, clock } = createTestGoogleCalendar();
    const refresh = mockRefresh({ times: 2 });
    nock(API).post(FREEBUSY_PATH).times(3).reply(200, freeBusyAnswer([]));
    const range = { start, end: start + HOUR };

    await client.getBusy(access, range);
    clock.advance(50 * 60_000);
    await client.getBusy(access, range);
    expect(refresh.bodies).toHaveLength(1);

    clock.advance(9 * 60_000 + 30_000); // 59.5 min: inside the renewal margin of 3599 s
    await client.getBusy(access, range);
    expect(refresh.bodies).toHaveLength(2);
  });

  it('when another agent (or a new grant) calls, then it gets its own access token', async () => {
    const { client } = createTestGoogleCalendar();
    const refresh = mockRefresh({ times: 3, anyRefreshToken: true });
    nock(API).post(FREEBUSY_PATH).times(3).reply(200, freeBusyAnswer([]));
    const range = { start, end: start + HOUR };

    await client.getBusy(access, range);
    await client.getBusy({ agentId: 'agent-2', refreshToken: 'other-refresh' }, range);
    await client.getBusy({ ...access, refreshToken: 'reconnected-refresh' }, range);

    expect(refresh.bodies.map((body) => body['refresh_token'])).toEqual([
      REFRESH_TOKEN,
      'other-refresh',
      'reconnected-refresh',
    ]);
  });

  it('when the grant was revoked (invalid_grant), then CalendarGrantError and no API call', async () => {
    const { client } = createTestGoogleCalendar();
    nock(OAUTH).post('/token').reply(400, {
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
    const api = nock(API).post(FREEBUSY_PATH).reply(200, freeBusyAnswer([]));

    const error = await client.getBusy(access, { start, end: start + HOUR }).catch((e) => e);

    expect(error).toBeInstanceOf(CalendarGrantError);
    expect(error.code).toBe('CALENDAR_GRANT_REVOKED');
    expect(error.message).toContain('invalid_grant');
    expect(api.isDone()).toBe(false);
    nock.cleanAll();
  });

  it('when the API answers 401 to a cached token, then it refreshes once and sends again', async () => {
    const { client, clock } = createTestGoogleCalendar();
    mockRefresh();
    nock(API).post(FREEBUSY_PATH).reply(200, freeBusyAnswer([]));
    await client.getBusy(access, { start, end: start + HOUR });
    clock.advance(10 * 60_000);

    const second = mockRefresh({ accessToken: 'ya29.second-token' });
    nock(API).post(FREEBUSY_PATH).reply(401, authError);
    nock(API, { reqheaders: { authorization: 'Bearer ya29.second-token' } })
      .post(FREEBUSY_PATH)
      .reply(200, freeBusyAnswer([]));

    await expect(client.getBusy(access, { start, end: start + HOUR })).resolves.toEqual([]);
    expect(second.bodies).toHaveLength(1);
  });

  it('when the API answers 401 to a freshly refreshed token, then CalendarGrantError', async () => {
    const { client } = createTestGoogleCalendar();
    mockRefresh();
    nock(API).post(FREEBUSY_PATH).reply(401, authError);

    const error = await client.getBusy(access, { start, end: start + HOUR }).catch((e) => e);

    expect(error).toBeInstanceOf(CalendarGrantError);
  });
});

describe('Google Calendar client: free/busy', () => {
  it('when busy times are asked, then freebusy.query gets the range and calendar, and busy intervals come back in epoch ms', async () => {
    const { client } = createTestGoogleCalendar();
    mockRefresh();
    const bodies: unknown[] = [];
    nock(API)
      .post(FREEBUSY_PATH, (body) => bodies.push(body) > 0)
      .reply(200, {
        kind: 'calendar#freeBusy',
        calendars: {
          'team@example.com': {
            busy: [
              { start: '2026-12-01T10:00:00Z', end: '2026-12-01T11:00:00Z' },
              { start: '2026-12-01T08:30:00Z', end: '2026-12-01T09:30:00Z' },
              { start: '2026-12-01T10:30:00+01:00', end: '2026-12-01T10:45:00+01:00' },
            ],
          },
        },
      });

    const busy = await client.getBusy(
      { ...access, calendarId: 'team@example.com' },
      { start, end: start + 8 * HOUR },
    );

    expect(bodies).toEqual([
      {
        timeMin: '2026-12-01T09:00:00.000Z',
        timeMax: '2026-12-01T17:00:00.000Z',
        items: [{ id: 'team@example.com' }],
      },
    ]);
    expect(busy).toEqual([
      { start, end: start + 45 * 60_000 }, // clipped to the range, joined with the touching one
      { start: start + HOUR, end: start + 2 * HOUR },
    ]);
  });

  it('when the range is longer than 90 days, then it is asked in pieces and the answers are joined', async () => {
    const { client } = createTestGoogleCalendar();
    mockRefresh();
    const day = 24 * HOUR;
    const from = Date.UTC(2026, 0, 1);
    const boundary = new Date(from + 90 * day).toISOString();
    const bodies: Array<{ timeMin: string; timeMax: string }> = [];
    nock(API)
      .post(FREEBUSY_PATH, (body) => bodies.push(body) > 0)
      .times(3)
      .reply((_uri, body) => {
        const { timeMin } = body as { timeMin: string };
        // A busy block across the first boundary comes back in two halves.
        if (timeMin === new Date(from).toISOString()) {
          return [200, freeBusyAnswer([{ start: '2026-03-31T23:00:00Z', end: boundary }])];
        }
        if (timeMin === boundary) {
          return [200, freeBusyAnswer([{ start: boundary, end: '2026-04-01T01:00:00Z' }])];
        }
        return [200, freeBusyAnswer([])];
      });

    const busy = await client.getBusy(access, { start: from, end: from + 200 * day });

    expect(bodies.map((body) => [body.timeMin, body.timeMax])).toEqual([
      ['2026-01-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
      ['2026-04-01T00:00:00.000Z', '2026-06-30T00:00:00.000Z'],
      ['2026-06-30T00:00:00.000Z', '2026-07-20T00:00:00.000Z'],
    ]);
    expect(busy).toEqual([
      { start: Date.parse('2026-03-31T23:00:00Z'), end: Date.parse('2026-04-01T01:00:00Z') },
    ]);
  });

  it('when the answer carries an error for the calendar, then CalendarProviderError', async () => {
    const { client } = createTestGoogleCalendar();
    mockRefresh();
    nock(API)
      .post(FREEBUSY_PATH)
      .reply(200, {
        calendars: { primary: { busy: [], errors: [{ domain: 'global', reason: 'notFound' }] } },
      });

    const error = await client.getBusy(access, { start, end: start + HOUR }).catch((e) => e);

    expect(error).toBeInstanceOf(CalendarProviderError);
    expect(error.code).toBe('CALENDAR_PROVIDER_UNAVAILABLE');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('notFound');
  });

  it('when the answer drifts from the documented shape, then a typed CalendarProviderError', async () => {
    const { client } = createTestGoogleCalendar();
    mockRefresh();
    nock(API)
      .post(FREEBUSY_PATH)
      .reply(200, freeBusyAnswer([{ start: 'tomorrow-ish', end: '2026-12-01T10:00:00Z' }]));

    const error = await client.getBusy(access, { start, end: start + HOUR }).catch((e) => e);

    expect(error).toBeInstanceOf(CalendarProviderError);
    expect(error.message).toMatch(/unexpected shape.*busy\.0\.start/);
  });
});

describe('Google Calendar client: events', () => {
  const eventId = googleEventId(meeting.meetingId);

  it('when a meeting is booked, then events.insert gets our id, the visitor, a Meet request and sendUpdates=all, and the Meet link comes back', async () => {
    const { client } = createTestGoogleCalendar();
    mockRefresh();
    const bodies: unknown[] = [];
    nock(API)
      .post(EVENTS_PATH, (body) => bodies.push(body) > 0)
      .query({ sendUpdates: 'all', conferenceDataVersion: '1' })
      .reply(200, eventAnswer(eventId));

    const result = await client.createEvent(access, meeting);

    expect(eventId).toMatch(/^[a-v0-9]{5,1024}$/);
    expect(bodies).toEqual([
      {
        id: eventId,
        summary: 'Intro call',
        description: 'Booked from the chat',
        start: { dateTime: '2026-12-01T09:00:00.000Z', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2026-12-01T09:30:00.000Z', timeZone: 'Europe/Berlin' },
        attendees: [
          { email: 'vic@example.org', displayName: 'Vic Visitor', responseStatus: 'needsAction' },
        ],
        transparency: 'opaque',
        reminders: { useDefault: true },
        extendedProperties: { private: { meetingId: 'mtg-0001' } },
        conferenceData: {
          createRequest: { requestId: 'mtg-0001', conferenceSolutionKey: { type: 'hangoutsMeet' } },
        },
      },
    ]);
    expect(result).toEqual({ eventId, meetingUrl: 'https://meet.google.com/abc-defg-hij' });
  });

  it('when no conference is asked, then no conferenceData is sent and no link comes back', async () => {
    const { client } = createTestGoogleCalendar();
    mockRefresh();
    const bodies: Array<Record<string, unknown>> = [];
    nock(API)
      .post(EVENTS_PATH, (body) => bodies.push(body) > 0)
      .query({ sendUpdates: 'all', conferenceDataVersion: '0' })
      .reply(200, { id: eventId, status: 'confirmed' });

    const result = await client.createEvent(access, { ...meeting, conference: false });

    expect(bodies[0]).not.toHaveProperty('conferenceData');
    expect(result).toEqual({ eventId });
  });

  it('when the insert is resent after a lost answer and Google says 409, then the existing event is returned (exactly one event)', async () => {
    const { client, sleeps } = createTestGoogleCalendar();
    mockRefresh();
    const inserts = nock(API)
      .post(EVENTS_PATH)
      .query(true)
      .replyWithError(connectionReset())
      .post(EVENTS_PATH)
      .query(true)
      .reply(409, {
        error: {
          code: 409,
          message: 'The requested identifier already exists.',
          errors: [{ domain: 'global', reason: 'duplicate' }],
        },
      });
    nock(API).get(`${EVENTS_PATH}/${eventId}`).reply(200, eventAnswer(eventId));

    const result = await client.createEvent(access, meeting);

    expect(result).toEqual({ eventId, meetingUrl: 'https://meet.google.com/abc-defg-hij' });
    expect(inserts.isDone()).toBe(true);
    expect(sleeps).toHaveLength(1);
  });

  it('when the event of the meeting exists but was cancelled, then booking fails instead of reviving it', async () => {
    const { client } = createTestGoogleCalendar();
    mockRefresh();
    nock(API)
      .post(EVENTS_PATH)
      .query(true)
      .reply(409, { error: { code: 409, message: 'dup' } });
    nock(API).get(`${EVENTS_PATH}/${eventId}`).reply(200, { id: eventId, status: 'cancelled' });

    const error = await client.createEvent(access, meeting).catch((e) => e);

    expect(error).toBeInstanceOf(CalendarProviderError);
    expect(error.retryable).toBe(false);
  });

  it('when a meeting is moved, then events.patch gets only the new times', async () => {
    const { client } = createTestGoogleCalendar();
    mockRefresh();
    const bodies: unknown[] = [];
    nock(API)
      .patch(`${EVENTS_PATH}/evt123`, (body) => bodies.push(body) > 0)
      .query({ sendUpdates: 'all' })
      .reply(200, eventAnswer('evt123'));

    const result = await client.updateEvent(access, 'evt123', {
      ...meeting,
      start: start + HOUR,
      end: start + 90 * 60_000,
    });

    expect(bodies).toEqual([
      {
        start: { dateTime: '2026-12-01T10:00:00.000Z', timeZone: 'Europe/Berlin' },
        end: { dateTime: '2026-12-01T10:30:00.000Z', timeZone: 'Europe/Berlin' },
      },
    ]);
    expect(result.eventId).toBe('evt123');
  });

  it.each([204, 404, 410])(
    'when a cancelled event is deleted and Google answers %i, then the cancellation succeeds',
    async (status) => {
      const { client } = createTestGoogleCalendar();
      mockRefresh();
      nock(API).delete(`${EVENTS_PATH}/evt123`).query({ sendUpdates: 'all' }).reply(status);

      await expect(client.cancelEvent(access, 'evt123')).resolves.toBeUndefined();
    },
  );
});
