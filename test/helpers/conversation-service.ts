import request from 'supertest';
import { afterEach } from 'vitest';
import type { DialogueContent } from '../../src/records/chat-dialogue.js';
import { QUALIFY, SITE } from '../fixtures/chat/qualify-dialogue.js';
import { systemClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { MARKETO_RELAY } from '../../src/service-outbox.js';
import { runOutboxOnce } from '../../src/outbox/run-outbox-once.js';
import type { Service, ServiceOverrides } from '../../src/service.js';
import { createSyncHarness } from './sync-harness.js';
import { ADMIN_AUTH, createHarnessService } from './test-service.js';

export { QUALIFY, SITE } from '../fixtures/chat/qualify-dialogue.js';
export const COOKIE = 'id:123-ABC-456&token:_mch-www.example.com-1764000000000-12345';

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
