import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src/chat/chat-contract.js';
import {
  createChatApi,
  GENERIC_ERROR,
  isRetryableStatus,
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
      expect(await client.sendEvent(event('evt-00000001'))).toEqual({ ok: false, message });
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
