import express from 'express';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import type { ChatConfiguration } from '../../src/records/chat-configuration.js';
import type { Dialogue, DialogueContent } from '../../src/records/chat-dialogue.js';
import { createChatPublicRoutes } from '../../src/chat/chat-public-routes.js';
import {
  createFlexibleRateLimiter,
  type ChatRateLimits,
} from '../../src/chat/chat-public-rate-limit.js';
import { createDefaultConfiguration } from '../../src/chat/default-configuration.js';
import {
  createMunchkinLookup,
  createMunchkinLookupPerHour,
  type MunchkinLookup,
} from '../../src/chat/munchkin-lookup.js';
import { loadConfig } from '../../src/config.js';
import { createManualClock, type Clock } from '../../src/deps.js';
import { createErrorHandler, notFoundHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/store/index.js';

const SITE = 'https://www.example.com';
const PAGE = `${SITE}/pricing`;
const OWN = 'https://chat.service.example';
const T0 = '2026-11-24T12:00:00.000Z';

const ADA = { id: 101, email: 'ada@acme.example', firstName: 'Ada', company: 'Acme' };
const BOB = { id: 202, email: 'bob@globex.example', firstName: 'Bob', company: 'Globex' };

function configuration(overrides: Partial<ChatConfiguration> = {}): ChatConfiguration {
  return {
    ...createDefaultConfiguration(),
    allowedDomains: ['www.example.com', '*.shop.example'],
    blockedEmailDomains: ['mailinator.com'],
    ...overrides,
  };
}

function content(name: string, overrides: Partial<DialogueContent> = {}): DialogueContent {
  return {
    name,
    audience: { visitors: 'all', match: 'all', groups: [] },
    pages: { include: [`${SITE}/*`], exclude: [] },
    priority: 10,
    start: 'hello',
    cards: [
      {
        id: 'hello',
        type: 'message',
        text: 'Hi {{lead.firstName:"there"}}! How is {{lead.company:"your team"}}?',
        next: 'ask',
      },
      {
        id: 'ask',
        type: 'question',
        text: 'Shall we talk, {{lead.firstName:"friend"}}?',
        buttons: [{ label: 'Yes', next: 'mail' }],
      },
      { id: 'mail', type: 'email', text: 'Your email?', field: 'email', next: null },
    ],
    ...overrides,
  };
}

function dialogue(
  id: string,
  published: DialogueContent | null,
  options: { version?: number; enabled?: boolean; draft?: DialogueContent } = {},
): Dialogue {
  return {
    id,
    enabled: options.enabled ?? true,
    draft: options.draft ?? published ?? content(id),
    published:
      published === null
        ? null
        : { version: options.version ?? 1, content: published, publishedAt: T0 },
    createdAt: T0,
    updatedAt: T0,
  };
}

/** Marketo's cookie associations, for a fake Get Leads by cookie; and the calls it got. */
function fakeMarketoCookies(associations: Record<string, { id: number; email: string | null }>) {
  const calls: string[] = [];
  return {
    calls,
    getLeadsByCookie: async (cookie: string) => {
      calls.push(cookie);
      const lead = associations[cookie];
      return { leads: lead === undefined ? [] : [lead], serverTime: undefined };
    },
  };
}

const ADA_COOKIE = 'id:123-ABC-456&token:_mch-example.com-1764000000000-12345';

async function setup(
  options: {
    rateLimits?: Partial<ChatRateLimits>;
    munchkin?: (clock: Clock) => MunchkinLookup;
  } = {},
) {
  const store = createMemoryStore();
  const clock = createManualClock();
  await store.saveChatConfiguration(configuration());
  await store.applyLeadChanges({
    upserts: [ADA, BOB].map(({ id, ...fields }) => ({
      id,
      fields: { ...fields, lastName: 'Lovelace' },
      observedAt: clock.now(),
      source: 'sync' as const,
    })),
  });
  await store.saveDialogue(dialogue('welcome', content('Welcome')));
  let kicks = 0;
  const app = express();
  app.use(
    '/chat',
    createChatPublicRoutes({
      store,
      clock,
      logger: silentLogger,
      publicBaseUrl: `${OWN}/`,
      ...(options.munchkin ? { munchkin: options.munchkin(clock) } : {}),
      onEnqueued: () => {
        kicks += 1;
      },
      ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    }),
  );
  app.use(notFoundHandler);
  app.use(createErrorHandler(silentLogger));
  return { app, store, clock, kicks: () => kicks };
}

let sequence = 0;
function event(type: string, overrides: Record<string, unknown> = {}) {
  sequence += 1;
  return {
    type,
    dialogueId: 'welcome',
    dialogueVersion: 1,
    conversationId: 'conv-0001',
    eventId: `event-${String(sequence).padStart(4, '0')}`,
    pageUrl: PAGE,
    visitor: { anonymousId: 'anon-visitor-a' },
    ...overrides,
  };
}

const resolveBody = (visitor: Record<string, unknown>, pageUrl = PAGE) => ({ pageUrl, visitor });

/** Every key of a JSON value, nested. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  }
  return [];
}

describe('GET /chat/config', () => {
  it('when published, then one document with a strong ETag, cache headers and nothing private', async () => {
    const { app } = await setup();
    const res = await request(app).get('/chat/config').expect(200);
    expect(res.headers['etag']).toMatch(/^"[A-Za-z0-9_-]{16,}"$/);
    expect(res.headers['cache-control']).toBe('public, max-age=60, must-revalidate');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.configuration.bot.name).toBe('Assistant');
    expect(res.body.configuration).not.toHaveProperty('allowedDomains');
    expect(res.body.configuration).not.toHaveProperty('blockedEmailDomains');
    expect(res.body.dialogues).toEqual([
      expect.objectContaining({ id: 'welcome', version: 1, name: 'Welcome', start: 'hello' }),
    ]);
    const keys = keysOf(res.body);
    expect(keys).not.toContain('audience');
    expect(keys).not.toContain('pages');
    expect(keys.filter((k) => /secret|token|key|password/i.test(k))).toEqual([]);
    expect(res.text).not.toContain('mailinator');
  });

  it('when asked twice, then the ETag is the same', async () => {
    const { app } = await setup();
    const a = await request(app).get('/chat/config');
    const b = await request(app).get('/chat/config');
    expect(b.headers['etag']).toBe(a.headers['etag']);
    expect(b.text).toBe(a.text);
  });

  it.each([
    ['the tag', (tag: string) => tag],
    ['a weak form of the tag', (tag: string) => `W/${tag}`],
    ['a list holding the tag', (tag: string) => `"other", ${tag}`],
    ['*', () => '*'],
  ])('when If-None-Match is %s, then 304 with no body', async (_name, header) => {
    const { app } = await setup();
    const { headers } = await request(app).get('/chat/config');
    const etag = headers['etag'] as string;
    const res = await request(app).get('/chat/config').set('If-None-Match', header(etag));
    expect(res.status).toBe(304);
    expect(res.text).toBe('');
    expect(res.headers['etag']).toBe(etag);
    expect(res.headers['cache-control']).toContain('max-age=60');
  });

  it('when If-None-Match holds another tag, then the full document', async () => {
    const { app } = await setup();
    await request(app).get('/chat/config').set('If-None-Match', '"stale"').expect(200);
  });

  it('when only a draft is saved, then the ETag does not change; a publish changes it', async () => {
    const { app, store } = await setup();
    const before = (await request(app).get('/chat/config')).headers['etag'];
    const draft = content('Welcome', { priority: 99 });
    await store.saveDialogue(dialogue('welcome', content('Welcome'), { draft }));
    await store.saveDialogue(dialogue('unpublished', null));
    const afterDraft = (await request(app).get('/chat/config')).headers['etag'];
    expect(afterDraft).toBe(before);

    const anonymous = resolveBody({ anonymousId: 'anon-visitor-a' });
    await request(app).post('/chat/resolve').send(anonymous).expect(200);
    await store.saveDialogue(dialogue('welcome', draft, { version: 2, draft }));
    const resolved = await request(app).post('/chat/resolve').send(anonymous).expect(200);
    expect(resolved.body.dialogue.version).toBe(2);
    const res = await request(app)
      .get('/chat/config')
      .set('If-None-Match', before as string);
    expect(res.status).toBe(200);
    expect(res.headers['etag']).not.toBe(before);
    expect(res.body.dialogues[0].version).toBe(2);
  });

  it('when the configuration or a switch changes, then the ETag changes; an identical save does not', async () => {
    const { app, store } = await setup();
    const tag = async () => (await request(app).get('/chat/config')).headers['etag'] as string;
    const first = await tag();
    await store.saveChatConfiguration(configuration());
    expect(await tag()).toBe(first);

    await store.saveChatConfiguration(configuration({ privacyPolicyUrl: `${SITE}/privacy` }));
    const second = await tag();
    expect(second).not.toBe(first);

    await store.saveDialogue(dialogue('welcome', content('Welcome'), { enabled: false }));
    const third = await tag();
    expect(third).not.toBe(second);
    expect((await request(app).get('/chat/config')).body.dialogues).toEqual([]);
  });

  it('when several are published, then enabled ones only, highest priority first', async () => {
    const { app, store } = await setup();
    await store.saveDialogue(dialogue('low', content('Low', { priority: 1 })));
    await store.saveDialogue(dialogue('high', content('High', { priority: 500 })));
    await store.saveDialogue(
      dialogue('off', content('Off', { priority: 900 }), { enabled: false }),
    );
    const res = await request(app).get('/chat/config').expect(200);
    expect(res.body.dialogues.map((d: { id: string }) => d.id)).toEqual(['high', 'welcome', 'low']);
  });
});

describe('CORS', () => {
  it.each([
    ['a listed host', SITE],
    ['a subdomain under a wildcard', 'https://eu.shop.example'],
    ['the service itself', OWN],
  ])(
    'when the Origin is %s, then it is echoed, with Vary and no credentials',
    async (_n, origin) => {
      const { app } = await setup();
      const res = await request(app).get('/chat/config').set('Origin', origin).expect(200);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['vary']).toMatch(/Origin/);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers['access-control-expose-headers']).toContain('ETag');
    },
  );

  it.each([
    ['another site', 'https://evil.example'],
    ['the apex of a wildcard', 'https://shop.example'],
    ['a look-alike suffix', 'https://www.example.com.evil.example'],
    ['null', 'null'],
  ])('when the Origin is %s, then a GET carries no CORS header', async (_n, origin) => {
    const { app } = await setup();
    const res = await request(app).get('/chat/config').set('Origin', origin).expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['vary']).toMatch(/Origin/);
  });

  it('when a disallowed origin posts, then 403 and nothing is recorded', async () => {
    const { app, store } = await setup();
    const res = await request(app)
      .post('/chat/events')
      .set('Origin', 'https://evil.example')
      .send(event('triggered'))
      .expect(403);
    expect(res.body.error).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED', field: 'Origin' });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect((await store.dialogueStats('welcome')).triggered).toBe(0);
    await request(app)
      .post('/chat/resolve')
      .set('Origin', 'https://evil.example')
      .send(resolveBody({ anonymousId: 'anon-visitor-a' }))
      .expect(403);
  });

  it('when an allowed origin sends a preflight, then 204 with methods, headers and max-age', async () => {
    const { app } = await setup();
    const res = await request(app)
      .options('/chat/resolve')
      .set('Origin', SITE)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe(SITE);
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']).toMatch(/Content-Type/i);
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(res.headers['vary']).toMatch(/Origin/);
  });

  it('when a disallowed origin sends a preflight, then 403 without CORS headers', async () => {
    const { app } = await setup();
    const res = await request(app)
      .options('/chat/events')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST')
      .expect(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
  });
});

describe('POST /chat/resolve', () => {
  it('when the visitor is anonymous, then the dialogue with token defaults and known false', async () => {
    const { app } = await setup();
    const res = await request(app)
      .post('/chat/resolve')
      .set('Origin', SITE)
      .send(resolveBody({ anonymousId: 'anon-visitor-a' }))
      .expect(200);
    expect(res.headers['access-control-allow-origin']).toBe(SITE);
    expect(res.body.known).toBe(false);
    expect(res.body.dialogue).toMatchObject({ id: 'welcome', version: 1, start: 'hello' });
    expect(res.body.dialogue.cards[0].text).toBe('Hi there! How is your team?');
    expect(res.body.dialogue.cards[1].text).toBe('Shall we talk, friend?');
  });

  it("when a visitor gives a victim's address and then resolves, then no stored field of the victim shows and no audience on stored fields matches", async () => {
    const { app, store } = await setup();
    const company = {
      visitors: 'all' as const,
      match: 'all' as const,
      groups: [
        {
          match: 'all' as const,
          conditions: [{ field: 'company', operator: 'equals' as const, value: 'Acme' }],
        },
      ],
    };
    await store.saveDialogue(
      dialogue('acme', content('For Acme', { audience: company, priority: 90 })),
    );
    await request(app)
      .post('/chat/events')
      .send(event('email-given', { value: 'Ada@Acme.example' }))
      .expect(202);
    for (const visitor of [
      { anonymousId: 'anon-visitor-a' },
      { anonymousId: 'anon-visitor-a', email: ADA.email },
      { anonymousId: 'anon-visitor-z', email: ADA.email },
    ]) {
      const res = await request(app).post('/chat/resolve').send(resolveBody(visitor)).expect(200);
      expect(res.body.dialogue.id).toBe('welcome');
      expect(res.body.known).toBe(false);
      expect(res.body.dialogue.cards[0].text).toBe('Hi there! How is your team?');
      expect(res.text).not.toMatch(/Ada\b|Acme\b|Lovelace|Bob|Globex/);
    }
  });

  it('when the visitor typed their email, then a token for the email echoes it, and only to them', async () => {
    const { app, store } = await setup();
    const echo = content('Echo', {
      priority: 90,
      cards: [
        {
          id: 'hello',
          type: 'message',
          text: 'We will write to {{lead.email:"you"}}.',
          next: null,
        },
      ],
    });
    await store.saveDialogue(dialogue('echo', echo));
    await request(app)
      .post('/chat/events')
      .send(event('email-given', { value: 'Ada@Acme.example' }))
      .expect(202);
    const own = await request(app)
      .post('/chat/resolve')
      .send(resolveBody({ anonymousId: 'anon-visitor-a' }))
      .expect(200);
    expect(own.body.dialogue.cards[0].text).toBe('We will write to ada@acme.example.');
    const other = await request(app)
      .post('/chat/resolve')
      .send(resolveBody({ anonymousId: 'anon-visitor-b' }))
      .expect(200);
    expect(other.body.dialogue.cards[0].text).toBe('We will write to you.');
  });

  it('when Marketo associates the Munchkin cookie with a lead, then that lead personalises the dialogue and the visitor is known', async () => {
    const marketo = fakeMarketoCookies({ [ADA_COOKIE]: { id: ADA.id, email: ADA.email } });
    const { app } = await setup({
      munchkin: (clock) => createMunchkinLookup({ marketo, clock, logger: silentLogger }),
    });
    const res = await request(app)
      .post('/chat/resolve')
      .send(resolveBody({ anonymousId: 'fresh-browser-9', mktoTrk: ADA_COOKIE }))
      .expect(200);
    expect(res.body.known).toBe(true);
    expect(res.body.dialogue.cards[0].text).toBe('Hi Ada! How is Acme?');
    expect(marketo.calls).toEqual([ADA_COOKIE]);
  });

  it('when a cookie is unknown to Marketo, or was only sent along with a typed email, then it identifies no one', async () => {
    const marketo = fakeMarketoCookies({});
    const { app } = await setup({
      munchkin: (clock) => createMunchkinLookup({ marketo, clock, logger: silentLogger }),
    });
    const visitor = { anonymousId: 'anon-visitor-a', mktoTrk: ADA_COOKIE };
    await request(app)
      .post('/chat/events')
      .send(event('email-given', { value: 'ada@acme.example', visitor }))
      .expect(202);
    const res = await request(app)
      .post('/chat/resolve')
      .send(resolveBody({ anonymousId: 'fresh-browser-9', mktoTrk: ADA_COOKIE }))
      .expect(200);
    expect(res.body.known).toBe(false);
    expect(res.text).not.toMatch(/Ada\b|Acme\b/);
  });

  it('when many resolves carry one cookie, then Marketo is asked once until the entry expires', async () => {
    const marketo = fakeMarketoCookies({ [ADA_COOKIE]: { id: ADA.id, email: ADA.email } });
    let clock!: Clock & { advance(ms: number): void };
    const { app } = await setup({
      munchkin: (c) => {
        clock = c as typeof clock;
        return createMunchkinLookup({ marketo, clock: c, logger: silentLogger, ttlMs: 60_000 });
      },
    });
    const body = resolveBody({ anonymousId: 'fresh-browser-9', mktoTrk: ADA_COOKIE });
    await Promise.all([1, 2, 3].map(() => request(app).post('/chat/resolve').send(body)));
    for (let i = 0; i < 5; i += 1) await request(app).post('/chat/resolve').send(body);
    expect(marketo.calls).toHaveLength(1);
    clock.advance(60_001);
    await request(app).post('/chat/resolve').send(body).expect(200);
    expect(marketo.calls).toHaveLength(2);
  });

  it('when made-up cookies come faster than the lookup cap, then Marketo is not asked for the excess and those visitors are anonymous', async () => {
    const marketo = fakeMarketoCookies({ [ADA_COOKIE]: { id: ADA.id, email: ADA.email } });
    let clock!: Clock & { advance(ms: number): void };
    const { app } = await setup({
      munchkin: (c) => {
        clock = c as typeof clock;
        return createMunchkinLookup({
          marketo,
          clock: c,
          logger: silentLogger,
          burst: 3,
          refillMs: 20_000,
        });
      },
    });
    const resolve = (mktoTrk: string) =>
      request(app)
        .post('/chat/resolve')
        .send(resolveBody({ anonymousId: 'anon-visitor-f', mktoTrk }));
    for (let i = 0; i < 5; i += 1) await resolve(`id:123-ABC-456&token:_mch-fake.example-1-${i}`);
    expect(marketo.calls).toHaveLength(3);
    expect((await resolve(ADA_COOKIE)).body.known).toBe(false);
    expect(marketo.calls).toHaveLength(3);
    clock.advance(20_000);
    expect((await resolve(ADA_COOKIE)).body.known).toBe(true);
    expect(marketo.calls).toHaveLength(4);
    // Not a Munchkin cookie at all: never asked.
    await resolve('x'.repeat(40));
    expect(marketo.calls).toHaveLength(4);
  });

  it('when CHAT_COOKIE_LOOKUPS_PER_HOUR is 0, then there is no lookup; otherwise bursts of 20 at most', async () => {
    const marketo = fakeMarketoCookies({});
    const options = { marketo, clock: createManualClock(), logger: silentLogger };
    expect(createMunchkinLookupPerHour(options, 0)).toBeUndefined();
    const lookup = createMunchkinLookupPerHour(options, 180)!;
    for (let i = 0; i < 25; i += 1)
      await lookup.leadFor(`id:123-ABC-456&token:_mch-x.example-1-${i}`);
    expect(marketo.calls).toHaveLength(20);
    expect(loadConfig({}).chat.cookieLookupsPerHour).toBe(180);
  });

  it('when Marketo is slow, then resolve answers as for an anonymous visitor and the late answer serves the next one', async () => {
    let answer!: () => void;
    const marketo = {
      getLeadsByCookie: () =>
        new Promise<{ leads: Array<{ id: number; email: string }>; serverTime: undefined }>(
          (resolve) => {
            answer = () =>
              resolve({ leads: [{ id: ADA.id, email: ADA.email }], serverTime: undefined });
          },
        ),
    };
    const { app } = await setup({
      munchkin: (clock) =>
        createMunchkinLookup({
          marketo,
          clock,
          logger: silentLogger,
          wait: () => Promise.resolve(),
        }),
    });
    const body = resolveBody({ anonymousId: 'fresh-browser-9', mktoTrk: ADA_COOKIE });
    const first = await request(app).post('/chat/resolve').send(body).expect(200);
    expect(first.body.known).toBe(false);
    expect(first.body.dialogue.cards[0].text).toBe('Hi there! How is your team?');
    answer();
    const next = await request(app).post('/chat/resolve').send(body).expect(200);
    expect(next.body.dialogue.cards[0].text).toBe('Hi Ada! How is Acme?');
  });

  it('when the audience is known visitors, then a typed email does not qualify and a cookie Marketo knows does', async () => {
    const marketo = fakeMarketoCookies({ [ADA_COOKIE]: { id: ADA.id, email: ADA.email } });
    const { app, store } = await setup({
      munchkin: (clock) => createMunchkinLookup({ marketo, clock, logger: silentLogger }),
    });
    const audience = { visitors: 'known' as const, match: 'all' as const, groups: [] };
    await store.saveDialogue(dialogue('vip', content('VIP', { audience, priority: 100 })));
    await request(app)
      .post('/chat/events')
      .send(event('email-given', { value: 'ada@acme.example' }))
      .expect(202);
    const typed = await request(app)
      .post('/chat/resolve')
      .send(resolveBody({ anonymousId: 'anon-visitor-a' }));
    expect(typed.body.dialogue.id).toBe('welcome');
    const cookie = await request(app)
      .post('/chat/resolve')
      .send(resolveBody({ anonymousId: 'anon-visitor-a', mktoTrk: ADA_COOKIE }));
    expect(cookie.body.dialogue.id).toBe('vip');
  });

  it('when chat is switched off, then nothing is served', async () => {
    const { app, store } = await setup();
    await store.saveChatConfiguration(configuration({ chatEnabled: false }));
    const res = await request(app)
      .post('/chat/resolve')
      .send(resolveBody({ anonymousId: 'anon-visitor-a' }))
      .expect(200);
    expect(res.body).toEqual({ dialogue: null, reason: 'chat disabled', known: false });
    expect(res.headers['cache-control']).toBe('no-store');
    const config = await request(app).get('/chat/config').expect(200);
    expect(config.body.configuration.chatEnabled).toBe(false);
    expect(config.body.dialogues).toEqual([]);
  });

  it('when no dialogue targets the page, then null with a reason that reveals no audience', async () => {
    const { app } = await setup();
    const res = await request(app)
      .post('/chat/resolve')
      .send(resolveBody({ anonymousId: 'anon-visitor-a' }, 'https://other.example/'))
      .expect(200);
    expect(res.body).toEqual({ dialogue: null, reason: 'no dialogue for this page', known: false });
  });

  it('when the visitor completed the dialogue, then it is not offered again', async () => {
    const { app } = await setup();
    await request(app)
      .post('/chat/resolve')
      .send(resolveBody({ anonymousId: 'anon-visitor-a' }))
      .expect(200);
    await request(app).post('/chat/events').send(event('completed')).expect(202);
    const res = await request(app)
      .post('/chat/resolve')
      .send(resolveBody({ anonymousId: 'anon-visitor-a' }))
      .expect(200);
    expect(res.body.dialogue).toBeNull();
    const other = await request(app)
      .post('/chat/resolve')
      .send(resolveBody({ anonymousId: 'anon-visitor-b' }));
    expect(other.body.dialogue.id).toBe('welcome');
  });

  it('when the body is JSON sent as text/plain (no preflight), then it is read', async () => {
    const { app } = await setup();
    const res = await request(app)
      .post('/chat/resolve')
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify(resolveBody({ anonymousId: 'anon-visitor-a' })))
      .expect(200);
    expect(res.body.dialogue.id).toBe('welcome');
  });

  it.each([
    ['no page URL', { visitor: { anonymousId: 'anon-visitor-a' } }, 'pageUrl'],
    [
      'a non-http page URL',
      resolveBody({ anonymousId: 'anon-visitor-a' }, 'ftp://x.example/'),
      'pageUrl',
    ],
    ['a short anonymous id', resolveBody({ anonymousId: 'abc' }), 'visitor.anonymousId'],
    [
      'a bad email',
      resolveBody({ anonymousId: 'anon-visitor-a', email: 'not-mail' }),
      'visitor.email',
    ],
    [
      'a long cookie',
      resolveBody({ anonymousId: 'anon-visitor-a', mktoTrk: 'x'.repeat(201) }),
      'visitor.mktoTrk',
    ],
    ['no visitor', { pageUrl: PAGE }, 'visitor'],
    ['an array', [], 'body'],
  ])('when the body has %s, then 400 naming %s', async (_n, body, field) => {
    const { app } = await setup();
    const res = await request(app)
      .post('/chat/resolve')
      .send(body as object)
      .expect(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field });
  });

  it('when the body is not JSON, then 400 INVALID_JSON', async () => {
    const { app } = await setup();
    const res = await request(app)
      .post('/chat/resolve')
      .set('Content-Type', 'application/json')
      .send('{"pageUrl":')
      .expect(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_JSON', field: 'body' });
  });

  it('when the body is a form, then 415 naming the body', async () => {
    const { app } = await setup();
    const res = await request(app)
      .post('/chat/resolve')
      .type('form')
      .send({ pageUrl: PAGE })
      .expect(415);
    expect(res.body.error).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', field: 'body' });
  });

  it('when the body is over 8 kB, then it is refused naming the body', async () => {
    const { app } = await setup();
    const res = await request(app)
      .post('/chat/resolve')
      .send({ ...resolveBody({ anonymousId: 'anon-visitor-a' }), padding: 'x'.repeat(9000) });
    expect([400, 413]).toContain(res.status);
    expect(res.body.error.field).toBe('body');
  });
});

describe('POST /chat/events', () => {
  it('when the same event is sent twice, then it is counted once', async () => {
    const { app, store } = await setup();
    const body = event('goal-reached', { value: 'pricing-viewed' });
    const first = await request(app).post('/chat/events').set('Origin', SITE).send(body);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ recorded: true });
    const again = await request(app).post('/chat/events').send(body).expect(202);
    expect(again.body).toEqual({ recorded: false });
    expect((await store.dialogueStats('welcome')).goalsReached).toBe(1);
  });

  it('when each kind of event arrives, then its report counter moves', async () => {
    const { app, store } = await setup();
    for (const [type, value] of [
      ['triggered', undefined],
      ['engaged', undefined],
      ['email-given', 'new.person@startup.example'],
      ['goal-reached', 'demo-asked'],
      ['meeting-booked', 'meeting-1'],
      ['completed', undefined],
    ] as const) {
      await request(app)
        .post('/chat/events')
        .send(event(type, value === undefined ? {} : { value }))
        .expect(202);
    }
    expect(await store.dialogueStats('welcome')).toEqual({
      triggered: 1,
      engaged: 1,
      completed: 1,
      peopleAcquired: 1,
      meetingsBooked: 1,
      goalsReached: 1,
    });
  });

  it('when the email is from a blocked domain, then 400 naming value and nothing recorded', async () => {
    const { app, store } = await setup();
    const res = await request(app)
      .post('/chat/events')
      .send(event('email-given', { value: 'someone@Mailinator.com' }))
      .expect(400);
    expect(res.body.error).toMatchObject({ code: 'EMAIL_DOMAIN_BLOCKED', field: 'value' });
    expect((await store.dialogueStats('welcome')).peopleAcquired).toBe(0);
    expect(await store.listOutbox()).toEqual([]);
  });

  it.each(['triggered', 'engaged', 'goal-reached', 'meeting-booked', 'completed'])(
    'when a %s event carries an email at a blocked domain, then it is counted and no lead is created or linked',
    async (type) => {
      const { app, store } = await setup();
      const visitor = { anonymousId: 'anon-visitor-a', email: 'blocked.person@Mailinator.com' };
      const value = type === 'goal-reached' || type === 'meeting-booked' ? 'x-1' : undefined;
      await request(app)
        .post('/chat/events')
        .send(event(type, { visitor, ...(value === undefined ? {} : { value }) }))
        .expect(202);
      expect(Object.values(await store.dialogueStats('welcome')).reduce((a, b) => a + b)).toBe(1);
      expect(await store.listOutbox()).toEqual([]);
      expect(await store.findVisitorEmail({ anonymousId: 'anon-visitor-a' })).toBeUndefined();
    },
  );

  it.each([
    ['an email-given without an email', event('email-given', { value: 'nope' }), 'value'],
    ['an unknown type', event('clicked'), 'type'],
    ['an unknown dialogue', event('triggered', { dialogueId: 'ghost' }), 'dialogueId'],
    ['a version never published', event('triggered', { dialogueVersion: 7 }), 'dialogueVersion'],
    ['a bad event id', event('triggered', { eventId: 'a b' }), 'eventId'],
    ['a value too long', event('goal-reached', { value: 'g'.repeat(255) }), 'value'],
  ])('when the event has %s, then 400 naming %s', async (_n, body, field) => {
    const { app } = await setup();
    const res = await request(app).post('/chat/events').send(body).expect(400);
    expect(res.body.error.field).toBe(field);
  });

  it('when an anonymous visitor gives a new email, then a lead upsert is enqueued and the worker kicked', async () => {
    const { app, store, kicks } = await setup();
    await request(app)
      .post('/chat/events')
      .send(event('email-given', { value: 'New.Person@Startup.example' }))
      .expect(202);
    const items = await store.listOutbox();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      kind: 'marketo-lead-upsert',
      payload: {
        email: 'new.person@startup.example',
        activity: {
          type: 'email-given',
          dialogueName: 'Welcome',
          value: 'new.person@startup.example',
        },
      },
    });
    expect(kicks()).toBe(1);
  });

  it('when a linked visitor acts, then an activity for their lead id is enqueued; anonymous ones none', async () => {
    const { app, store } = await setup();
    await request(app)
      .post('/chat/events')
      .send(
        event('triggered', {
          conversationId: 'conv-of-z-0001',
          visitor: { anonymousId: 'anon-visitor-z' },
        }),
      )
      .expect(202);
    expect(await store.listOutbox()).toEqual([]);
    await request(app)
      .post('/chat/events')
      .send(event('email-given', { value: ADA.email }))
      .expect(202);
    await request(app)
      .post('/chat/events')
      .send(event('goal-reached', { value: 'demo' }))
      .expect(202);
    const kinds = (await store.listOutbox()).map((i) => [
      i.kind,
      (i.payload as { leadId?: number }).leadId,
    ]);
    expect(kinds).toEqual([
      ['marketo-chat-activity', ADA.id],
      ['marketo-chat-activity', ADA.id],
    ]);
  });
});

describe('events of a conversation before it is known', () => {
  it('when triggered and engaged come before the email, then the email-given write enqueues them with it, once each', async () => {
    const { app, store } = await setup();
    const triggered = event('triggered');
    const engaged = event('engaged');
    await request(app).post('/chat/events').send(triggered).expect(202);
    await request(app).post('/chat/events').send(engaged).expect(202);
    expect(await store.listOutbox()).toEqual([]);

    const given = event('email-given', { value: ADA.email });
    await request(app).post('/chat/events').send(given).expect(202);
    const written = async () =>
      (await store.listOutbox()).map((item) => {
        const { leadId, activity } = item.payload as {
          leadId: number;
          activity: { eventId: string; type: string; identity: string };
        };
        return [item.dedupeKey, leadId, activity.type, activity.identity];
      });
    expect(await written()).toEqual(
      expect.arrayContaining([
        [`chat-activity:conv-0001:${triggered.eventId}`, ADA.id, 'triggered', 'typed'],
        [`chat-activity:conv-0001:${engaged.eventId}`, ADA.id, 'engaged', 'typed'],
        [`chat-activity:conv-0001:${given.eventId}`, ADA.id, 'email-given', 'typed'],
      ]),
    );
    expect(await written()).toHaveLength(3);

    // Repeats and later events add only their own write.
    await request(app).post('/chat/events').send(triggered).expect(202);
    await request(app).post('/chat/events').send(given).expect(202);
    const done = event('completed');
    await request(app).post('/chat/events').send(done).expect(202);
    expect(await written()).toHaveLength(4);
    expect(await written()).toContainEqual([
      `chat-activity:conv-0001:${done.eventId}`,
      ADA.id,
      'completed',
      'typed',
    ]);
  });

  it('when a visitor Marketo knows by cookie comes back, then the events held before are written to that lead marked cookie', async () => {
    const marketo = fakeMarketoCookies({ [ADA_COOKIE]: { id: ADA.id, email: ADA.email } });
    const { app, store } = await setup({
      munchkin: (clock) => createMunchkinLookup({ marketo, clock, logger: silentLogger }),
    });
    const triggered = event('triggered');
    await request(app).post('/chat/events').send(triggered).expect(202);
    expect(await store.listOutbox()).toEqual([]);
    const engaged = event('engaged', {
      visitor: { anonymousId: 'anon-visitor-a', mktoTrk: ADA_COOKIE },
    });
    await request(app).post('/chat/events').send(engaged).expect(202);
    expect(
      (await store.listOutbox()).map((item) => {
        const { leadId, activity } = item.payload as {
          leadId: number;
          activity: { identity: string };
        };
        return [leadId, activity.identity];
      }),
    ).toEqual([
      [ADA.id, 'cookie'],
      [ADA.id, 'cookie'],
    ]);
  });

  it('when a visitor known by cookie types another address, then their activities go to the typed address from then on, marked typed', async () => {
    const marketo = fakeMarketoCookies({ [ADA_COOKIE]: { id: ADA.id, email: ADA.email } });
    const { app, store } = await setup({
      munchkin: (clock) => createMunchkinLookup({ marketo, clock, logger: silentLogger }),
    });
    const visitor = { anonymousId: 'anon-visitor-a', mktoTrk: ADA_COOKIE };
    for (const body of [
      event('engaged', { visitor }),
      event('email-given', { visitor, value: BOB.email }),
      event('goal-reached', { visitor, value: 'demo' }),
    ]) {
      await request(app).post('/chat/events').send(body).expect(202);
    }
    const targets = (await store.listOutbox()).map((item) => {
      const { leadId, activity } = item.payload as {
        leadId: number;
        activity: { type: string; identity: string };
      };
      return [activity.type, leadId, activity.identity];
    });
    expect(targets).toEqual(
      expect.arrayContaining([
        ['engaged', ADA.id, 'cookie'],
        ['email-given', BOB.id, 'typed'],
        ['goal-reached', BOB.id, 'typed'],
      ]),
    );
    expect(targets).toHaveLength(3);
  });

  it('when the visitor never becomes known, then nothing is written and other conversations are untouched', async () => {
    const { app, store } = await setup();
    await request(app).post('/chat/events').send(event('triggered')).expect(202);
    await request(app)
      .post('/chat/events')
      .send(event('email-given', { conversationId: 'conv-other-01', value: ADA.email }))
      .expect(202);
    expect((await store.listOutbox()).map((item) => item.dedupeKey)).toEqual([
      expect.stringMatching(/^chat-activity:conv-other-01:/),
    ]);
  });
});

describe('rate limit', () => {
  it('when a client goes over its limit, then 429 with RateLimit headers, and X-Forwarded-For does not reset it', async () => {
    const { app } = await setup({ rateLimits: { config: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i += 1) {
      const ok = await request(app).get('/chat/config').set('Origin', SITE).expect(200);
      expect(ok.headers['ratelimit-limit']).toBe('3');
      expect(ok.headers['ratelimit-remaining']).toBe(String(2 - i));
      expect(ok.headers['ratelimit-reset']).toBe('60');
    }
    const limited = await request(app).get('/chat/config').set('Origin', SITE).expect(429);
    expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.headers['ratelimit-policy']).toBe('3;w=60');
    expect(limited.headers['access-control-allow-origin']).toBe(SITE);
    await request(app).get('/chat/config').set('X-Forwarded-For', '203.0.113.9').expect(429);
    // Routes have their own budgets.
    await request(app)
      .post('/chat/resolve')
      .send(resolveBody({ anonymousId: 'anon-visitor-a' }))
      .expect(200);
  });

  it('when the window ends, then the client has its whole budget again', async () => {
    const { app, clock } = await setup({ rateLimits: { config: 1, windowMs: 60_000 } });
    // rate-limiter-flexible reads Date.now(): it moves with the manual clock here.
    vi.useFakeTimers({ toFake: ['Date'], now: clock.now() });
    const advance = (ms: number) => (clock.advance(ms), vi.setSystemTime(clock.now()));
    try {
      await request(app).get('/chat/config').set('Origin', SITE).expect(200);
      advance(59_500);
      const limited = await request(app).get('/chat/config').set('Origin', SITE).expect(429);
      expect(limited.headers['retry-after']).toBe('1');
      advance(500);
      const ok = await request(app).get('/chat/config').set('Origin', SITE).expect(200);
      expect(ok.headers['ratelimit-remaining']).toBe('0');
    } finally {
      vi.useRealTimers();
    }
  });

  it('when more clients come than it tracks, then the least recently seen is forgotten', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 0 });
    try {
      const limiter = createFlexibleRateLimiter({
        name: 'cap',
        limit: 1,
        windowMs: 1_000,
        maxClients: 2,
      });
      expect(await limiter.hit('a')).toMatchObject({ allowed: true });
      vi.setSystemTime(10);
      expect((await limiter.hit('a')).allowed).toBe(false);
      await limiter.hit('b');
      await limiter.hit('c'); // over the cap: 'a' is forgotten
      vi.setSystemTime(40);
      expect(await limiter.hit('a')).toMatchObject({ allowed: true, resetMs: 1_000 });
      expect((await limiter.hit('a')).allowed).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('when clients call, then each has its own window, which ends on time', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 0 });
    try {
      const limiter = createFlexibleRateLimiter({ name: 'test', limit: 1, windowMs: 1_000 });
      expect(await limiter.hit('a')).toEqual({ allowed: true, remaining: 0, resetMs: 1_000 });
      vi.setSystemTime(10);
      expect(await limiter.hit('a')).toMatchObject({ allowed: false, resetMs: 990 });
      expect((await limiter.hit('b')).allowed).toBe(true);
      vi.setSystemTime(1_000);
      expect(await limiter.hit('a')).toMatchObject({ allowed: true, resetMs: 1_000 });
      expect((await limiter.hit('b')).allowed).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});
