import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { CalendarProviderError, type CalendarClient } from '../../src/calendar/calendar-types.js';
import {
  GRAPH,
  accessFor,
  caught,
  expectNoSecrets,
  graphCalls,
  mockToken,
  recorded,
  resetGraphHarness,
  setup,
} from '../helpers/microsoft-graph-harness.js';

// cancelEventOfMeeting: the event a create made although its answer was lost is found by the
// meeting marker set on create, and cancelled.
afterEach(resetGraphHarness);

const MARKER = 'String {0079E82E-85C9-40CA-890B-354D4A0227CC} Name MeetingId';
const filterFor = (meetingId: string) =>
  `singleValueExtendedProperties/Any(ep: ep/id eq '${MARKER}' and ep/value eq '${meetingId}')`;

/** The query of a recorded request, decoded, and its raw form. */
function queryOf(path: string | undefined) {
  const url = new URL(`${GRAPH}${path ?? ''}`);
  return { pathname: url.pathname, params: Object.fromEntries(url.searchParams), raw: url.search };
}

/** The Graph client's cancelEventOfMeeting, which the interface leaves optional. */
function cancelOfMeeting(client: CalendarClient) {
  const method = client.cancelEventOfMeeting;
  if (method === undefined) throw new Error('the Graph client has no cancelEventOfMeeting');
  return method.bind(client);
}

function cancelled() {
  return graphCalls()
    .filter((c) => c.method === 'POST')
    .map((c) => c.path);
}

describe('Microsoft calendar: the event of a meeting whose create answer was lost', () => {
  it('when an event carries the meeting marker, then it is looked up by the extended property and cancelled', async () => {
    const { client, sleeps } = setup();
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .get('/v1.0/me/events')
      .query(true)
      .reply(recorded(200, { value: [{ id: 'AAMkAD/x=' }] }));
    nock(GRAPH).post('/v1.0/me/events/AAMkAD%2Fx%3D/cancel').reply(recorded(202));

    await expect(cancelOfMeeting(client)(accessFor().access, 'mtg-42')).resolves.toBeUndefined();

    const lookup = queryOf(graphCalls()[0]?.path);
    expect(graphCalls()[0]?.method).toBe('GET');
    expect(lookup.pathname).toBe('/v1.0/me/events');
    expect(lookup.params).toEqual({ $filter: filterFor('mtg-42'), $select: 'id', $top: '100' });
    // Spaces, colons and slashes of the filter go out URL-encoded, as the Graph doc asks.
    expect(lookup.raw).not.toMatch(/[ ]/);
    expect(lookup.raw).toContain('ep%3A%20ep%2Fid%20eq');
    expect(graphCalls()[0]?.headers['authorization']).toBe('Bearer at-1');
    expect(cancelled()).toEqual(['/v1.0/me/events/AAMkAD%2Fx%3D/cancel']);
    expect(graphCalls()[1]?.body).toEqual({ comment: 'This meeting was cancelled.' });
    expect(sleeps).toEqual([]);
  });

  it('when no event carries the marker, then nothing is cancelled and the call succeeds', async () => {
    const { client } = setup();
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .get('/v1.0/me/events')
      .query(true)
      .reply(recorded(200, { value: [] }));

    await cancelOfMeeting(client)(accessFor().access, 'mtg-42');

    expect(graphCalls()).toHaveLength(1);
    expect(cancelled()).toEqual([]);
  });

  it('when a calendar id is set, then that calendar is searched, and an event already gone (404) counts as cancelled', async () => {
    const { client } = setup();
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .get('/v1.0/me/calendars/AAMk%3D%3D/events')
      .query(true)
      .reply(recorded(200, { value: [{ id: 'evt-gone' }] }));
    nock(GRAPH)
      .post('/v1.0/me/events/evt-gone/cancel')
      .reply(recorded(404, { error: { code: 'ErrorItemNotFound', message: 'Not found.' } }));

    await expect(
      cancelOfMeeting(client)(accessFor({ calendarId: 'AAMk==' }).access, 'mtg-42'),
    ).resolves.toBeUndefined();

    expect(queryOf(graphCalls()[0]?.path).params['$filter']).toBe(filterFor('mtg-42'));
    expect(cancelled()).toEqual(['/v1.0/me/events/evt-gone/cancel']);
  });

  it('when the lookup spans two pages, then every page is read before the first cancel and each event is cancelled once', async () => {
    const { client } = setup();
    mockToken('at-1', 'rt-1');
    const nextLink = `${GRAPH}/v1.0/me/events?$filter=x&$select=id&$top=100&$skip=100`;
    nock(GRAPH)
      .get('/v1.0/me/events')
      .query((q) => q['$skip'] === undefined)
      .reply(recorded(200, { value: [{ id: 'evt-1' }], '@odata.nextLink': nextLink }));
    nock(GRAPH)
      .get('/v1.0/me/events')
      .query({ $filter: 'x', $select: 'id', $top: '100', $skip: '100' })
      .reply(recorded(200, { value: [{ id: 'evt-2' }, { id: 'evt-1' }] }));
    nock(GRAPH).post('/v1.0/me/events/evt-1/cancel').reply(recorded(202));
    nock(GRAPH).post('/v1.0/me/events/evt-2/cancel').reply(recorded(202));

    await cancelOfMeeting(client)(accessFor().access, 'mtg-42');

    expect(graphCalls().map((c) => c.method)).toEqual(['GET', 'GET', 'POST', 'POST']);
    expect(cancelled()).toEqual(['/v1.0/me/events/evt-1/cancel', '/v1.0/me/events/evt-2/cancel']);
  });

  it('when Graph throttles the lookup with 429 and Retry-After, then it waits that long, asks again and cancels', async () => {
    const { client, sleeps } = setup();
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .get('/v1.0/me/events')
      .query(true)
      .reply(
        recorded(
          429,
          { error: { code: 'ApplicationThrottled', message: 'Too many requests' } },
          { 'Retry-After': '7' },
        ),
      );
    nock(GRAPH)
      .get('/v1.0/me/events')
      .query(true)
      .reply(recorded(200, { value: [{ id: 'evt-1' }] }));
    nock(GRAPH).post('/v1.0/me/events/evt-1/cancel').reply(recorded(202));

    await cancelOfMeeting(client)(accessFor().access, 'mtg-42');

    expect(sleeps).toEqual([7000]);
    expect(graphCalls().map((c) => c.method)).toEqual(['GET', 'GET', 'POST']);
    expect(cancelled()).toEqual(['/v1.0/me/events/evt-1/cancel']);
  });

  it('when the lookup keeps failing, then a retryable provider error names the call, nothing is cancelled and no token leaks', async () => {
    const { client, sleeps } = setup({ maxRetries: 2 });
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .get('/v1.0/me/events')
      .query(true)
      .times(3)
      .reply(503, { error: { code: 'ServiceUnavailable', message: 'Try later' } });

    const error = await caught(cancelOfMeeting(client)(accessFor().access, 'mtg-42'));

    expect(error).toBeInstanceOf(CalendarProviderError);
    expect(error).toMatchObject({ retryable: true, details: { status: 503 } });
    expect(error.message).toBe(
      'microsoft: find events of a meeting failed: HTTP 503 ServiceUnavailable after 3 attempts',
    );
    expect(sleeps).toHaveLength(2);
    expect(cancelled()).toEqual([]);
    expectNoSecrets(error);
  });

  it("when the meeting id holds a quote, then it is doubled inside the filter's string literal", async () => {
    const { client } = setup();
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .get('/v1.0/me/events')
      .query(true)
      .reply(recorded(200, { value: [] }));

    await cancelOfMeeting(client)(accessFor().access, "it's-1");

    expect(queryOf(graphCalls()[0]?.path).params['$filter']).toBe(filterFor("it''s-1"));
  });
});
