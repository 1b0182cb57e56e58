import { inspect } from 'node:util';
import nock from 'nock';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CalendarProviderError } from '../../src/calendar/calendar-types.js';
import {
  ACCESS_TOKEN,
  API,
  EVENTS_PATH,
  FREEBUSY_PATH,
  HOUR,
  OAUTH,
  REFRESH_TOKEN,
  access,
  connectionReset,
  createTestGoogleCalendar,
  freeBusyAnswer,
  meeting,
  meetingStart,
  mockRefresh,
  rateLimited,
} from '../helpers/google-calendar-harness.js';

const start = meetingStart;

beforeEach(() => nock.cleanAll());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('Google Calendar client: retries and errors', () => {
  it('when Google answers 429 with Retry-After, then the call waits that long (injected sleep) and succeeds', async () => {
    const { client, sleeps } = createTestGoogleCalendar();
    mockRefresh();
    nock(API)
      .post(FREEBUSY_PATH)
      .reply(429, rateLimited('rateLimitExceeded', 429), { 'Retry-After': '7' })
      .post(FREEBUSY_PATH)
      .reply(200, freeBusyAnswer([]));

    await expect(client.getBusy(access, { start, end: start + HOUR })).resolves.toEqual([]);
    expect(sleeps).toEqual([7_000]);
  });

  it('when Google answers 403 userRateLimitExceeded, then it backs off exponentially and sends again', async () => {
    const { client, sleeps } = createTestGoogleCalendar();
    mockRefresh();
    nock(API)
      .delete(`${EVENTS_PATH}/evt123`)
      .query(true)
      .times(2)
      .reply(403, rateLimited('userRateLimitExceeded', 403))
      .delete(`${EVENTS_PATH}/evt123`)
      .query(true)
      .reply(204);

    await client.cancelEvent(access, 'evt123');

    expect(sleeps).toEqual([1_500, 2_500]); // 1 s, 2 s + 0.5 s of (injected) jitter
  });

  it.each([
    ['the default maxRetries (3)', undefined, 4],
    ['maxRetries 1', 1, 2],
  ])(
    'when Google answers 503 on every attempt with %s, then CalendarProviderError (retryable) after maxRetries + 1 requests',
    async (_name, maxRetries, requests) => {
      const { client, sleeps } = createTestGoogleCalendar(
        maxRetries === undefined ? {} : { maxRetries },
      );
      mockRefresh();
      const api = nock(API)
        .post(EVENTS_PATH)
        .query(true)
        .times(requests)
        .reply(503, {
          error: {
            code: 503,
            message: 'The service is currently unavailable.',
            errors: [{ reason: 'backendError' }],
          },
        });

      const error = await client.createEvent(access, meeting).catch((e) => e);

      expect(error).toBeInstanceOf(CalendarProviderError);
      expect(error).toMatchObject({
        code: 'CALENDAR_PROVIDER_UNAVAILABLE',
        retryable: true,
        details: { provider: 'google', status: 503 },
      });
      expect(error.message).toContain(`after ${requests} attempts`);
      expect(sleeps).toHaveLength(requests - 1);
      expect(api.isDone()).toBe(true);
    },
  );

  it('when Google refuses the request (403 forbiddenForNonOrganizer), then CalendarProviderError without retries', async () => {
    const { client, sleeps } = createTestGoogleCalendar();
    mockRefresh();
    nock(API)
      .patch(`${EVENTS_PATH}/evt123`)
      .query(true)
      .reply(403, rateLimited('forbiddenForNonOrganizer', 403));

    const error = await client.updateEvent(access, 'evt123', meeting).catch((e) => e);

    expect(error).toMatchObject({ retryable: false, details: { status: 403 } });
    expect(sleeps).toEqual([]);
  });

  it('when calls fail, then neither the errors nor the logs ever hold the refresh or the access token', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
    const { client } = createTestGoogleCalendar({ maxRetries: 1, logger });
    mockRefresh();
    nock(API)
      .post(EVENTS_PATH)
      .query(true)
      .times(2)
      .reply(500, { error: { code: 500, message: 'Backend Error' } });
    nock(API).post(FREEBUSY_PATH).times(2).replyWithError(connectionReset());
    nock(OAUTH).post('/token').reply(400, { error: 'invalid_grant' });

    const errors = [
      await client.createEvent(access, meeting).catch((e) => e),
      await client.getBusy(access, { start, end: start + HOUR }).catch((e) => e),
      await client
        .getBusy(
          { agentId: 'agent-9', refreshToken: 'dead-refresh-token' },
          { start, end: start + HOUR },
        )
        .catch((e) => e),
    ];

    for (const error of errors) {
      expect(error).toBeInstanceOf(Error);
      const text = `${error.message}\n${inspect(error, { depth: 10, showHidden: true })}`;
      expect(text).not.toContain(REFRESH_TOKEN);
      expect(text).not.toContain(ACCESS_TOKEN);
      expect(text).not.toContain('dead-refresh-token');
      expect(text).not.toContain('client-secret-1');
    }
    expect(errors[1].message).toContain('ECONNRESET');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toMatch(/ya29|1\/\/refresh|dead-refresh|client-secret/);
  });
});
