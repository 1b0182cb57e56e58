import request from 'supertest';
import { afterEach } from 'vitest';
import type { DialogueContent } from '../../src/records/chat-contract.js';
import { systemClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { MARKETO_RELAY } from '../../src/service-outbox.js';
import { runOutboxOnce } from '../../src/outbox/run-outbox-once.js';
import type { Service, ServiceOverrides } from '../../src/service.js';
import { createSyncHarness } from './sync-harness.js';
import { ADMIN_AUTH, createHarnessService } from './test-service.js';

export const SITE = 'https://www.example.com';
export const COOKIE = 'id:123-ABC-456&token:_mch-www.example.com-1764000000000-12345';

/**
 * A dialogue with every conversation card: a branch on a lead attribute and on being known, a
 * phone number, a picklist written to `industry`, a branch on that answer, a short form, a
 * document, and two actions (static list 1001, campaign 2001 of the sandbox's seed).
 */
export const QUALIFY: DialogueContent = {
  name: 'Qualify',
  audience: { visitors: 'all', match: 'all', groups: [] },
  pages: { include: [`${SITE}/*`], exclude: [`${SITE}/careers*`] },
  priority: 900,
  start: 'hi',
  cards: [
    { id: 'hi', type: 'message', text: 'Hi {{lead.firstName:"there"}}', next: 'who' },
    {
      id: 'who',
      type: 'condition',
      branches: [
        {
          match: 'all',
          conditions: [
            { source: 'lead', field: 'industry', operator: 'equals', value: 'Software' },
          ],
          next: 'software',
        },
        { match: 'all', conditions: [{ source: 'known', known: true }], next: 'welcome-back' },
      ],
      otherwise: 'phone',
    },
    { id: 'software', type: 'message', text: 'A software company!', next: 'phone' },
    { id: 'welcome-back', type: 'message', text: 'Welcome back', next: 'phone' },
    {
      id: 'phone',
      type: 'input',
      text: 'Your phone?',
      answer: { kind: 'phone' },
      field: 'phone',
      next: 'sector',
    },
    {
      id: 'sector',
      type: 'input',
      text: 'Your sector?',
      answer: {
        kind: 'picklist',
        options: [{ label: 'Software' }, { label: 'Retail shops', value: 'Retail' }],
      },
      field: 'industry',
      next: 'route',
    },
    {
      id: 'route',
      type: 'condition',
      branches: [
        {
          match: 'any',
          conditions: [{ source: 'answer', answer: 'sector', operator: 'equals', value: 'Retail' }],
          next: 'details',
        },
      ],
      otherwise: 'guide',
    },
    {
      id: 'details',
      type: 'form',
      text: 'A few details',
      fields: [
        {
          key: 'jobTitle',
          label: 'Job title',
          answer: { kind: 'text', maxLength: 80 },
          field: 'title',
          required: true,
        },
        {
          key: 'workEmail',
          label: 'Work email',
          answer: { kind: 'email' },
          field: 'email',
          required: false,
        },
        {
          key: 'teamSize',
          label: 'Team size',
          answer: { kind: 'number', min: 1, max: 5000, integer: true },
          required: true,
        },
      ],
      submitLabel: 'Send',
      next: 'guide',
    },
    {
      id: 'guide',
      type: 'document',
      text: 'Our pricing guide',
      document: { title: 'Pricing guide', url: `${SITE}/pricing.pdf` },
      next: 'listed',
    },
    { id: 'listed', type: 'action', action: { kind: 'add-to-list', listId: 1001 }, next: 'follow' },
    {
      id: 'follow',
      type: 'action',
      action: { kind: 'request-campaign', campaignId: 2001 },
      next: null,
    },
  ],
  translations: {
    fr: {
      hi: { text: 'Bonjour {{lead.firstName:"à vous"}}' },
      sector: { labels: ['Logiciel', 'Commerce'] },
    },
  },
};

let opened: { service: Service; close: () => Promise<void> } | undefined;
afterEach(async () => {
  await opened?.service.stop();
  await opened?.close();
  opened = undefined;
});

/**
 * The whole service (createService) over a loopback sandbox Marketo, with QUALIFY (or `content`)
 * published through the admin API, and a lead Ada (industry Software) in Marketo and in the local
 * copy, associated with COOKIE. `drain` delivers the Marketo outbox as the relay would.
 */
export async function openConversationService(
  content: DialogueContent = QUALIFY,
  env: Record<string, string> = {},
  overrides: ServiceOverrides = {},
) {
  const harness = await createSyncHarness({ sandbox: { seedLeads: 0 } });
  // The cookie lookup's wait never ends: the sandbox's answer decides, not the machine's speed.
  const service = await createHarnessService(harness, env, {
    munchkinWait: () => new Promise<void>(() => undefined),
    ...overrides,
  });
  opened = { service, close: harness.close };
  const { app } = service;
  const ada = harness.sandbox.upsertLead({
    email: 'ada@acme.example',
    firstName: 'Ada',
    industry: 'Software',
  });
  harness.sandbox.associateCookie(ada.id, COOKIE);
  await harness.store.applyLeadChanges({
    upserts: [
      {
        id: ada.id,
        fields: { email: 'ada@acme.example', firstName: 'Ada', industry: 'Software' },
        observedAt: 1,
        source: 'sync',
      },
    ],
  });
  const created = await request(app)
    .post('/api/dialogues')
    .set(ADMIN_AUTH)
    .send(content)
    .expect(201);
  const dialogueId = (created.body as { id: string }).id;
  const publish = () => request(app).post(`/api/dialogues/${dialogueId}/publish`).set(ADMIN_AUTH);

  let n = 0;
  const event = (body: Record<string, unknown>) => {
    n += 1;
    const visitor = (body['visitor'] ?? { anonymousId: 'visitor-anon-1' }) as {
      anonymousId: string;
    };
    return request(app)
      .post('/chat/events')
      .send({
        dialogueId,
        dialogueVersion: 1,
        conversationId: `conv-${visitor.anonymousId}`,
        eventId: `event-${String(n).padStart(4, '0')}`,
        pageUrl: `${SITE}/pricing`,
        visitor,
        ...body,
      });
  };
  const relay = { store: harness.store, clock: systemClock, logger: silentLogger, random: () => 0 };
  const drain = async () => {
    let done = 0;
    for (let pass = 0; pass < 10; pass += 1) {
      const report = await runOutboxOnce(relay, service.outbox.handlers.marketo, MARKETO_RELAY);
      done += report.done;
      if (report.claimed === 0) break;
    }
    return done;
  };
  return { ...harness, service, app, dialogueId, publish, event, drain, ada };
}
