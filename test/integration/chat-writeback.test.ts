import express from 'express';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dialogue, DialogueContent } from '../../src/records/chat-dialogue.js';
import { CHAT_ACTIVITY_TYPE } from '../../src/chat/chat-activity-type.js';
import { createChatOutboxHandlers } from '../../src/chat/chat-outbox-handlers.js';
import { createChatPublicRoutes } from '../../src/chat/chat-public-routes.js';
import { createMunchkinLookup } from '../../src/chat/munchkin-lookup.js';
import { createManualClock } from '../../src/deps.js';
import { createErrorHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/logger.js';
import { runOutboxOnce } from '../../src/outbox/run-outbox-once.js';
import { createOutboxDriver } from '../helpers/outbox-driver.js';
import { createSyncHarness } from '../helpers/sync-harness.js';

const SITE = 'https://www.example.com';
const T0 = '2026-11-24T12:00:00.000Z';
const ACTIVITIES_PATH = '/rest/v1/activities/external.json';

const welcome: DialogueContent = {
  name: 'Welcome',
  audience: { visitors: 'all', match: 'all', groups: [] },
  pages: { include: [`${SITE}/*`], exclude: [] },
  priority: 10,
  start: 'hello',
  cards: [
    { id: 'hello', type: 'message', text: 'Hi {{lead.firstName:"there"}}', next: 'mail' },
    { id: 'mail', type: 'email', text: 'Your email?', field: 'email', next: null },
  ],
};
const dialogue: Dialogue = {
  id: 'welcome',
  enabled: true,
  draft: welcome,
  published: { version: 1, content: welcome, publishedAt: T0 },
  createdAt: T0,
  updatedAt: T0,
};

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup() {
  const clock = createManualClock(Date.now());
  const sync = await createSyncHarness({ sandbox: { seedLeads: 5 }, client: { clock } });
  const { sandbox, store, marketo } = sync;
  const ada = sandbox.upsertLead({ email: 'ada@acme.example', firstName: 'Ada' });
  await store.applyLeadChanges({
    upserts: [
      { id: ada.id, fields: { email: ada.email, firstName: 'Ada' }, observedAt: 1, source: 'sync' },
    ],
  });
  await store.saveDialogue(dialogue);
  const munchkin = createMunchkinLookup({ marketo, clock, logger: silentLogger });
  const app = express();
  app.use(
    '/chat',
    createChatPublicRoutes({
      store,
      clock,
      logger: silentLogger,
      publicBaseUrl: 'http://127.0.0.1',
      munchkin,
    }),
  );
  app.use(createErrorHandler(silentLogger));
  const handlers = createChatOutboxHandlers({ marketo, store, clock, logger: silentLogger });
  const relay = { store, clock, logger: silentLogger, random: () => 0 };

  /** Passes until nothing is due (follow-ups included). */
  const { drain } = createOutboxDriver({ relay, handlers, store, clock, stepMs: 0 });
  let n = 0;
  const send = async (
    type: string,
    visitor: { anonymousId: string; mktoTrk?: string },
    value?: string,
  ) => {
    n += 1;
    const body = {
      type,
      dialogueId: 'welcome',
      dialogueVersion: 1,
      conversationId: `conv-${visitor.anonymousId}`,
      eventId: `event-${String(n).padStart(4, '0')}`,
      pageUrl: `${SITE}/pricing`,
      visitor,
      ...(value === undefined ? {} : { value }),
    };
    await request(app).post('/chat/events').send(body).expect(202);
    return body.eventId;
  };
  /** Our activities in the sandbox, as `eventId → leadId[]`. */
  const written = () => {
    const byEvent = new Map<string, number[]>();
    for (const activity of sandbox.customActivities()) {
      const eventId = activity.attributes.find((a) => a.apiName === 'eventId')?.value;
      byEvent.set(String(eventId), [...(byEvent.get(String(eventId)) ?? []), activity.leadId]);
    }
    return byEvent;
  };
  close = sync.close;
  /** Our activities in the sandbox, as `eventId → identity`. */
  const identities = () =>
    Object.fromEntries(
      sandbox.customActivities().map((activity) => {
        const attribute = (name: string) =>
          activity.attributes.find((a) => a.apiName === name)?.value;
        return [String(attribute('eventId')), attribute('identity')];
      }),
    );
  return { ...sync, clock, app, drain, send, written, identities, ada, munchkin };
}

describe('chat events written back to Marketo through the outbox', () => {
  it('when events of a known lead are delivered, then the type is created and approved and each activity lands once', async () => {
    const { sandbox, send, drain, written, ada } = await setup();
    const visitor = { anonymousId: 'anon-visitor-a' };
    const given = await send('email-given', visitor, 'ada@acme.example');
    const goal = await send('goal-reached', visitor, 'demo-asked');
    const done = await send('completed', visitor);

    const report = await drain();
    expect(report).toMatchObject({ done: 3, dead: 0, retried: 0 });

    const [type] = sandbox.customActivityTypes();
    expect(type).toMatchObject({
      apiName: 'mcChatInteraction',
      status: 'approved',
      name: 'Interact with Chat Dialogue',
      triggerName: 'Interacts with Chat Dialogue',
      filterName: 'Interacted with Chat Dialogue',
      primaryAttribute: { apiName: 'dialogueName' },
    });
    expect(type!.attributes.map((a) => a.apiName).sort()).toEqual([
      'conversationId',
      'dialogueId',
      'dialogueVersion',
      'event',
      'eventId',
      'identity',
      'pageUrl',
      'transcriptUrl',
      'value',
    ]);
    expect(Object.fromEntries(written())).toEqual({
      [given]: [ada.id],
      [goal]: [ada.id],
      [done]: [ada.id],
    });
    const activity = sandbox
      .customActivities()
      .find((a) => a.attributes.some((x) => x.value === 'demo-asked'));
    expect(activity).toMatchObject({ activityTypeId: type!.id, primaryAttributeValue: 'Welcome' });
    // Delivered together: one Add Custom Activities call for the three.
    expect(sandbox.stats().callsByPath[ACTIVITIES_PATH]).toBe(1);

    expect(await drain()).toMatchObject({ claimed: 0 });
    expect(sandbox.customActivities()).toHaveLength(3);
  });

  it("when a visitor types a known lead's email, then the activities land on that lead marked typed", async () => {
    const { send, drain, written, identities, ada } = await setup();
    const visitor = { anonymousId: 'anon-visitor-a' };
    const given = await send('email-given', visitor, 'ada@acme.example');
    const goal = await send('goal-reached', visitor, 'demo-asked');
    await drain();
    expect(Object.fromEntries(written())).toEqual({ [given]: [ada.id], [goal]: [ada.id] });
    expect(identities()).toEqual({ [given]: 'typed', [goal]: 'typed' });
  });

  it('when Marketo associates the Munchkin cookie with a lead, then resolve personalises from it with one counted call, and events land on it marked cookie', async () => {
    const { app, sandbox, marketo, send, drain, written, identities, ada, munchkin } =
      await setup();
    const cookie = 'id:123-ABC-456&token:_mch-www.example.com-1764000000000-98765';
    sandbox.associateCookie(ada.id, cookie);
    const callsBefore = marketo.stats().calls;
    const visitor = { anonymousId: 'anon-visitor-c', mktoTrk: cookie };
    for (let i = 0; i < 4; i += 1) {
      const res = await request(app)
        .post('/chat/resolve')
        .send({ pageUrl: `${SITE}/pricing`, visitor })
        .expect(200);
      expect(res.body.known).toBe(true);
      expect(res.body.dialogue.cards[0].text).toBe('Hi Ada');
    }
    const engaged = await send('engaged', visitor);
    // One Get Leads by cookie for all of them, through the client's budget and daily count.
    expect(sandbox.stats().callsByPath['/rest/v1/leads.json']).toBe(1);
    expect(marketo.stats().calls - callsBefore).toBe(1);
    expect(marketo.stats().budget?.started).toBeGreaterThanOrEqual(1);
    expect(munchkin.stats()).toMatchObject({ calls: 1, hits: 4 });
    await drain();
    expect(written().get(engaged)).toEqual([ada.id]);
    expect(identities()[engaged]).toBe('cookie');
  });

  it('when the cookie is not associated with any lead, then the visitor stays anonymous and nothing is written', async () => {
    const { app, send, drain, written } = await setup();
    const visitor = {
      anonymousId: 'anon-visitor-d',
      mktoTrk: 'id:123-ABC-456&token:_mch-www.example.com-1764000000000-11111',
    };
    const res = await request(app)
      .post('/chat/resolve')
      .send({ pageUrl: `${SITE}/pricing`, visitor })
      .expect(200);
    expect(res.body.known).toBe(false);
    expect(res.body.dialogue.cards[0].text).toBe('Hi there');
    await send('engaged', visitor);
    await drain();
    expect(written().size).toBe(0);
  });

  it('when an anonymous visitor gives a new email, then the lead is created in Marketo and every activity of the conversation lands on it once', async () => {
    const { sandbox, store, send, drain, written } = await setup();
    const visitor = { anonymousId: 'anon-visitor-n' };
    const trigger = await send('triggered', visitor);
    const given = await send('email-given', visitor, 'New.Person@Startup.example');
    const goal = await send('goal-reached', visitor, 'pricing');

    await drain();
    const created = sandbox.allLeads().filter((l) => l.email === 'new.person@startup.example');
    expect(created).toHaveLength(1);
    const byEvent = written();
    // Held while the visitor was anonymous, written to the lead once they were known.
    expect(byEvent.get(trigger)).toEqual([created[0]!.id]);
    expect(byEvent.get(given)).toEqual([created[0]!.id]);
    expect(byEvent.get(goal)).toEqual([created[0]!.id]);
    expect(await store.listOutbox({ status: 'dead' })).toEqual([]);
    expect(sandbox.customActivities()).toHaveLength(3);
  });

  it.each(['611', '606'])(
    'when Marketo answers %s longer than the client retries, then delivery is delayed, not dropped or doubled',
    async (code) => {
      const { sandbox, clock, send, drain, written, store } = await setup();
      const visitor = { anonymousId: 'anon-visitor-a' };
      const given = await send('email-given', visitor, 'ada@acme.example');
      sandbox.injectFault({ path: ACTIVITIES_PATH, code, times: 4 });

      // Refused, so certainly not written: the event comes back as a copy due after a backoff.
      const first = await drain();
      expect(first).toMatchObject({ done: 1, dead: 0 });
      expect(written().size).toBe(0);
      const [copy] = await store.listOutbox({ status: 'pending' });
      expect(copy).toMatchObject({
        dedupeKey: expect.stringContaining('~unsent@1'),
        payload: { unsent: 1 },
      });
      expect(copy!.nextAttemptAt).toBeGreaterThan(clock.now());

      clock.set(copy!.nextAttemptAt);
      const second = await drain();
      expect(second).toMatchObject({ done: 1, dead: 0 });
      expect(Object.fromEntries(written())).toEqual({ [given]: [expect.any(Number)] });
      clock.advance(60_000);
      await drain();
      expect(sandbox.customActivities()).toHaveLength(1);
      // Nothing can have been written before: no look in Marketo was needed.
      expect(sandbox.stats().callsByPath['/rest/v1/activities.json']).toBeUndefined();
    },
  );

  it('when the daily quota is spent, then the item waits for the reset with its attempts intact', async () => {
    const { sandbox, clock, send, drain, written, store } = await setup();
    const given = await send('email-given', { anonymousId: 'anon-visitor-a' }, 'ada@acme.example');
    sandbox.injectFault({ path: ACTIVITIES_PATH, code: '607' });

    const first = await drain();
    expect(first).toMatchObject({ dead: 0, retried: 0 });
    const [waiting] = await store.listOutbox({ status: 'pending' });
    expect(waiting).toMatchObject({ kind: 'marketo-chat-activity', attempts: 0 });
    expect(waiting!.nextAttemptAt).toBeGreaterThan(clock.now() + 60_000);
    expect(written().size).toBe(0);

    clock.set(waiting!.nextAttemptAt + 1);
    await drain();
    expect(Object.fromEntries(written())).toEqual({ [given]: [expect.any(Number)] });
  });

  it('when a run stopped half-way and left a draft type, then the missing attributes are added and it is approved', async () => {
    const { sandbox, marketo, send, drain, written } = await setup();
    const { attributes, ...type } = CHAT_ACTIVITY_TYPE;
    await marketo.createCustomActivityType(type);
    await marketo.createCustomActivityTypeAttributes(type.apiName, attributes.slice(0, 2));
    const given = await send('email-given', { anonymousId: 'anon-visitor-a' }, 'ada@acme.example');

    expect(await drain()).toMatchObject({ done: 1, dead: 0 });
    const [live] = sandbox.customActivityTypes();
    expect(live).toMatchObject({ status: 'approved' });
    expect(live!.attributes).toHaveLength(attributes.length);
    expect(written().get(given)).toHaveLength(1);
  });

  it("when the live type was approved before the 'identity' attribute existed, then activities still land, without it", async () => {
    const { sandbox, marketo, send, drain, written, identities, ada } = await setup();
    const { attributes, ...type } = CHAT_ACTIVITY_TYPE;
    await marketo.createCustomActivityType(type);
    await marketo.createCustomActivityTypeAttributes(
      type.apiName,
      attributes.filter((a) => a.apiName !== 'identity'),
    );
    await marketo.approveCustomActivityType(type.apiName);
    const given = await send('email-given', { anonymousId: 'anon-visitor-a' }, 'ada@acme.example');
    const goal = await send('goal-reached', { anonymousId: 'anon-visitor-a' }, 'demo');

    expect(await drain()).toMatchObject({ done: 2, dead: 0 });
    expect(Object.fromEntries(written())).toEqual({ [given]: [ada.id], [goal]: [ada.id] });
    expect(identities()).toEqual({ [given]: undefined, [goal]: undefined });
    expect(sandbox.customActivityTypes()[0]!.attributes).toHaveLength(attributes.length - 1);
  });

  it('when the type is live already (a restart), then it is looked up once and not created again', async () => {
    const { sandbox, marketo, store, clock, send, drain } = await setup();
    await send('email-given', { anonymousId: 'anon-visitor-a' }, 'ada@acme.example');
    await drain();
    sandbox.resetStats();
    const restarted = createChatOutboxHandlers({ marketo, store, clock, logger: silentLogger });
    await send('goal-reached', { anonymousId: 'anon-visitor-a' }, 'demo');
    await send('completed', { anonymousId: 'anon-visitor-a' });
    await runOutboxOnce({ store, clock, logger: silentLogger }, restarted);
    const calls = sandbox.stats().callsByPath;
    expect(calls['/rest/v1/activities/external/types.json']).toBe(1);
    expect(calls['/rest/v1/activities/external/type.json']).toBeUndefined();
    expect(sandbox.customActivityTypes()).toHaveLength(1);
    expect(sandbox.customActivities()).toHaveLength(3);
  });

  it('when the lead no longer exists in Marketo, then the activity goes to the dead letters', async () => {
    const { sandbox, send, drain, store, ada } = await setup();
    sandbox.deleteLead(ada.id);
    await send('email-given', { anonymousId: 'anon-visitor-a' }, 'ada@acme.example');
    const report = await drain();
    expect(report).toMatchObject({ dead: 1, done: 0 });
    expect((await store.listOutbox({ status: 'dead' }))[0]?.lastError).toContain('1004');
  });
});
