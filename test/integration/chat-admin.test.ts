import type { Express } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { ChatConfiguration } from '../../src/records/chat-configuration.js';
import type { DialogueContent } from '../../src/records/chat-dialogue.js';
import { createDefaultConfiguration } from '../../src/chat/default-configuration.js';
import {
  createDialogueThroughApi as create,
  createTestApp,
  draft,
  T0,
} from '../helpers/chat-admin-app.js';

const pricingForGermans = (): DialogueContent =>
  draft({
    name: 'Pricing DE',
    priority: 50,
    pages: { include: ['https://example.com/pricing'], exclude: [] },
    audience: {
      visitors: 'known',
      match: 'all',
      groups: [
        { match: 'all', conditions: [{ field: 'country', operator: 'equals', value: 'DE' }] },
      ],
    },
  });

describe('chat admin API: configuration', () => {
  it('when nothing was saved, then GET answers the defaults', async () => {
    const { app } = createTestApp();
    const res = await request(app).get('/api/configuration').expect(200);
    expect(res.body).toEqual(createDefaultConfiguration());
  });

  it('when a valid configuration is PUT, then it is saved, normalised, and GET answers it', async () => {
    const { app, store } = createTestApp();
    const configuration: ChatConfiguration = {
      ...createDefaultConfiguration(),
      chatEnabled: false,
      style: {
        ...createDefaultConfiguration().style,
        launcher: { position: 'bottom-left', paddingPx: 32 },
      },
      bot: {
        name: 'Ada',
        headerLabel: 'Acme Assistant',
        avatar: {
          url: 'https://cdn.example.com/ada.png',
          type: 'image/png',
          sizeBytes: 20_000,
          widthPx: 128,
          heightPx: 128,
        },
        responseDelaySeconds: 1.5,
        notificationSound: false,
      },
      privacyPolicyUrl: 'https://example.com/privacy',
      allowedDomains: ['Example.com', '*.example.com'],
      blockedEmailDomains: ['gmail.com'],
    };

    const res = await request(app).put('/api/configuration').send(configuration).expect(200);

    const saved = { ...configuration, allowedDomains: ['example.com', '*.example.com'] };
    expect(res.body).toEqual(saved);
    expect((await request(app).get('/api/configuration').expect(200)).body).toEqual(saved);
    expect(await store.chatRevision()).toBe(1);
  });

  it('when a configuration has several bad fields, then 400 names the first, lists every one, and nothing is saved', async () => {
    const { app, store, errors } = createTestApp();
    const defaults = createDefaultConfiguration();
    const bad = {
      ...defaults,
      style: {
        ...defaults.style,
        colours: { ...defaults.style.colours, primary: 'blue' },
        launcher: { position: 'top-right', paddingPx: 20 },
      },
      bot: {
        ...defaults.bot,
        avatar: {
          url: 'https://cdn.example.com/a.bmp',
          type: 'image/bmp',
          sizeBytes: 300_000,
          widthPx: 100,
          heightPx: 100,
        },
        responseDelaySeconds: -1,
      },
      privacyPolicyUrl: 'javascript:alert(1)',
      allowedDomains: ['example.com', 'not a domain'],
    };

    const res = await request(app).put('/api/configuration').send(bad).expect(400);

    const expectedFields = [
      'style.colours.primary',
      'style.launcher.position',
      'bot.avatar.type',
      'bot.avatar.sizeBytes',
      'bot.responseDelaySeconds',
      'privacyPolicyUrl',
      'allowedDomains.1',
    ];
    expect(res.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'style.colours.primary',
    });
    for (const field of expectedFields) expect(res.body.error.message).toContain(field);
    expect(errors[0]?.details?.issues).toEqual(
      expectedFields.map((field) => ({ field, message: expect.any(String) })),
    );
    expect(await store.getChatConfiguration()).toBeUndefined();
    expect((await request(app).get('/api/configuration')).body).toEqual(defaults);
  });

  it.each([
    ['no body', undefined, 'body'],
    ['a partial document', { chatEnabled: false }, 'style'],
    [
      'an avatar that is not square',
      { bot: { avatar: { widthPx: 100, heightPx: 120 } } },
      'bot.avatar.widthPx',
    ],
  ])('when PUT gets %s, then 400 names %s', async (_label, body, field) => {
    const { app, store } = createTestApp();
    const defaults = createDefaultConfiguration();
    const merged =
      body && 'bot' in body
        ? {
            ...defaults,
            bot: {
              ...defaults.bot,
              avatar: {
                url: 'https://cdn.example.com/a.png',
                type: 'image/png',
                sizeBytes: 1000,
                ...body.bot.avatar,
              },
            },
          }
        : body;
    const res = await request(app).put('/api/configuration').send(merged).expect(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field });
    expect(await store.getChatConfiguration()).toBeUndefined();
  });
});

describe('chat admin API: dialogues', () => {
  it('when a dialogue is created, then it holds the draft, is unpublished, switched on, and listed', async () => {
    const { app } = createTestApp();
    const res = await request(app).post('/api/dialogues').send(draft()).expect(201);

    expect(res.headers.location).toBe('/api/dialogues/dlg-1');
    expect(res.body).toMatchObject({
      id: 'dlg-1',
      enabled: true,
      draft: draft(),
      published: null,
      hasUnpublishedChanges: true,
      createdAt: new Date(T0).toISOString(),
      stats: {
        triggered: 0,
        engaged: 0,
        completed: 0,
        peopleAcquired: 0,
        meetingsBooked: 0,
        goalsReached: 0,
      },
    });
    const list = await request(app).get('/api/dialogues').expect(200);
    expect(list.body).toEqual({
      chatEnabled: true,
      dialogues: [
        {
          id: 'dlg-1',
          name: 'Welcome',
          enabled: true,
          published: null,
          hasUnpublishedChanges: true,
          createdAt: new Date(T0).toISOString(),
          updatedAt: new Date(T0).toISOString(),
        },
      ],
    });
    expect((await request(app).get('/api/dialogues/dlg-1').expect(200)).body).toEqual(res.body);
  });

  it('when a draft is invalid, then 400 names each bad field and nothing is saved', async () => {
    const { app, store, errors } = createTestApp();
    const bad = {
      ...draft(),
      priority: 5000,
      pages: { include: ['https://example.com/?a=1'], exclude: [] },
      cards: [{ id: 'hi', type: 'message', text: '', next: null }],
    };

    const res = await request(app).post('/api/dialogues').send(bad).expect(400);

    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'pages.include.0' });
    const issues = errors[0]?.details?.issues as Array<{ field: string }>;
    expect(issues.map((issue) => issue.field)).toEqual([
      'pages.include.0',
      'priority',
      'cards.0.text',
    ]);
    expect(await store.listDialogues()).toEqual([]);
  });

  it('when the draft changes after publishing, then visitors keep the published version until the next publish', async () => {
    const { app, clock } = createTestApp();
    await create(app);
    clock.advance(60_000);
    const first = (await request(app).post('/api/dialogues/dlg-1/publish').expect(200)).body;
    clock.advance(60_000);
    const edited = draft({
      cards: [{ id: 'hi', type: 'message', text: 'New greeting', next: null }],
    });

    const res = await request(app).put('/api/dialogues/dlg-1/draft').send(edited).expect(200);

    expect(res.body.draft).toEqual(edited);
    expect(res.body.published).toEqual(first.published);
    expect(res.body.hasUnpublishedChanges).toBe(true);
    expect(first.published).toEqual({
      version: 1,
      content: draft(),
      publishedAt: new Date(T0 + 60_000).toISOString(),
    });
  });

  it('when a dialogue is republished, then the version goes up and the version a running conversation holds is unchanged', async () => {
    const { app, store, clock } = createTestApp();
    await create(app);
    await request(app).post('/api/dialogues/dlg-1/publish').expect(200);
    // A visitor starts a conversation on version 1: the widget keeps the version and its cards.
    const running = (await store.getDialogue('dlg-1'))!.published!;
    const revisionBefore = await store.chatRevision();

    clock.advance(1_000);
    const edited = draft({
      cards: [{ id: 'hi', type: 'message', text: 'Version two', next: null }],
    });
    await request(app).put('/api/dialogues/dlg-1/draft').send(edited).expect(200);
    const res = await request(app).post('/api/dialogues/dlg-1/publish').expect(200);

    expect(res.body.published).toMatchObject({ version: 2, content: edited });
    expect(res.body).toMatchObject({
      publishedNow: true,
      hasUnpublishedChanges: false,
      warnings: [],
    });
    expect(running.version).toBe(1);
    expect(running.content).toEqual(draft());
    expect(Object.isFrozen(running.content.cards[0])).toBe(true);
    expect(await store.chatRevision()).toBe(revisionBefore + 1);
    // An event of the running conversation still counts for the dialogue.
    await store.recordChatEvent({
      event: {
        type: 'completed',
        dialogueId: 'dlg-1',
        dialogueVersion: running.version,
        conversationId: 'conv-0001',
        eventId: 'event-0001',
        pageUrl: 'https://example.com/',
        visitor: { anonymousId: 'anon-0001' },
      },
      now: T0,
      counters: { completed: 1 },
    });
    expect((await request(app).get('/api/dialogues/dlg-1')).body.stats.completed).toBe(1);
  });

  it('when an unchanged draft is published again, then nothing changes (a retried publish is harmless)', async () => {
    const { app, store } = createTestApp();
    await create(app);
    const first = (await request(app).post('/api/dialogues/dlg-1/publish').expect(200)).body;
    const revision = await store.chatRevision();

    const again = await request(app).post('/api/dialogues/dlg-1/publish').expect(200);

    expect(again.body).toMatchObject({ publishedNow: false, published: first.published });
    expect(await store.chatRevision()).toBe(revision);
  });

  it('when the draft would break the widget, then publishing answers 400 listing every problem and nothing is published', async () => {
    const { app, store, errors } = createTestApp();
    const broken = draft({
      cards: [
        { id: 'hi', type: 'message', text: 'Hi', next: 'ask' },
        {
          id: 'ask',
          type: 'question',
          text: 'Book?',
          buttons: [
            { label: 'Yes', next: 'book' },
            { label: 'Later', next: 'ghost' },
          ],
        },
        { id: 'book', type: 'booking', text: 'Pick', routing: 'round-robin', next: 'book2' },
        { id: 'book2', type: 'booking', text: 'Again', routing: 'agent', next: null },
      ],
    });
    await create(app, broken);

    const res = await request(app).post('/api/dialogues/dlg-1/publish').expect(400);

    expect(res.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'cards.1.buttons.1.next',
    });
    expect(res.body.error.message).toMatch(/cannot be published/);
    expect(errors[0]?.details?.issues).toEqual([
      { field: 'cards.1.buttons.1.next', message: 'leads to card "ghost", which does not exist' },
      { field: 'cards.3', message: expect.stringMatching(/second meeting booking/) },
      { field: 'cards.3.agentEmail', message: expect.any(String) },
    ]);
    expect((await store.getDialogue('dlg-1'))!.published).toBeNull();
    expect(await store.chatRevision()).toBe(0);
  });

  it('when a published draft has cards no path reaches, then it publishes with a warning', async () => {
    const { app } = createTestApp();
    const withParked = draft();
    withParked.cards.push({ id: 'parked', type: 'message', text: 'Later', next: null });
    await create(app, withParked);

    const res = await request(app).post('/api/dialogues/dlg-1/publish').expect(200);

    expect(res.body.warnings).toEqual(['no path reaches the cards parked']);
  });

  it('when a dialogue is switched off and on, then the switch is saved and the revision moves each time', async () => {
    const { app, store } = createTestApp();
    await create(app);
    await request(app).post('/api/dialogues/dlg-1/publish').expect(200);

    const off = await request(app).post('/api/dialogues/dlg-1/disable').expect(200);
    await request(app).post('/api/dialogues/dlg-1/disable').expect(200);
    expect(off.body.enabled).toBe(false);
    expect(await store.chatRevision()).toBe(2);
    const on = await request(app).post('/api/dialogues/dlg-1/enable').expect(200);
    expect(on.body.enabled).toBe(true);
    expect(await store.chatRevision()).toBe(3);
  });

  it('when a dialogue is deleted, then it is gone and a second delete answers 404', async () => {
    const { app } = createTestApp();
    await create(app);
    await request(app).delete('/api/dialogues/dlg-1').expect(204);
    await request(app).get('/api/dialogues/dlg-1').expect(404);
    const again = await request(app).delete('/api/dialogues/dlg-1').expect(404);
    expect(again.body.error.code).toBe('NOT_FOUND');
  });

  it.each([
    ['get', '/api/dialogues/nope'],
    ['put', '/api/dialogues/nope/draft'],
    ['post', '/api/dialogues/nope/publish'],
    ['post', '/api/dialogues/nope/enable'],
    ['post', '/api/dialogues/nope/disable'],
  ] as const)('when %s %s names no dialogue, then 404', async (method, path) => {
    const { app } = createTestApp();
    const res = await request(app)[method](path).send(draft()).expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});

describe('chat admin API: preview', () => {
  async function setUp() {
    const context = createTestApp();
    const { app, store } = context;
    await store.applyLeadChanges({
      upserts: [
        {
          id: 7,
          fields: { email: 'anna@example.de', firstName: 'Anna', country: 'DE' },
          observedAt: T0,
          source: 'sync',
        },
        {
          id: 8,
          fields: { email: 'bob@example.com', country: 'US' },
          observedAt: T0,
          source: 'sync',
        },
      ],
    });
    await request(app).post('/api/dialogues').send(pricingForGermans()).expect(201); // dlg-1
    await request(app).post('/api/dialogues').send(draft()).expect(201); // dlg-2
    await request(app)
      .post('/api/dialogues')
      .send(draft({ name: 'Never published' }))
      .expect(201); // dlg-3
    await request(app).post('/api/dialogues/dlg-1/publish').expect(200);
    await request(app).post('/api/dialogues/dlg-2/publish').expect(200);
    return context;
  }

  const preview = (app: Express, body: object) =>
    request(app).post('/api/dialogues/preview').send(body);

  it('when an anonymous visitor opens the pricing page, then the welcome shows and each other dialogue says why not', async () => {
    const { app } = await setUp();
    const res = await preview(app, { pageUrl: 'https://example.com/pricing?utm=x' }).expect(200);

    expect(res.body).toEqual({
      pageUrl: 'https://example.com/pricing?utm=x',
      visitor: { known: false, source: 'anonymous', leadId: null },
      chatEnabled: true,
      siteAllowed: false,
      chosen: { id: 'dlg-2', name: 'Welcome', version: 1, priority: 10 },
      reasons: [
        {
          dialogueId: 'dlg-1',
          name: 'Pricing DE',
          shown: false,
          reason: 'audience: visitor is anonymous',
        },
        {
          dialogueId: 'dlg-2',
          name: 'Welcome',
          shown: true,
          reason: 'shown: the only dialogue that matches',
        },
        { dialogueId: 'dlg-3', name: 'Never published', shown: false, reason: 'not published' },
      ],
    });
  });

  it.each([
    ['lead 7 (DE)', { leadId: 7 }, 'dlg-1', { known: true, source: 'lead', leadId: 7 }],
    [
      'the email of lead 7',
      { email: 'ANNA@example.de' },
      'dlg-1',
      { known: true, source: 'lead', leadId: 7 },
    ],
    ['lead 8 (US)', { leadId: 8 }, 'dlg-2', { known: true, source: 'lead', leadId: 8 }],
    [
      'an email not synced yet',
      { email: 'new@example.org' },
      'dlg-2',
      { known: true, source: 'email-only', leadId: null },
    ],
  ])('when the visitor is %s, then %s shows', async (_label, who, chosenId, visitor) => {
    const { app } = await setUp();
    const res = await preview(app, { pageUrl: 'https://example.com/pricing', ...who }).expect(200);
    expect(res.body.chosen.id).toBe(chosenId);
    expect(res.body.visitor).toEqual(visitor);
  });

  it('when Bob opens the pricing page, then the German dialogue names the unmet condition', async () => {
    const { app } = await setUp();
    const res = await preview(app, { pageUrl: 'https://example.com/pricing', leadId: 8 }).expect(
      200,
    );
    expect(res.body.reasons[0]).toEqual({
      dialogueId: 'dlg-1',
      name: 'Pricing DE',
      shown: false,
      reason: 'audience: country equals "DE" not met',
    });
  });

  it('when the page is excluded or chat is disabled, then nothing shows and the reasons say so', async () => {
    const { app } = await setUp();
    const excluded = await preview(app, { pageUrl: 'https://example.com/careers/x' }).expect(200);
    expect(excluded.body.chosen).toBeNull();
    expect(excluded.body.reasons[1].reason).toBe('page excluded (https://example.com/careers/*)');

    await request(app)
      .put('/api/configuration')
      .send({
        ...createDefaultConfiguration(),
        chatEnabled: false,
        allowedDomains: ['example.com'],
      })
      .expect(200);
    const disabled = await preview(app, {
      pageUrl: 'https://example.com/pricing',
      leadId: 7,
    }).expect(200);
    expect(disabled.body).toMatchObject({ chosen: null, chatEnabled: false, siteAllowed: true });
    expect(disabled.body.reasons.map((r: { reason: string }) => r.reason)).toEqual([
      'chat disabled',
      'chat disabled',
      'chat disabled',
    ]);
  });

  it.each([
    ['no page URL', {}, 400, 'pageUrl'],
    ['a page URL that is not http(s)', { pageUrl: 'javascript:alert(1)' }, 400, 'pageUrl'],
    [
      'both a lead id and an email',
      { pageUrl: 'https://example.com/', leadId: 7, email: 'a@b.co' },
      400,
      'email',
    ],
    ['a lead id as text', { pageUrl: 'https://example.com/', leadId: '7' }, 400, 'leadId'],
    [
      'a lead the local copy does not have',
      { pageUrl: 'https://example.com/', leadId: 99 },
      404,
      undefined,
    ],
  ])('when the preview gets %s, then %s', async (_label, body, status, field) => {
    const { app } = await setUp();
    const res = await preview(app, body).expect(status);
    expect(res.body.error.field).toBe(field);
  });
});
