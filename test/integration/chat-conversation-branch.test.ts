import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createFlexibleRateLimiter } from '../../src/chat/chat-public-rate-limit.js';
import type { PublishedDialogue } from '../../src/records/chat-widget-api.js';
import { COOKIE, QUALIFY, SITE, openConversationService } from '../helpers/conversation-service.js';
import { ADMIN_AUTH } from '../helpers/test-service.js';

const PAGE = `${SITE}/pricing`;

async function setUp(...args: Parameters<typeof openConversationService>) {
  const opened = await openConversationService(...args);
  await opened.publish().expect(200);
  const branch = (cardId: string, visitor: Record<string, unknown>, answers = {}) =>
    request(opened.app)
      .post('/chat/branch')
      .send({
        dialogueId: opened.dialogueId,
        dialogueVersion: 1,
        cardId,
        conversationId: `conv-${String(visitor['anonymousId'])}`,
        visitor,
        answers,
      });
  const resolve = (visitor: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    request(opened.app)
      .post('/chat/resolve')
      .send({ pageUrl: PAGE, visitor, dialogueId: opened.dialogueId, ...extra });
  return { ...opened, branch, resolve };
}

describe('POST /chat/branch: condition cards', () => {
  it('when Marketo knows the visitor by cookie and their lead is in Software, then the lead branch is taken', async () => {
    const { branch } = await setUp();
    const res = await branch('who', { anonymousId: 'visitor-ada-1', mktoTrk: COOKIE }).expect(200);
    expect(res.body).toEqual({ next: 'software' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('when a cookie-known lead does not match the lead branch, then the known branch is taken; an anonymous visitor gets otherwise', async () => {
    const { branch, sandbox, store } = await setUp();
    const bob = sandbox.upsertLead({ email: 'bob@shop.example', industry: 'Retail' });
    const bobCookie = 'id:123-ABC-456&token:_mch-www.example.com-1764000000000-77777';
    sandbox.associateCookie(bob.id, bobCookie);
    await store.applyLeadChanges({
      upserts: [
        {
          id: bob.id,
          fields: { email: 'bob@shop.example', industry: 'Retail' },
          observedAt: 1,
          source: 'sync',
        },
      ],
    });
    const known = await branch('who', { anonymousId: 'visitor-bob-1', mktoTrk: bobCookie });
    expect(known.body).toEqual({ next: 'welcome-back' });
    const anonymous = await branch('who', { anonymousId: 'visitor-anon-1' }).expect(200);
    expect(anonymous.body).toEqual({ next: 'phone' });
  });

  it("when a visitor typed a Software lead's email (no cookie), then they are not known and no lead condition reads that lead", async () => {
    const { branch, event } = await setUp();
    const visitor = { anonymousId: 'visitor-typist-1' };
    await event({ type: 'email-given', value: 'ada@acme.example', visitor }).expect(202);
    expect((await branch('who', visitor).expect(200)).body).toEqual({ next: 'phone' });
    const carried = await branch('who', { ...visitor, email: 'ada@acme.example' }).expect(200);
    expect(carried.body).toEqual({ next: 'phone' });
  });

  it('when an earlier answer is given, then the answer branch follows it; without it, otherwise', async () => {
    const { branch } = await setUp();
    const visitor = { anonymousId: 'visitor-anon-2' };
    expect((await branch('route', visitor, { sector: 'retail' })).body).toEqual({
      next: 'details',
    });
    expect((await branch('route', visitor, { sector: 'Software' })).body).toEqual({
      next: 'guide',
    });
    expect((await branch('route', visitor)).body).toEqual({ next: 'guide' });
  });

  it('when the card is no condition card, the dialogue unknown or the body bad, then 400 names the field', async () => {
    const { branch, app } = await setUp();
    const visitor = { anonymousId: 'visitor-anon-3' };
    expect((await branch('phone', visitor).expect(400)).body.error.field).toBe('cardId');
    const unknown = await request(app)
      .post('/chat/branch')
      .send({
        dialogueId: 'nope',
        dialogueVersion: 1,
        cardId: 'who',
        conversationId: 'conv-12345678',
        visitor,
      })
      .expect(400);
    expect(unknown.body.error.field).toBe('dialogueId');
    const bad = await request(app)
      .post('/chat/branch')
      .send({ dialogueId: 'x', cardId: 'who', visitor: { anonymousId: 'short' } })
      .expect(400);
    expect(bad.body.error.message).toMatch(/dialogueVersion/);
    expect(bad.body.error.message).toMatch(/visitor.anonymousId/);
  });

  it('when the dialogue is switched off during a conversation, then its condition cards still answer', async () => {
    const { branch, app, dialogueId } = await setUp();
    await request(app).post(`/api/dialogues/${dialogueId}/disable`).set(ADMIN_AUTH).expect(200);
    expect((await branch('who', { anonymousId: 'visitor-anon-5' }).expect(200)).body).toEqual({
      next: 'phone',
    });
  });

  it('when a client goes over its budget, then branch answers 429 as resolve does, with the same limit', async () => {
    const created: Array<{ name: string; limit: number }> = [];
    const { branch } = await setUp(
      QUALIFY,
      {},
      {
        createChatRateLimiter: (options) => {
          created.push({ name: options.name, limit: options.limit });
          return createFlexibleRateLimiter({ ...options, limit: 2 });
        },
      },
    );
    const visitor = { anonymousId: 'visitor-anon-4' };
    await branch('who', visitor).expect(200);
    await branch('who', visitor).expect(200);
    await branch('who', visitor).expect(429);
    // Built in this order: config, resolve, events, the booking routes', then branch.
    expect(created[created.length - 1]!.limit).toBe(created[1]!.limit);
  });
});

describe('POST /chat/resolve with dialogueId: conversational flows, with translations', () => {
  it('when the flow is published and the page is one of its pages, then it is served with its translations, tokens filled in for the visitor', async () => {
    const { resolve, app } = await setUp();
    const ada = await resolve({ anonymousId: 'visitor-ada-9', mktoTrk: COOKIE }).expect(200);
    const dialogue = ada.body.dialogue as PublishedDialogue;
    expect(dialogue.name).toBe('Qualify');
    expect(dialogue.cards[0]).toMatchObject({ text: 'Hi Ada' });
    expect(dialogue.translations?.['fr']?.['hi']).toEqual({ text: 'Bonjour Ada' });
    expect(dialogue.translations?.['fr']?.['sector']).toEqual({ labels: ['Logiciel', 'Commerce'] });

    const anonymous = await resolve({ anonymousId: 'visitor-anon-9' }).expect(200);
    expect(anonymous.body.dialogue.translations.fr.hi).toEqual({ text: 'Bonjour à vous' });

    const config = await request(app).get('/chat/config').expect(200);
    const published = (config.body.dialogues as PublishedDialogue[]).find(
      (d) => d.name === 'Qualify',
    );
    expect(published?.translations?.['fr']?.['hi']).toEqual({
      text: 'Bonjour {{lead.firstName:"à vous"}}',
    });
  });

  it('when the page is excluded or the flow switched off, then dialogue is null with a reason', async () => {
    const { resolve, app, dialogueId } = await setUp();
    const visitor = { anonymousId: 'visitor-anon-10' };
    const excluded = await resolve(visitor, { pageUrl: `${SITE}/careers/jobs` }).expect(200);
    expect(excluded.body).toMatchObject({
      dialogue: null,
      reason: 'dialogue not offered on this page',
    });

    await request(app).post(`/api/dialogues/${dialogueId}/disable`).set(ADMIN_AUTH).expect(200);
    const off = await resolve(visitor).expect(200);
    expect(off.body).toMatchObject({
      dialogue: null,
      reason: 'dialogue not published or switched off',
    });
  });

  it('when the flow is for known visitors only, then an anonymous visitor is refused and a cookie-known one served', async () => {
    const knownOnly = { ...QUALIFY, audience: { ...QUALIFY.audience, visitors: 'known' as const } };
    const { resolve } = await setUp(knownOnly);
    const anonymous = await resolve({ anonymousId: 'visitor-anon-11' }).expect(200);
    expect(anonymous.body).toMatchObject({
      dialogue: null,
      reason: 'dialogue not offered to this visitor',
    });
    const ada = await resolve({ anonymousId: 'visitor-ada-11', mktoTrk: COOKIE }).expect(200);
    expect(ada.body.dialogue?.name).toBe('Qualify');
  });
});
