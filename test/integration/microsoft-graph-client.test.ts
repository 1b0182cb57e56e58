import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { CalendarGrantError, CalendarProviderError } from '../../src/calendar/calendar-types.js';
import {
  EVENT,
  GRAPH,
  RANGE,
  accessFor,
  at,
  caught,
  emptyView,
  expectNoSecrets,
  graphCalls,
  logLines,
  mockToken,
  recorded,
  resetGraphHarness,
  setup,
  tokenCalls,
  utc,
} from '../helpers/microsoft-graph-harness.js';

// The Microsoft provider's calendar side: busy times and events, retries and errors.
afterEach(resetGraphHarness);

describe('Microsoft calendar: busy times', () => {
  it('when the calendar view spans two pages, then tentative, busy and oof block, free, workingElsewhere and cancelled do not, and times are read as UTC', async () => {
    const { client } = setup();
    mockToken('at-1', 'rt-1');
    const nextLink = `${GRAPH}/v1.0/me/calendar/calendarView?startDateTime=x&$skip=100`;
    nock(GRAPH)
      .get('/v1.0/me/calendar/calendarView')
      .query((q) => q['$skip'] === undefined)
      .reply(
        recorded(200, {
          value: [
            { showAs: 'busy', isCancelled: false, start: utc(9), end: utc(10) },
            { showAs: 'free', isCancelled: false, start: utc(10), end: utc(11) },
            { showAs: 'workingElsewhere', isCancelled: false, start: utc(8), end: utc(18) },
            { showAs: 'tentative', isCancelled: false, start: utc(11, 30), end: utc(12) },
            { showAs: 'busy', isCancelled: true, start: utc(13), end: utc(14) },
          ],
          '@odata.nextLink': nextLink,
        }),
      );
    nock(GRAPH)
      .get('/v1.0/me/calendar/calendarView')
      .query({ startDateTime: 'x', $skip: '100' })
      .reply(
        recorded(200, {
          value: [
            {
              showAs: 'oof',
              isCancelled: false,
              start: utc(16),
              end: { dateTime: '2026-11-26T09:00:00.0000000', timeZone: 'UTC' },
            },
            { showAs: 'unknown', start: utc(7), end: utc(8, 15) },
          ],
        }),
      );

    const busy = await client.getBusy(accessFor().access, RANGE);

    expect(busy).toEqual([
      { start: at(8), end: at(8, 15) }, // unknown blocks, clipped to the range
      { start: at(9), end: at(10) },
      { start: at(11, 30), end: at(12) },
      { start: at(16), end: at(18) }, // clipped to the range
    ]);
    const [first, second] = graphCalls();
    const query = new URL(`${GRAPH}${first?.path}`).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      startDateTime: '2026-11-25T08:00:00.000Z',
      endDateTime: '2026-11-25T18:00:00.000Z',
      $select: 'showAs,start,end,isCancelled',
      $top: '100',
    });
    for (const call of [first, second]) {
      expect(call?.headers['prefer']).toBe('outlook.timezone="UTC"');
      expect(call?.headers['authorization']).toBe('Bearer at-1');
    }
    // The nextLink is followed as given (the SDK puts the OData options first).
    const page2 = new URL(`${GRAPH}${second?.path}`);
    expect(page2.pathname).toBe('/v1.0/me/calendar/calendarView');
    expect(Object.fromEntries(page2.searchParams)).toEqual({ startDateTime: 'x', $skip: '100' });
  });

  it('when Graph ignores the Prefer header, then IANA zones are still read right and a Windows zone name is reported as drift', async () => {
    const { client } = setup();
    mockToken('at-1', 'rt-1');
    const berlin = (hour: number) => ({
      dateTime: `2026-11-25T${hour}:00:00.0000000`,
      timeZone: 'Europe/Berlin',
    });
    nock(GRAPH)
      .get('/v1.0/me/calendar/calendarView')
      .query(true)
      .reply(200, { value: [{ showAs: 'busy', start: berlin(10), end: berlin(11) }] });
    await expect(client.getBusy(accessFor().access, RANGE)).resolves.toEqual([
      { start: at(9), end: at(10) },
    ]);

    nock(GRAPH)
      .get('/v1.0/me/calendar/calendarView')
      .query(true)
      .reply(200, {
        value: [
          {
            showAs: 'busy',
            start: { dateTime: '2026-11-25T10:00:00.0000000', timeZone: 'Pacific Standard Time' },
            end: { dateTime: '2026-11-25T11:00:00.0000000', timeZone: 'Pacific Standard Time' },
          },
        ],
      });
    const error = await caught(client.getBusy(accessFor().access, RANGE));
    expect(error).toBeInstanceOf(CalendarProviderError);
    expect(error).toMatchObject({ retryable: false });
  });

  it('when a calendar id is set, then that calendar is read', async () => {
    const { client } = setup();
    mockToken('at-1', 'rt-1');
    const view = nock(GRAPH)
      .get('/v1.0/me/calendars/AAMk%3D%3D/calendarView')
      .query(true)
      .reply(200, emptyView);

    await client.getBusy(accessFor({ calendarId: 'AAMk==' }).access, RANGE);

    expect(view.isDone()).toBe(true);
  });

  it('when a nextLink points away from Graph, then paging stops with a provider error and the token is not sent there', async () => {
    const { client } = setup();
    mockToken('at-1', 'rt-1');
    nock(GRAPH).get('/v1.0/me/calendar/calendarView').query(true).reply(200, {
      value: [],
      '@odata.nextLink': 'https://evil.test/v1.0/me/calendarView?$skip=10',
    });
    const evil = nock('https://evil.test').get(/.*/).reply(200, emptyView);

    const error = await caught(client.getBusy(accessFor().access, RANGE));

    expect(error).toBeInstanceOf(CalendarProviderError);
    expect(error.message).toContain('outside');
    expect(evil.isDone()).toBe(false);
  });

  it('when Graph answers a shape we do not know, then it is a non-retryable provider error', async () => {
    const { client } = setup();
    mockToken('at-1', 'rt-1');
    nock(GRAPH).get('/v1.0/me/calendar/calendarView').query(true).reply(200, { events: [] });

    const error = await caught(client.getBusy(accessFor().access, RANGE));

    expect(error).toBeInstanceOf(CalendarProviderError);
    expect(error).toMatchObject({ retryable: false });
  });
});

describe('Microsoft calendar: events', () => {
  it('when an event is created with a conference, then the body carries transactionId, the meeting marker, the required attendee and Teams, and the join URL is read back', async () => {
    const { client } = setup();
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .post('/v1.0/me/events')
      .reply(
        recorded(201, {
          id: 'evt-1',
          transactionId: 'mtg-42',
          onlineMeeting: { joinUrl: 'https://teams.microsoft.com/l/meetup-join/abc' },
        }),
      );

    const result = await client.createEvent(accessFor().access, EVENT);

    expect(result).toEqual({
      eventId: 'evt-1',
      meetingUrl: 'https://teams.microsoft.com/l/meetup-join/abc',
    });
    expect(graphCalls()[0]?.body).toEqual({
      transactionId: 'mtg-42',
      // The marker cancelEventOfMeeting looks for (microsoft-graph-stray-event.test.ts).
      singleValueExtendedProperties: [
        { id: 'String {0079E82E-85C9-40CA-890B-354D4A0227CC} Name MeetingId', value: 'mtg-42' },
      ],
      subject: 'Intro call',
      body: { contentType: 'text', content: 'Booked from the website chat.' },
      start: { dateTime: '2026-11-25T14:00:00.000', timeZone: 'UTC' },
      end: { dateTime: '2026-11-25T14:30:00.000', timeZone: 'UTC' },
      attendees: [
        { type: 'required', emailAddress: { address: 'vera@example.com', name: 'Vera Visitor' } },
      ],
      allowNewTimeProposals: false,
      isOnlineMeeting: true,
      onlineMeetingProvider: 'teamsForBusiness',
    });
    expect(graphCalls()[0]?.headers['content-type']).toMatch(/application\/json/);
  });

  it('when an event without a conference goes to a chosen calendar, then no Teams fields are sent and no meeting URL comes back', async () => {
    const { client } = setup();
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .post('/v1.0/me/calendars/cal-2/events')
      .reply(recorded(201, { id: 'evt-2', onlineMeeting: null }));

    const result = await client.createEvent(accessFor({ calendarId: 'cal-2' }).access, {
      ...EVENT,
      conference: false,
      attendee: { email: 'vera@example.com' },
    });

    expect(result).toEqual({ eventId: 'evt-2' });
    const body = graphCalls()[0]?.body as Record<string, unknown>;
    expect(body).not.toHaveProperty('isOnlineMeeting');
    expect(body).not.toHaveProperty('onlineMeetingProvider');
    expect(body['attendees']).toEqual([
      { type: 'required', emailAddress: { address: 'vera@example.com', name: 'vera@example.com' } },
    ]);
  });

  it('when the connection drops during a create, then it is sent again with the same transactionId and one event comes back', async () => {
    const { client, sleeps } = setup();
    mockToken('at-1', 'rt-1');
    const transactionIds: unknown[] = [];
    nock(GRAPH)
      .post('/v1.0/me/events', (body: Record<string, unknown>) => {
        transactionIds.push(body['transactionId']);
        return true;
      })
      .replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    nock(GRAPH)
      .post('/v1.0/me/events', (body: Record<string, unknown>) => {
        transactionIds.push(body['transactionId']);
        return true;
      })
      .reply(201, { id: 'evt-1', onlineMeeting: { joinUrl: 'https://teams/x' } });

    await expect(client.createEvent(accessFor().access, EVENT)).resolves.toEqual({
      eventId: 'evt-1',
      meetingUrl: 'https://teams/x',
    });
    expect(transactionIds).toEqual(['mtg-42', 'mtg-42']);
    expect(sleeps).toEqual([375]);
  });

  it('when Graph throttles with 429 and Retry-After, then the client sleeps exactly that long and succeeds', async () => {
    const { client, sleeps } = setup();
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .post('/v1.0/me/events')
      .reply(
        429,
        { error: { code: 'ApplicationThrottled', message: 'Too many requests' } },
        { 'Retry-After': '7' },
      );
    nock(GRAPH).post('/v1.0/me/events').reply(201, { id: 'evt-1' });

    await expect(client.createEvent(accessFor().access, EVENT)).resolves.toEqual({
      eventId: 'evt-1',
    });
    expect(sleeps).toEqual([7000]);
  });

  it('when Graph answers 503 on every attempt, then after maxRetries a retryable CalendarProviderError carries the status, not a token', async () => {
    const { client, sleeps } = setup({ maxRetries: 3 });
    mockToken('at-1', 'rt-1');
    const unavailable = nock(GRAPH)
      .post('/v1.0/me/events')
      .times(4)
      .reply(503, { error: { code: 'ServiceUnavailable', message: 'Try later' } });

    const error = await caught(client.createEvent(accessFor().access, EVENT));

    expect(error).toBeInstanceOf(CalendarProviderError);
    expect(error).toMatchObject({
      code: 'CALENDAR_PROVIDER_UNAVAILABLE',
      retryable: true,
      httpStatus: 503,
      details: { provider: 'microsoft', status: 503 },
    });
    expect(error.message).toBe(
      'microsoft: create event failed: HTTP 503 ServiceUnavailable after 4 attempts',
    );
    expect(unavailable.isDone()).toBe(true);
    expect(sleeps).toEqual([375, 750, 1500]);
    // The retries were logged (so the secret check below has lines to read), without tokens.
    expect(logLines.filter((line) => line.includes('Graph call failed; retrying'))).toHaveLength(3);
    expectNoSecrets(error);
  });

  it('when Graph rejects the event (400), then it fails at once, not retryable', async () => {
    const { client, sleeps } = setup();
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .post('/v1.0/me/events')
      .reply(400, { error: { code: 'ErrorInvalidRequest', message: 'Bad time zone' } });

    const error = await caught(client.createEvent(accessFor().access, EVENT));

    expect(error).toMatchObject({ retryable: false, details: { status: 400 } });
    expect(error.message).toContain('ErrorInvalidRequest');
    expect(sleeps).toEqual([]);
    expectNoSecrets(error);
  });

  it('when Graph answers 401, then the token is refreshed once and the call goes through', async () => {
    const { client } = setup();
    const { access, rotated } = accessFor();
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .post('/v1.0/me/events')
      .reply(
        recorded(401, {
          error: { code: 'InvalidAuthenticationToken', message: 'Access token has expired' },
        }),
      );
    mockToken('at-2', 'rt-2');
    nock(GRAPH)
      .post('/v1.0/me/events')
      .reply(recorded(201, { id: 'evt-1' }));

    await expect(client.createEvent(access, EVENT)).resolves.toEqual({ eventId: 'evt-1' });
    expect(graphCalls().map((c) => c.headers['authorization'])).toEqual([
      'Bearer at-1',
      'Bearer at-2',
    ]);
    expect(rotated).toEqual(['rt-2']);
  });

  it('when Graph answers 401 to a freshly refreshed token too, then it is a lost grant', async () => {
    const { client } = setup();
    mockToken('at-1', 'rt-1');
    mockToken('at-2', 'rt-1');
    nock(GRAPH)
      .patch('/v1.0/me/events/evt-1')
      .times(2)
      .reply(401, { error: { code: 'InvalidAuthenticationToken', message: 'nope' } });

    const error = await caught(client.updateEvent(accessFor().access, 'evt-1', EVENT));

    expect(error).toBeInstanceOf(CalendarGrantError);
    expect(tokenCalls()).toHaveLength(2);
    expectNoSecrets(error);
  });

  it('when an event is moved, then only start and end are patched', async () => {
    const { client } = setup();
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .patch('/v1.0/me/events/AAMkAD%2Fx%3D')
      .reply(recorded(200, { id: 'AAMkAD/x=', onlineMeeting: { joinUrl: 'https://teams/x' } }));

    const result = await client.updateEvent(accessFor().access, 'AAMkAD/x=', {
      ...EVENT,
      start: at(15),
      end: at(15, 30),
    });

    expect(result).toEqual({ eventId: 'AAMkAD/x=', meetingUrl: 'https://teams/x' });
    expect(graphCalls()[0]?.body).toEqual({
      start: { dateTime: '2026-11-25T15:00:00.000', timeZone: 'UTC' },
      end: { dateTime: '2026-11-25T15:30:00.000', timeZone: 'UTC' },
    });
  });

  it('when an event is cancelled, then Graph cancel is called and the attendee is told; an event already gone (404) counts as cancelled', async () => {
    const { client, sleeps } = setup();
    mockToken('at-1', 'rt-1');
    nock(GRAPH).post('/v1.0/me/events/evt-1/cancel').reply(recorded(202));
    nock(GRAPH)
      .post('/v1.0/me/events/evt-gone/cancel')
      .reply(
        recorded(404, {
          error: {
            code: 'ErrorItemNotFound',
            message: 'The specified object was not found in the store.',
          },
        }),
      );

    await expect(client.cancelEvent(accessFor().access, 'evt-1')).resolves.toBeUndefined();
    await expect(client.cancelEvent(accessFor().access, 'evt-gone')).resolves.toBeUndefined();

    expect(graphCalls().map((c) => c.path)).toEqual([
      '/v1.0/me/events/evt-1/cancel',
      '/v1.0/me/events/evt-gone/cancel',
    ]);
    expect(graphCalls()[0]?.body).toEqual({ comment: 'This meeting was cancelled.' });
    expect(sleeps).toEqual([]);
  });
});
