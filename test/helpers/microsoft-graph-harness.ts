import { Writable } from 'node:stream';
import nock from 'nock';
import { expect } from 'vitest';
import type { CalendarAccess, CalendarEventInput } from '../../src/calendar/calendar-types.js';
import { createMicrosoftCalendar } from '../../src/clients/microsoft-graph/index.js';
import { createManualClock } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';

/**
 * Shared by the Microsoft provider's integration tests: nock against login.test and graph.test,
 * replies that record each outbound request, a client with a manual clock, a recording sleep,
 * fixed jitter and a logger whose lines the tests read.
 */

export const LOGIN = 'https://login.test';
export const GRAPH = 'https://graph.test';
export const TOKEN_PATH = '/common/oauth2/v2.0/token';
export const SECRET = 'client-secret-s3cr3t';
export const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
export const HOUR = 3_600_000;
/** Every secret a test hands out; none may appear in an error or a log line. */
export const SECRETS = [
  SECRET,
  'rt-1',
  'rt-2',
  'rt-3',
  'at-1',
  'at-2',
  'at-3',
  'the-code',
  'verifier-123',
];

export interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

const seen: Seen[] = [];
/** Lines the client logged in this test. */
export const logLines: string[] = [];

/** For afterEach: no interceptor, request or log line leaks into the next test. */
export function resetGraphHarness(): void {
  nock.cleanAll();
  seen.length = 0;
  logLines.length = 0;
}

/** A reply that records the request (method, path with query, headers, decoded body). */
export function recorded(status: number, body?: nock.Body, headers?: Record<string, string>) {
  return function (
    this: nock.ReplyFnContext,
    uri: string,
    requestBody: nock.Body,
  ): nock.ReplyFnResult {
    const decoded =
      typeof requestBody === 'string' && requestBody.includes('=') && !requestBody.startsWith('{')
        ? Object.fromEntries(new URLSearchParams(requestBody))
        : requestBody;
    seen.push({
      method: this.req.method ?? '',
      path: uri,
      headers: this.req.headers,
      body: decoded,
    });
    return [status, body ?? '', headers ?? {}];
  };
}

export const tokenCalls = () => seen.filter((s) => s.path === TOKEN_PATH);
export const graphCalls = () => seen.filter((s) => s.path.startsWith('/v1.0/'));

export function mockToken(access: string, refresh?: string, expiresIn = 3600) {
  return nock(LOGIN)
    .post(TOKEN_PATH)
    .reply(
      recorded(200, {
        token_type: 'Bearer',
        scope: 'Calendars.ReadWrite User.Read',
        expires_in: expiresIn,
        access_token: access,
        ...(refresh === undefined ? {} : { refresh_token: refresh }),
      }),
    );
}

export function mockTokenError(status: number, error: string, aadsts: number) {
  return nock(LOGIN)
    .post(TOKEN_PATH)
    .reply(
      recorded(status, {
        error,
        error_description: `AADSTS${aadsts}: Something happened.\r\nTrace ID: t-1\r\nCorrelation ID: c-1`,
        error_codes: [aadsts],
        trace_id: 't-1',
        correlation_id: 'c-1',
      }),
    );
}

export function setup(options: { maxRetries?: number; tenant?: string } = {}) {
  const clock = createManualClock(NOW);
  const sleeps: number[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const { client, oauth } = createMicrosoftCalendar({
    clientId: 'client-1',
    clientSecret: SECRET,
    tenant: options.tenant,
    urls: { authority: `${LOGIN}/`, graph: GRAPH },
    clock,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    maxRetries: options.maxRetries ?? 3,
    logger: createLogger({ level: 'debug', destination }),
  });
  return { client, oauth, clock, sleeps };
}

export function accessFor(overrides: Partial<CalendarAccess> = {}) {
  const rotated: string[] = [];
  const access: CalendarAccess = {
    agentId: 'agent-1',
    refreshToken: 'rt-1',
    onRefreshTokenRotated: async (token) => {
      rotated.push(token);
    },
    ...overrides,
  };
  return { access, rotated };
}

export const RANGE = { start: Date.UTC(2026, 10, 25, 8), end: Date.UTC(2026, 10, 25, 18) };
export const utc = (hour: number, minute = 0) => ({
  dateTime: `2026-11-25T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00.0000000`,
  timeZone: 'UTC',
});
export const at = (hour: number, minute = 0) => Date.UTC(2026, 10, 25, hour, minute);
export const emptyView = { value: [] };

export const EVENT: CalendarEventInput = {
  meetingId: 'mtg-42',
  start: at(14),
  end: at(14, 30),
  timeZone: 'Europe/Berlin',
  summary: 'Intro call',
  description: 'Booked from the website chat.',
  organizer: { name: 'Agent One', email: 'agent@contoso.com' },
  attendee: { name: 'Vera Visitor', email: 'vera@example.com' },
  conference: true,
};

export async function caught(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected the call to fail');
  return error;
}

/** Message, details and cause of an error, and every log line, carry no secret. */
export function expectNoSecrets(error?: Error) {
  const texts = [...logLines];
  if (error !== undefined) {
    texts.push(error.message, JSON.stringify(error), JSON.stringify(error.cause ?? null));
  }
  for (const text of texts) {
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  }
}
