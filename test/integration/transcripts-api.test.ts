import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dialogue, DialogueContent } from '../../src/records/chat-dialogue.js';
import { createManualClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { runOutboxOnce } from '../../src/outbox/run-outbox-once.js';
import type { Service } from '../../src/service.js';
import { firstFree } from '../helpers/store-decisions.js';
import { createSyncHarness } from '../helpers/sync-harness.js';
import { ADMIN_AUTH, createHarnessService } from '../helpers/test-service.js';

const SITE = 'https://www.example.com';
// 23:30 UTC on 24 November: already 25 November in Berlin.
const T0 = Date.UTC(2026, 10, 24, 23, 30);
const DAY = 24 * 3_600_000;

const content = (text: string): DialogueContent => ({
  name: 'Pricing help',
  audience: { visitors: 'all', match: 'all', groups: [] },
  pages: { include: [`${SITE}/*`], exclude: [] },
  priority: 10,
  start: 'hello',
  cards: [
    { id: 'hello', type: 'message', text, next: 'size' },
    {
      id: 'size',
      type: 'input',
      text: 'How many seats?',
      answer: { kind: 'number', integer: true },
      next: 'mail',
    },
    { id: 'mail', type: 'email', text: 'Your email?', field: 'email', next: 'guide' },
    {
      id: 'guide',
      type: 'document',
      text: 'Our guide',
      document: { title: 'Pricing guide', url: 'https://www.example.com/guide.pdf' },
      next: null,
    },
  ],
  translations: { fr: { hello: { text: 'Bonjour !' } } },
});

const published = (version: number, text: string): Dialogue => ({
  id: 'pricing',
  enabled: true,
  draft: content(text),
  published: { version, content: content(text), publishedAt: new Date(T0).toISOString() },
  createdAt: new Date(T0).toISOString(),
  updatedAt: new Date(T0).toISOString(),
});

let harness: Awaited<ReturnType<typeof createSyncHarness>> | undefined;
let service: Service | undefined;
afterEach(async () => {
  await service?.stop();
  service = undefined;
  await harness?.close();
  harness = undefined;
});

async function setup() {
  const clock = createManualClock(T0);
  harness = await createSyncHarness({ sandbox: { seedLeads: 3 } });
  const { sandbox, store } = harness;
  const ada = sandbox.upsertLead({ email: 'ada@acme.example', firstName: 'Ada' });
  await store.applyLeadChanges({
    upserts: [{ id: ada.id, fields: { email: ada.email }, observedAt: 1, source: 'sync' }],
  });
  await store.saveDialogue(published(1, 'Hello v1'));
  service = await createHarnessService(
    harness,
    { PUBLIC_BASE_URL: 'https://chat.example.com' },
    {
      clock,
    },
  );
  const { app } = service;
  let n = 0;
  const send = async (
    type: string,
    extra: Record<string, unknown> = {},
    conversation = 'conv-ada-0001',
  ) => {
    n += 1;
    clock.advance(1_000);
    await request(app)
      .post('/chat/events')
      .send({
        type,
        dialogueId: 'pricing',
        dialogueVersion: 1,
        conversationId: conversation,
        eventId: `event-${String(n).padStart(4, '0')}`,
        pageUrl: `${SITE}/pricing`,
        visitor: { anonymousId: `anon-${conversation}` },
        ...extra,
      })
      .expect(202);
  };
  const drain = async () => {
    const relay = { store, clock, logger: silentLogger, random: () => 0 };
    for (let pass = 0; pass < 10; pass += 1) {
      const report = await runOutboxOnce(relay, service!.outbox.handlers.marketo);
      if (report.claimed === 0) return;
    }
  };
  return { app, clock, sandbox, store, send, drain, ada };
}

/** Ada's conversation: seen, engaged, answered, gave her email, opened the guide, completed. */
async function adaConversation(send: Awaited<ReturnType<typeof setup>>['send']) {
  await send('triggered', { cardsSeen: ['hello'], language: 'fr' });
  await send('engaged', { cardsSeen: ['size'] });
  await send('answered', { cardId: 'size', answers: { size: '25' }, cardsSeen: ['mail'] });
  await send('email-given', { value: 'Ada@Acme.example' });
  await send('document-opened', { cardId: 'guide', cardsSeen: ['guide'] });
  await send('completed');
}

describe('conversation transcripts over HTTP', () => {
  it('when a conversation ran, then its transcript lists the cards with the texts of its version, the answers, the document and the outcome', async () => {
    const { app, send, store } = await setup();
    await adaConversation(send);
    // Republished since: the transcript still shows version 1's texts.
    await store.saveDialogue(published(2, 'Hello v2'));

    const res = await request(app)
      .get('/api/conversations/conv-ada-0001/transcript')
      .set(ADMIN_AUTH)
      .expect(200);
    expect(res.body).toMatchObject({
      conversationId: 'conv-ada-0001',
      dialogue: { id: 'pricing', name: 'Pricing help', version: 1 },
      visitor: { anonymousId: 'anon-conv-ada-0001', email: 'ada@acme.example' },
      language: 'fr',
      startedAt: new Date(T0 + 1_000).toISOString(),
      endedAt: new Date(T0 + 6_000).toISOString(),
      outcome: 'completed',
      texts: 'version',
    });
    expect(res.body.pageUrl).toMatch(
      /^https:\/\/chat\.example\.com\/transcripts\/conv-ada-0001\?expires=\d+&signature=[\w-]{43}$/,
    );
    const steps = res.body.steps.map((s: Record<string, unknown>) => {
      const { at: _at, ...rest } = s;
      return rest;
    });
    expect(steps).toEqual([
      { kind: 'card', cardId: 'hello', cardType: 'message', text: 'Bonjour !' },
      { kind: 'triggered', pageUrl: `${SITE}/pricing` },
      { kind: 'card', cardId: 'size', cardType: 'input', text: 'How many seats?' },
      { kind: 'engaged', pageUrl: `${SITE}/pricing` },
      { kind: 'card', cardId: 'mail', cardType: 'email', text: 'Your email?' },
      {
        kind: 'answered',
        cardId: 'size',
        answers: [{ key: 'size', label: 'How many seats?', value: '25' }],
      },
      { kind: 'email-given', email: 'ada@acme.example' },
      { kind: 'card', cardId: 'guide', cardType: 'document', text: 'Our guide' },
      {
        kind: 'document-opened',
        cardId: 'guide',
        title: 'Pricing guide',
        url: 'https://www.example.com/guide.pdf',
      },
      { kind: 'completed', pageUrl: `${SITE}/pricing` },
    ]);
  });

  it('when conversations are listed, then they come newest first with their outcome, filtered by dialogue and day, paged', async () => {
    const { app, send } = await setup();
    await adaConversation(send);
    await send('triggered', {}, 'conv-bob-0001');
    await send('meeting-booked', { value: 'meeting-1' }, 'conv-bob-0001');
    await send('triggered', {}, 'conv-cid-0001');

    const first = await request(app)
      .get('/api/conversations?dialogueId=pricing&limit=2')
      .set(ADMIN_AUTH)
      .expect(200);
    expect(
      first.body.conversations.map((c: { conversationId: string }) => c.conversationId),
    ).toEqual(['conv-cid-0001', 'conv-bob-0001']);
    expect(first.body.conversations[1]).toMatchObject({
      outcome: 'booked',
      transcript: '/api/conversations/conv-bob-0001/transcript',
    });
    const second = await request(app)
      .get(`/api/conversations?dialogueId=pricing&limit=2&cursor=${first.body.next}`)
      .set(ADMIN_AUTH)
      .expect(200);
    expect(second.body.conversations).toMatchObject([
      { conversationId: 'conv-ada-0001', outcome: 'completed' },
    ]);
    expect(second.body.next).toBeUndefined();

    // In Berlin they all started on 25 November; in UTC on the 24th.
    const berlin = await request(app)
      .get('/api/conversations?from=2026-11-25&to=2026-11-25&timeZone=Europe/Berlin')
      .set(ADMIN_AUTH)
      .expect(200);
    expect(berlin.body.conversations).toHaveLength(3);
    const utc = await request(app)
      .get('/api/conversations?from=2026-11-25&to=2026-11-25')
      .set(ADMIN_AUTH)
      .expect(200);
    expect(utc.body.conversations).toHaveLength(0);
  });

  it('when the transcript of an unknown conversation, a bad id or a bad filter is asked, then 404 or 400 naming the field; without a token 401', async () => {
    const { app } = await setup();
    await request(app)
      .get('/api/conversations/conv-none-0001/transcript')
      .set(ADMIN_AUTH)
      .expect(404);
    await request(app).get('/api/conversations/conv-none-0001/transcript').expect(401);
    const bad = await request(app)
      .get('/api/conversations/x/transcript')
      .set(ADMIN_AUTH)
      .expect(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const cursor = await request(app)
      .get('/api/conversations?cursor=forged&from=2026-13-01')
      .set(ADMIN_AUTH)
      .expect(400);
    expect(cursor.body.error.details.issues.map((i: { field: string }) => i.field).sort()).toEqual([
      'cursor',
      'from',
    ]);
  });
});

describe('a booked meeting in the transcript', () => {
  it('when the conversation booked a meeting, then the step shows its time, agent and status now', async () => {
    const { app, send, store } = await setup();
    await store.holdMeeting(firstFree('meeting-0001', { agents: [1], start: T0 + DAY }));
    await store.updateMeeting(
      'meeting-0001',
      (m) => ({ meeting: { ...m, status: 'cancelled' } }),
      T0,
    );
    await send('triggered');
    await send('meeting-booked', { value: 'meeting-0001' });

    const res = await request(app)
      .get('/api/conversations/conv-ada-0001/transcript')
      .set(ADMIN_AUTH)
      .expect(200);
    expect(res.body.outcome).toBe('booked');
    expect(res.body.steps.at(-1)).toMatchObject({
      kind: 'meeting-booked',
      meetingId: 'meeting-0001',
      meeting: {
        start: new Date(T0 + DAY).toISOString(),
        agentName: 'Agent 1',
        status: 'cancelled',
      },
    });
  });
});

describe('the transcript link in the chat activity', () => {
  it("when the visitor's activities reach Marketo, then each carries a signed link that opens the read-only transcript page until it expires", async () => {
    const { app, send, drain, sandbox, clock, ada } = await setup();
    await adaConversation(send);
    await drain();

    const activities = sandbox.customActivities();
    expect(activities.length).toBeGreaterThanOrEqual(1);
    const links = activities.map(
      (a) => a.attributes.find((attribute) => attribute.apiName === 'transcriptUrl')?.value,
    );
    expect(activities.every((a) => a.leadId === ada.id)).toBe(true);
    for (const link of links)
      expect(link).toMatch(/^https:\/\/chat\.example\.com\/transcripts\/conv-ada-0001\?/);
    const path = String(links[0]).replace('https://chat.example.com', '');

    const page = await request(app).get(path).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.text).toContain('Bonjour !');
    expect(page.text).toContain('<b>25</b>');
    expect(page.text).toContain('ada@acme.example');
    expect(page.text).toContain('Pricing guide');

    const tampered = path.replace(/signature=./, (m) =>
      m.endsWith('A') ? `${m.slice(0, -1)}B` : `${m.slice(0, -1)}A`,
    );
    await request(app).get(tampered).expect(404);
    await request(app).get(path.replace('conv-ada-0001', 'conv-bob-0001')).expect(404);
    await request(app).get('/transcripts/conv-ada-0001').expect(404);
    clock.advance(91 * DAY);
    const expired = await request(app).get(path).expect(404);
    expect(expired.text).not.toContain('ada@acme.example');
  });

  it('when the live activity type was approved before the link attribute existed, then the attribute is added to it, approved, and the activity carries the link', async () => {
    const { send, drain, sandbox } = await setup();
    const { CHAT_ACTIVITY_TYPE } = await import('../../src/chat/chat-activity-type.js');
    const { attributes, ...type } = CHAT_ACTIVITY_TYPE;
    const marketo = harness!.marketo;
    await marketo.createCustomActivityType(type);
    await marketo.createCustomActivityTypeAttributes(
      type.apiName,
      attributes.filter((a) => a.apiName !== 'transcriptUrl'),
    );
    await marketo.approveCustomActivityType(type.apiName);
    await send('email-given', { value: 'ada@acme.example' });
    await drain();

    const [live] = sandbox.customActivityTypes();
    expect(live).toMatchObject({ status: 'approved' });
    expect(live!.attributes.map((a) => a.apiName)).toContain('transcriptUrl');
    const [activity] = sandbox.customActivities();
    expect(activity!.attributes.find((a) => a.apiName === 'transcriptUrl')?.value).toMatch(
      /\/transcripts\/conv-ada-0001\?expires=/,
    );
  });

  it('when the live type predates both the identity and the link attributes, then both are added, approved, and the activity carries them', async () => {
    const { send, drain, sandbox } = await setup();
    const { CHAT_ACTIVITY_TYPE } = await import('../../src/chat/chat-activity-type.js');
    const { attributes, ...type } = CHAT_ACTIVITY_TYPE;
    const marketo = harness!.marketo;
    await marketo.createCustomActivityType(type);
    await marketo.createCustomActivityTypeAttributes(
      type.apiName,
      attributes.filter((a) => a.apiName !== 'transcriptUrl' && a.apiName !== 'identity'),
    );
    await marketo.approveCustomActivityType(type.apiName);
    await send('email-given', { value: 'ada@acme.example' });
    await drain();

    const [live] = sandbox.customActivityTypes();
    expect(live).toMatchObject({ status: 'approved' });
    expect(live!.attributes.map((a) => a.apiName)).toEqual(
      expect.arrayContaining(['identity', 'transcriptUrl']),
    );
    const [activity] = sandbox.customActivities();
    expect(sandbox.customActivities()).toHaveLength(1);
    expect(activity!.attributes.find((a) => a.apiName === 'identity')?.value).toBe('typed');
    expect(activity!.attributes.find((a) => a.apiName === 'transcriptUrl')?.value).toMatch(
      /\/transcripts\/conv-ada-0001\?expires=/,
    );
  });
});
