import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src/records/chat-event.js';
import {
  createChatApi,
  GENERIC_ERROR,
  isRetryableBooking,
  isRetryableStatus,
  type BookingInput,
} from '../../src/chat/widget/chat-api-client.js';
import type { CachedLook } from '../../src/chat/widget/visitor-memory.js';
import { ACME_CONFIGURATION } from '../helpers/fake-chat-server.js';

type Call = { url: string; method: string; headers: Record<string, string>; body?: string };

/** A fetch that answers from a script and records each call. */
function scriptedFetch(answers: Array<Response | Error | (() => Promise<Response>)>) {
  const calls: Call[] = [];
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    calls.push({
      url: String(input),
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string>) },
      ...(typeof init.body === 'string' ? { body: init.body } : {}),
    });
    const next = answers.shift();
    if (!next) throw new Error('no scripted answer left');
    if (next instanceof Error) throw next;
    return typeof next === 'function' ? next() : next;
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

function api(answers: Parameters<typeof scriptedFetch>[0]) {
  const { fetch, calls } = scriptedFetch(answers);
  const sleeps: number[] = [];
  const client = createChatApi({
    baseUrl: 'https://chat.acme.example/svc/',
    fetch,
    sleep: async (ms) => void sleeps.push(ms),
  });
  return { client, calls, sleeps };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });

const { allowedDomains: _a, blockedEmailDomains: _b, ...configuration } = ACME_CONFIGURATION;

const event = (eventId: string): ChatEvent => ({
  type: 'engaged',
  dialogueId: 'd1',
  dialogueVersion: 1,
  conversationId: 'conv-0001',
  eventId,
  pageUrl: 'https://acme.example/pricing',
  visitor: { anonymousId: 'anon-0001' },
});

describe('chat API client', () => {
  it('when it resolves, then it POSTs JSON to chat/resolve under the folder widget.js came from', async () => {
    const { client, calls } = api([json(200, { dialogue: null, known: false })]);
    const request = { pageUrl: 'https://acme.example/', visitor: { anonymousId: 'anon-0001' } };
    expect(await client.resolve(request)).toEqual({ dialogue: null, known: false });
    expect(calls).toEqual([
      {
        url: 'https://chat.acme.example/svc/chat/resolve',
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request),
      },
    ]);
  });

  it('when the look is cached, then it revalidates with If-None-Match and keeps the cache on 304', async () => {
    const { client, calls } = api([
      json(200, { configuration, dialogues: [] }, { ETag: '"rev-1"' }),
      new Response(null, { status: 304 }),
    ]);
    const first = await client.look(null);
    expect(first).toEqual({ etag: '"rev-1"', configuration });
    expect(calls[0]!.headers).toEqual({});
    const second = await client.look(first);
    expect(second).toBe(first);
    expect(calls[1]).toMatchObject({
      url: 'https://chat.acme.example/svc/chat/config',
      headers: { 'If-None-Match': '"rev-1"' },
    });
  });

  it('when the service cannot give the look, then the error reaches the caller', async () => {
    const { client } = api([json(500, {})]);
    await expect(client.look(null as CachedLook | null)).rejects.toThrow(/500/);
  });

  it('when an event meets a 503 and a network error, then it is retried with the same eventId until accepted', async () => {
    const { client, calls, sleeps } = api([
      json(503, {}),
      new TypeError('fetch failed'),
      json(202, {}),
    ]);
    expect(await client.sendEvent(event('evt-00000001'))).toEqual({ ok: true });
    expect(calls.map((c) => JSON.parse(c.body!).eventId)).toEqual([
      'evt-00000001',
      'evt-00000001',
      'evt-00000001',
    ]);
    expect(sleeps).toEqual([500, 2000]);
  });

  it('when every attempt fails, then it gives up after three with a generic message', async () => {
    const { client, calls } = api([json(502, {}), json(502, {}), json(502, {})]);
    expect(await client.sendEvent(event('evt-00000001'))).toEqual({
      ok: false,
      message: GENERIC_ERROR,
    });
    expect(calls).toHaveLength(3);
  });

  it.each([
    [
      'a field-prefixed message',
      {
        error: {
          code: 'EMAIL_DOMAIN_BLOCKED',
          message: 'value: emails from this domain are not accepted',
          field: 'value',
        },
      },
      'Emails from this domain are not accepted',
    ],
    [
      'a plain message',
      { error: { code: 'X', message: 'Try a work email.' } },
      'Try a work email.',
    ],
    ['no message', { nope: true }, GENERIC_ERROR],
  ])(
    'when the service refuses an event with %s, then the visitor gets it without retry',
    async (_l, body, message) => {
      const { client, calls } = api([json(400, body)]);
      const field = (body as { error?: { field?: string } }).error?.field;
      expect(await client.sendEvent(event('evt-00000001'))).toEqual({
        ok: false,
        message,
        ...(field ? { field } : {}),
      });
      expect(calls).toHaveLength(1);
    },
  );

  it('when events are sent back to back, then the second leaves only after the first is answered', async () => {
    let answerFirst: (r: Response) => void = () => {};
    const { client, calls } = api([
      () => new Promise<Response>((resolve) => (answerFirst = resolve)),
      json(202, {}),
    ]);
    const first = client.sendEvent(event('evt-00000001'));
    const second = client.sendEvent(event('evt-00000002'));
    await Promise.resolve();
    await Promise.resolve();
    expect(calls).toHaveLength(1);
    answerFirst(json(202, {}));
    await Promise.all([first, second]);
    expect(calls.map((c) => JSON.parse(c.body!).eventId)).toEqual(['evt-00000001', 'evt-00000002']);
  });

  it.each([
    [0, true],
    [200, false],
    [400, false],
    [403, false],
    [404, false],
    [408, true],
    [429, true],
    [500, true],
    [503, true],
  ])('when the answer is %i, then retryable is %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});

const BOOKING: BookingInput = {
  start: '2026-11-30T10:00:00.000+01:00',
  email: 'sam@acme.com',
  name: 'Sam Lee',
  timeZone: 'Europe/Berlin',
  idempotencyKey: 'key-0000000000000001',
  dialogueId: 'd1',
  conversationId: 'conv-0001',
  anonymousId: 'anon-0001',
};

const MEETING = {
  id: 'mtg-1',
  status: 'booked',
  start: '2026-11-30T10:00:00.000+01:00',
  end: '2026-11-30T10:30:00.000+01:00',
  timeZone: 'Europe/Berlin',
  agent: { id: 'agt_eli', name: 'Eli Moreau' },
  manageUrl: 'https://chat.acme.example/svc/chat/meetings/manage/tok',
  cancelUrl: 'https://chat.acme.example/svc/chat/meetings/manage/tok/cancel',
  rescheduleUrl: 'https://chat.acme.example/svc/chat/meetings/manage/tok/reschedule',
  icsUrl: 'https://chat.acme.example/svc/chat/meetings/manage/tok/invite.ics',
};

const FRESH = {
  timeZone: 'Europe/Berlin',
  durationMinutes: 30,
  days: [
    {
      date: '2026-11-30',
      slots: [{ start: '2026-11-30T11:00:00.000+01:00', end: '2026-11-30T11:30:00.000+01:00' }],
    },
  ],
};

describe('chat API client, booking', () => {
  it('when slots are asked for, then it GETs chat/slots with the day, the count and the zone', async () => {
    const { client, calls } = api([json(200, FRESH)]);
    expect(await client.slots({ from: '2026-11-30', days: 7, timeZone: 'Europe/Berlin' })).toEqual({
      ok: true,
      slots: FRESH,
    });
    expect(calls).toEqual([
      {
        url: 'https://chat.acme.example/svc/chat/slots?from=2026-11-30&days=7&timeZone=Europe%2FBerlin',
        method: 'GET',
        headers: {},
      },
    ]);
  });

  it('when the zone is refused, then slots give the service message', async () => {
    const { client, calls } = api([
      json(400, {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'timeZone: unknown time zone',
          field: 'timeZone',
        },
      }),
    ]);
    expect(await client.slots({ from: '2026-11-30', days: 7, timeZone: 'Mars/Base' })).toEqual({
      ok: false,
      message: 'Unknown time zone',
    });
    expect(calls).toHaveLength(1);
  });

  it('when a booking is accepted, then it POSTs the request with its key in the body and gives the meeting', async () => {
    const { client, calls } = api([json(201, { meeting: MEETING, replayed: false })]);
    expect(await client.book(BOOKING)).toEqual({ kind: 'ok', meeting: MEETING });
    expect(calls).toEqual([
      {
        url: 'https://chat.acme.example/svc/chat/meetings',
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(BOOKING),
      },
    ]);
  });

  it('when the booking meets network errors and a 502, then every retry sends the same key, and a replay counts as booked', async () => {
    const { client, calls, sleeps } = api([
      new TypeError('fetch failed'),
      json(502, {}),
      json(200, { meeting: MEETING, replayed: true }),
    ]);
    // Two delays by default, so the third attempt is the last.
    expect(await client.book(BOOKING)).toEqual({ kind: 'ok', meeting: MEETING });
    expect(calls.map((c) => JSON.parse(c.body!).idempotencyKey)).toEqual([
      BOOKING.idempotencyKey,
      BOOKING.idempotencyKey,
      BOOKING.idempotencyKey,
    ]);
    expect(new Set(calls.map((c) => c.body)).size).toBe(1);
    expect(sleeps).toEqual([500, 2000]);
  });

  it('when the booking never gets an answer, then it gives up with the generic message', async () => {
    const { client, calls } = api([
      new TypeError('fetch failed'),
      new TypeError('fetch failed'),
      new TypeError('fetch failed'),
    ]);
    expect(await client.book(BOOKING)).toEqual({ kind: 'refused', message: GENERIC_ERROR });
    expect(calls).toHaveLength(3);
  });

  it('when the slot was taken, then the outcome carries the message and the fresh slots, without retry', async () => {
    const { client, calls } = api([
      json(409, {
        error: {
          code: 'SLOT_TAKEN',
          message: 'That time is no longer available: please pick another slot',
          field: 'start',
        },
        slots: FRESH,
      }),
    ]);
    expect(await client.book(BOOKING)).toEqual({
      kind: 'taken',
      message: 'That time is no longer available: please pick another slot',
      slots: FRESH,
    });
    expect(calls).toHaveLength(1);
  });

  it('when the first try of the key is still being made elsewhere, then it asks again with the same key', async () => {
    const { client, calls } = api([
      json(409, {
        error: {
          code: 'BOOKING_IN_PROGRESS',
          message: 'This booking is still being made',
          field: 'idempotencyKey',
        },
      }),
      json(200, { meeting: MEETING, replayed: true }),
    ]);
    expect(await client.book(BOOKING)).toEqual({ kind: 'ok', meeting: MEETING });
    expect(calls.map((c) => JSON.parse(c.body!).idempotencyKey)).toEqual([
      BOOKING.idempotencyKey,
      BOOKING.idempotencyKey,
    ]);
  });

  it.each([
    [
      400,
      { code: 'VALIDATION_FAILED', message: 'start: not an available slot', field: 'start' },
      'Not an available slot',
    ],
    [
      503,
      {
        code: 'CALENDAR_PROVIDER_UNAVAILABLE',
        message:
          'The calendar service is not answering: no meeting was booked. Please try again shortly',
      },
      'The calendar service is not answering: no meeting was booked. Please try again shortly',
    ],
    [
      503,
      { code: 'NO_AGENTS_AVAILABLE', message: 'No agent can take meetings right now' },
      'No agent can take meetings right now',
    ],
  ])(
    'when the booking is answered %i, then the visitor reads the service message and nothing is retried',
    async (status, error, message) => {
      const { client, calls } = api([json(status, { error })]);
      expect(await client.book(BOOKING)).toEqual({ kind: 'refused', message });
      expect(calls).toHaveLength(1);
    },
  );

  it('when the visitor cancels, then it POSTs to the meeting cancel link as given', async () => {
    const cancelled = { ...MEETING, status: 'cancelled' };
    const { client, calls } = api([json(200, { meeting: cancelled })]);
    expect(await client.cancelMeeting(MEETING.cancelUrl)).toEqual({
      kind: 'ok',
      meeting: cancelled,
    });
    expect(calls).toEqual([
      {
        url: MEETING.cancelUrl,
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      },
    ]);
  });

  it.each([
    [0, undefined, true],
    [408, undefined, true],
    [429, 'RATE_LIMITED', true],
    [500, 'INTERNAL', true],
    [502, undefined, true],
    [503, 'CALENDAR_PROVIDER_UNAVAILABLE', false],
    [503, 'NO_AGENTS_AVAILABLE', false],
    [400, 'VALIDATION_FAILED', false],
    [409, 'SLOT_TAKEN', false],
    [409, 'BOOKING_IN_PROGRESS', true],
    [422, 'IDEMPOTENCY_KEY_REUSED', false],
  ])(
    'when a booking is answered %i %s, then retrying with its key is %s',
    (status, code, retry) => {
      expect(isRetryableBooking(status, code)).toBe(retry);
    },
  );
});

describe('chat API client, issue 11', () => {
  const BRANCH = {
    dialogueId: 'd1',
    dialogueVersion: 2,
    cardId: 'route',
    conversationId: 'conv-0001',
    visitor: { anonymousId: 'anon-0001' },
    answers: { size: 'mid' },
  };

  it('when a condition is asked, then it POSTs the answers to chat/branch and gives the next card', async () => {
    const { client, calls } = api([json(200, { next: 'paper' })]);
    expect(await client.branch(BRANCH)).toEqual({ next: 'paper' });
    expect(calls).toEqual([
      {
        url: 'https://chat.acme.example/svc/chat/branch',
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(BRANCH),
      },
    ]);
  });

  it('when the branch ends the conversation, then next is null', async () => {
    const { client } = api([json(200, { next: null })]);
    expect(await client.branch(BRANCH)).toEqual({ next: null });
  });

  it.each([
    [
      'the network fails every time',
      [new TypeError('offline'), new TypeError('x'), new TypeError('y')],
    ],
    ['the service does not know the route', [json(404, { error: { code: 'NOT_FOUND' } })]],
    ['the answer has no next', [json(200, { nope: 1 })]],
  ])('when %s, then there is no verdict (the card follows otherwise)', async (_l, answers) => {
    const { client } = api(answers);
    expect(await client.branch(BRANCH)).toBeNull();
  });

  it('when slots of a meeting type are asked, then the type goes in the query', async () => {
    const { client, calls } = api([json(200, { timeZone: 'UTC', durationMinutes: 15, days: [] })]);
    await client.slots({ from: '2026-11-30', days: 7, timeZone: 'UTC', meetingType: 'intro' });
    expect(calls[0]!.url).toBe(
      'https://chat.acme.example/svc/chat/slots?from=2026-11-30&days=7&timeZone=UTC&meetingType=intro',
    );
  });

  it('when the service gives no message, then the visitor reads the generic one in their language', async () => {
    const { fetch } = scriptedFetch([json(400, {})]);
    const client = createChatApi({
      baseUrl: 'https://chat.acme.example/',
      fetch,
      sleep: async () => {},
      genericError: 'Désolé',
    });
    expect(await client.sendEvent(event('evt-00000001'))).toEqual({ ok: false, message: 'Désolé' });
  });
});
