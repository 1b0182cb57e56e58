import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatOutboxHandlers } from '../../src/chat/chat-outbox-handlers.js';
import {
  chatActivityItem,
  chatEventKey,
  type ChatActivity,
} from '../../src/chat/chat-events-outbox.js';
import { createManualClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { createSyncHarness } from '../helpers/sync-harness.js';
import { createOutboxDriver, crashingAfterSend } from '../helpers/outbox-driver.js';

const ADD_PATH = '/rest/v1/activities/external.json';
const LOOKUP_PATH = '/rest/v1/activities.json';
/** The handlers' default: a look that finds nothing is trusted after this long. */
const SETTLE_MS = 120_000;
/** The relay's default claim: an item whose outcome was not recorded is taken again after it. */
const LEASE_MS = 120_000;

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function setup(options: { clientOnManualClock?: boolean } = {}) {
  // The outbox runs on a manual clock (backoff and settling pass in an instant); the sandbox and
  // the client keep real time, so a paging token "since the event" covers what they wrote.
  // The client may share the manual clock, for a quota pause to end when the test says so.
  const clock = createManualClock(Date.now());
  const harness = await createSyncHarness({
    sandbox: { seedLeads: 5 },
    ...(options.clientOnManualClock === true ? { client: { clock } } : {}),
  });
  const { sandbox, store, marketo } = harness;
  close = harness.close;
  const { crashing, crashNextCompletion } = crashingAfterSend(store);
  const handlers = createChatOutboxHandlers({ marketo, store, clock, logger: silentLogger });
  const relay = { store: crashing, clock, logger: silentLogger, random: () => 0 };
  const leadIds = sandbox.allLeads().map((lead) => lead.id);

  const { drain, pending, deliverAll } = createOutboxDriver({
    relay,
    handlers,
    store,
    clock,
    stepMs: SETTLE_MS + 60_000,
  });

  let n = 0;
  const event = (overrides: Partial<ChatActivity> = {}): ChatActivity => {
    n += 1;
    return {
      eventId: `event-${n}`,
      type: 'goal-reached',
      dialogueId: 'welcome',
      dialogueVersion: 1,
      dialogueName: 'Welcome',
      conversationId: `conv-${n}`,
      pageUrl: 'https://www.example.com/pricing',
      value: 'demo-asked',
      identity: 'typed',
      occurredAt: clock.now(),
      ...overrides,
    };
  };
  const enqueue = (leadId: number, activities: ChatActivity[]) =>
    store.enqueueOutbox(
      activities.map((activity) => chatActivityItem(leadId, activity)),
      clock.now(),
    );
  /** Our activities in the sandbox, as `conversationId:eventId → leadId[]`. */
  const written = () => {
    const byEvent: Record<string, number[]> = {};
    for (const activity of sandbox.customActivities()) {
      const value = (name: string) =>
        String(activity.attributes.find((a) => a.apiName === name)?.value);
      const key = chatEventKey({
        conversationId: value('conversationId'),
        eventId: value('eventId'),
      });
      byEvent[key] = [...(byEvent[key] ?? []), activity.leadId];
    }
    return byEvent;
  };
  const expectEachOnce = (leadId: number, activities: ChatActivity[]) =>
    expect(written()).toEqual(
      Object.fromEntries(activities.map((a) => [chatEventKey(a), [leadId]])),
    );
  const calls = (path: string) => sandbox.stats().callsByPath[path] ?? 0;
  const injectFault = (fault: Record<string, unknown>) =>
    request(sandbox.app).post('/_sandbox/faults').send(fault).expect(201);
  return {
    ...harness,
    clock,
    leadId: leadIds[0]!,
    drain,
    pending,
    deliverAll,
    event,
    enqueue,
    written,
    expectEachOnce,
    calls,
    injectFault,
    crashNextCompletion,
  };
}

describe('chat activities written to Marketo exactly once', () => {
  it.each([
    {
      what: 'HTTP 502 after Marketo applied the write',
      fault: { httpStatus: 502, after: true },
      settles: false,
    },
    {
      what: 'the connection dropped after the write',
      fault: { drop: true, after: true },
      settles: false,
    },
    { what: 'the connection dropped before the write', fault: { drop: true }, settles: true },
  ])(
    'when the answer to Add Custom Activities is lost ($what), then each event lands once',
    async ({ fault, settles }) => {
      const env = await setup();
      const { store, leadId, drain, deliverAll, event, enqueue, calls, injectFault } = env;
      const events = [event(), event({ type: 'completed', value: undefined })];
      await injectFault({ path: ADD_PATH, ...fault });
      await enqueue(leadId, events);

      // The outcome is unknown: both items are retried (one batched call carried them).
      expect(await drain()).toMatchObject({ retried: 2, done: 0, dead: 0 });
      await deliverAll();

      env.expectEachOnce(leadId, events);
      // Executed once: either the faulted call (its write stood) or the one after the settling.
      expect(calls(ADD_PATH)).toBe(1);
      // The retries looked together; a look that found nothing looked again after settling.
      expect(calls(LOOKUP_PATH)).toBe(settles ? 2 : 1);
      const settleCopies = (await store.listOutbox()).filter((i) =>
        i.dedupeKey.includes('~settle@'),
      );
      expect(settleCopies).toHaveLength(settles ? 2 : 0);
      expect(await store.listOutbox({ status: 'dead' })).toEqual([]);
    },
  );

  it('when the process dies after the send, before the outbox records it, then the retry finds the activity and does not resend', async () => {
    const { leadId, clock, drain, event, enqueue, calls, crashNextCompletion, ...env } =
      await setup();
    const goal = event();
    await enqueue(leadId, [goal]);
    crashNextCompletion();

    expect(await drain()).toMatchObject({ claimed: 1, unrecorded: 1 });
    expect(calls(ADD_PATH)).toBe(1);
    // The claim runs out and another pass takes the item: attempt 2 looks first.
    clock.advance(LEASE_MS + 1);
    expect(await drain()).toMatchObject({ claimed: 1, done: 1, dead: 0 });

    env.expectEachOnce(leadId, [goal]);
    expect(calls(ADD_PATH)).toBe(1);
    expect(calls(LOOKUP_PATH)).toBe(1);
    expect(await env.pending()).toEqual([]);
  });

  it('when a dead letter whose answer was lost is replayed, then it looks first and does not write twice', async () => {
    const { store, clock, leadId, drain, event, enqueue, calls, injectFault, ...env } =
      await setup();
    const goal = event();
    await injectFault({ path: ADD_PATH, httpStatus: 502, after: true });
    await enqueue(leadId, [goal]);
    // Written, answer lost, and no retries allowed: straight to the dead letters.
    expect(await drain({ maxAttempts: 1 })).toMatchObject({ dead: 1 });
    const [dead] = await store.listOutbox({ status: 'dead' });

    // The operator replays it: attempts start again at 0, but earlier ones may have written.
    expect(await store.replayOutbox(dead!.id, clock.now())).toBe(true);
    expect(await drain()).toMatchObject({ done: 1, dead: 0 });

    env.expectEachOnce(leadId, [goal]);
    expect(calls(ADD_PATH)).toBe(1);
    expect(calls(LOOKUP_PATH)).toBe(1);
  });

  it('when the daily quota runs out while looking before a resend, then the item waits for the reset and still looks first', async () => {
    const { store, clock, leadId, drain, event, enqueue, calls, injectFault, ...env } = await setup(
      { clientOnManualClock: true },
    );
    const goal = event();
    await injectFault({ path: ADD_PATH, httpStatus: 502, after: true });
    await injectFault({ path: '/rest/v1/activities/pagingtoken.json', code: '607' });
    await enqueue(leadId, [goal]);

    expect(await drain()).toMatchObject({ retried: 1 }); // written, answer lost
    clock.advance(60_000);
    expect(await drain()).toMatchObject({ done: 1, dead: 0 }); // 607 on the look: deferred
    const [waiting] = await store.listOutbox({ status: 'pending' });
    expect(waiting).toMatchObject({ attempts: 0, payload: { verify: {} } });
    expect(waiting!.nextAttemptAt).toBeGreaterThan(clock.now() + 60_000);

    clock.set(waiting!.nextAttemptAt + 1);
    expect(await drain()).toMatchObject({ done: 1, dead: 0 });
    env.expectEachOnce(leadId, [goal]);
    expect(calls(ADD_PATH)).toBe(1);
  });

  it('when another conversation has an event of the same id on the lead, then the look does not mistake it for the lost one', async () => {
    const { leadId, drain, deliverAll, event, enqueue, calls, injectFault, ...env } = await setup();
    const first = event({ eventId: 'event-shared', conversationId: 'conv-a' });
    await enqueue(leadId, [first]);
    expect(await drain()).toMatchObject({ done: 1 });

    const second = event({ eventId: 'event-shared', conversationId: 'conv-b' });
    await injectFault({ path: ADD_PATH, drop: true });
    await enqueue(leadId, [second]);
    expect(await drain()).toMatchObject({ retried: 1 });
    await deliverAll();

    env.expectEachOnce(leadId, [first, second]);
    // The dropped call never reached Marketo (nor its count): the first event's, then the resend.
    expect(calls(ADD_PATH)).toBe(2);
    // Found nothing for conv-b (conv-a's activity has the same event id), settled, looked again.
    expect(calls(LOOKUP_PATH)).toBe(2);
  });

  it('when an item stored before verification existed is delivered, then it is read and lands once without looking', async () => {
    const { store, clock, leadId, drain, event, calls, ...env } = await setup();
    const goal = event();
    // The payload exactly as earlier versions stored it: no `verify`, no `unsent`.
    await store.enqueueOutbox(
      [
        {
          kind: 'marketo-chat-activity',
          dedupeKey: `chat-activity:${chatEventKey(goal)}`,
          payload: { leadId, activity: goal },
        },
      ],
      clock.now(),
    );
    expect(await drain()).toMatchObject({ done: 1, dead: 0 });
    env.expectEachOnce(leadId, [goal]);
    expect(calls(LOOKUP_PATH)).toBe(0);
  });
});
