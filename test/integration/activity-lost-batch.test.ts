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
import { runOutboxOnce, type OutboxPassReport } from '../../src/outbox/run-outbox-once.js';
import { createRandom } from '../../src/sandbox/sandbox-seed.js';
import { MARKETO_RELAY } from '../../src/service-outbox.js';
import type { Store } from '../../src/store/types.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';
import { createSyncHarness } from '../helpers/sync-harness.js';

/**
 * The items of one Add Custom Activities call whose answer was lost share one look-up in
 * Marketo and one settling (src/marketo-activities/: activity-finder.ts, activity-verification
 * and verified-activity-delivery.ts): the cost of a lost answer on a batch of 300 is a few
 * calls, not some per 30 items, and each activity still lands exactly once, across a crash.
 * Calls are counted by the sandbox. The relay runs as the worker does, with its jitter, and
 * sleeps until the next item is due (or its claim runs out) when nothing is.
 */
const ADD_PATH = '/rest/v1/activities/external.json';
const TOKEN_PATH = '/rest/v1/activities/pagingtoken.json';
const LOOKUP_PATH = '/rest/v1/activities.json';
/** A full batch: Add Custom Activities takes 300 records, the relay claims 300 a pass. */
const BATCH = 300;
/** Two events per lead, as a conversation makes: more leads than one call may name (30). */
const LEADS = 150;

let data: StoreTestData | undefined;
let closeHarness: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeHarness?.();
  await data?.remove();
  closeHarness = undefined;
  data = undefined;
});

describe.each(storeImplementations)('a lost batch of chat activities ($kind store)', (impl) => {
  async function setup() {
    const clock = createManualClock(Date.now());
    data = await impl.createData();
    const store = await data.open();
    const harness = await createSyncHarness({ sandbox: { seedLeads: LEADS }, store });
    closeHarness = harness.close;
    const { sandbox, marketo } = harness;
    const leadIds = sandbox.allLeads().map((lead) => lead.id);

    // A process that dies after its work and before recording the outcome: while `dying`,
    // the relay cannot write any outcome, and the claims run out (120 s).
    let dying = false;
    const mortal = new Proxy(store, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key, target);
        if (key === 'completeOutbox' || key === 'failOutbox') {
          return async (args: never) => {
            if (dying) throw new Error('the process died');
            return (value as (a: never) => Promise<boolean>).call(target, args);
          };
        }
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    }) as Store;
    const newProcess = () =>
      createChatOutboxHandlers({ marketo, store, clock, logger: silentLogger });
    let handlers = newProcess();
    const relay = { store: mortal, clock, logger: silentLogger, random: createRandom(11) };

    /** One pass, once the next item is due (the worker sleeping until then). */
    const step = async (): Promise<OutboxPassReport> => {
      const waiting = await store.listOutbox({ status: 'pending' });
      const due = Math.min(
        ...waiting.map((item) => Math.max(item.nextAttemptAt, item.lease?.until ?? 0)),
      );
      if (Number.isFinite(due) && due > clock.now()) clock.set(due);
      return runOutboxOnce(relay, handlers, MARKETO_RELAY);
    };
    /** Passes until nothing is pending; how many items each claimed. */
    const deliverAll = async () => {
      const claims: number[] = [];
      for (let pass = 0; pass < 50; pass += 1) {
        if ((await store.listOutbox({ status: 'pending' })).length === 0) return claims;
        claims.push((await step()).claimed);
      }
      throw new Error(`still pending after 50 passes: ${claims.join(', ')}`);
    };

    let n = 0;
    const enqueue = async (count: number) => {
      const events = Array.from({ length: count }, (): [number, ChatActivity] => {
        n += 1;
        const activity: ChatActivity = {
          eventId: `event-${n}`,
          type: 'goal-reached',
          dialogueId: 'welcome',
          dialogueVersion: 1,
          dialogueName: 'Welcome',
          conversationId: `conv-${Math.ceil(n / 2)}`,
          pageUrl: 'https://www.example.com/pricing',
          identity: 'typed',
          occurredAt: clock.now(),
        };
        return [leadIds[Math.ceil(n / 2) % leadIds.length]!, activity];
      });
      await store.enqueueOutbox(
        events.map(([leadId, activity]) => chatActivityItem(leadId, activity)),
        clock.now(),
      );
      return events;
    };
    /** Every event of `events` is in Marketo once, on its lead. */
    const expectEachOnce = (events: Array<[number, ChatActivity]>) => {
      const written = new Map<string, number[]>();
      for (const activity of sandbox.customActivities()) {
        const value = (name: string) =>
          String(activity.attributes.find((a) => a.apiName === name)?.value);
        const key = chatEventKey({
          conversationId: value('conversationId'),
          eventId: value('eventId'),
        });
        written.set(key, [...(written.get(key) ?? []), activity.leadId]);
      }
      expect(Object.fromEntries(written)).toEqual(
        Object.fromEntries(events.map(([leadId, a]) => [chatEventKey(a), [leadId]])),
      );
    };
    const calls = (path: string) => sandbox.stats().callsByPath[path] ?? 0;
    const injectFault = (fault: Record<string, unknown>) =>
      request(sandbox.app)
        .post('/_sandbox/faults')
        .send({ path: ADD_PATH, ...fault })
        .expect(201);
    const settleCopies = async () =>
      (await store.listOutbox()).filter((item) => item.dedupeKey.includes('~settle@'));
    return {
      store,
      step,
      deliverAll,
      enqueue,
      expectEachOnce,
      calls,
      injectFault,
      settleCopies,
      die: () => (dying = true),
      /** Started again: nothing of the dead one in memory. */
      restart: () => {
        dying = false;
        handlers = newProcess();
      },
    };
  }

  it('when the answer is lost after Marketo wrote the batch, then one look finds all 300 and none is resent', async () => {
    const env = await setup();
    const events = await env.enqueue(BATCH);
    await env.injectFault({ httpStatus: 502, after: true });

    // The send, then every retry in one pass: they come back at one time, jitter or not.
    expect(await env.deliverAll()).toEqual([BATCH, BATCH]);

    env.expectEachOnce(events);
    expect(env.calls(ADD_PATH)).toBe(1);
    // One paging token and one walk for 150 leads (a page reads the same window for 30 or all).
    expect(env.calls(TOKEN_PATH)).toBe(1);
    expect(env.calls(LOOKUP_PATH)).toBe(1);
    expect(env.calls(TOKEN_PATH) + env.calls(LOOKUP_PATH)).toBeLessThanOrEqual(BATCH / 30);
    expect(await env.settleCopies()).toEqual([]);
  });

  it('when the call was dropped before Marketo wrote the batch, then the batch settles once, looks once more and is resent in one call', async () => {
    const env = await setup();
    const events = await env.enqueue(BATCH);
    await env.injectFault({ drop: true });

    // Send (dropped), look (nothing: settle), look again after settling (nothing: resend).
    expect(await env.deliverAll()).toEqual([BATCH, BATCH, BATCH]);

    env.expectEachOnce(events);
    // The dropped call never ran (nor counted): one call wrote the 300, with the same ids.
    expect(env.calls(ADD_PATH)).toBe(1);
    expect(env.calls(TOKEN_PATH)).toBe(2);
    expect(env.calls(LOOKUP_PATH)).toBe(2);
    const copies = await env.settleCopies();
    expect(copies).toHaveLength(BATCH);
    expect(new Set(copies.map((copy) => copy.nextAttemptAt)).size).toBe(1);
  });

  it('when one batch was written and the next was not, then the found are not resent and the others are resent once', async () => {
    const env = await setup();
    const written = await env.enqueue(BATCH / 2);
    await env.injectFault({ httpStatus: 502, after: true });
    expect(await env.step()).toMatchObject({ claimed: BATCH / 2, retried: BATCH / 2 });
    const notWritten = await env.enqueue(BATCH / 2);
    await env.injectFault({ drop: true });
    expect(await env.step()).toMatchObject({ claimed: BATCH / 2, retried: BATCH / 2 });

    // Both batches' retries in one pass and one look: 150 found (done), 150 settle.
    expect(await env.step()).toMatchObject({ claimed: BATCH, done: BATCH });
    expect(env.calls(TOKEN_PATH)).toBe(1);
    expect(await env.settleCopies()).toHaveLength(BATCH / 2);
    expect(await env.deliverAll()).toEqual([BATCH / 2]);

    env.expectEachOnce([...written, ...notWritten]);
    expect(env.calls(ADD_PATH)).toBe(2); // the first batch's, and the second's resend
    expect(env.calls(TOKEN_PATH)).toBe(2);
    expect(env.calls(LOOKUP_PATH)).toBe(2);
  });

  it('when the process dies after the look, before recording it, then the batch looks again after the claims run out and is resent once', async () => {
    const env = await setup();
    const events = await env.enqueue(BATCH);
    await env.injectFault({ drop: true });
    expect(await env.step()).toMatchObject({ retried: BATCH });

    env.die();
    expect(await env.step()).toMatchObject({ claimed: BATCH, unrecorded: BATCH });
    env.restart();
    // Claims run out: look (attempt 3, nothing: settle afresh), look again, resend.
    expect(await env.deliverAll()).toEqual([BATCH, BATCH]);

    env.expectEachOnce(events);
    expect(env.calls(ADD_PATH)).toBe(1);
    expect(env.calls(TOKEN_PATH)).toBe(3);
  });

  it('when the process dies after the resend, before recording it, then the next look finds the batch and nothing is written twice', async () => {
    const env = await setup();
    const events = await env.enqueue(BATCH);
    await env.injectFault({ drop: true });
    expect(await env.step()).toMatchObject({ retried: BATCH });
    expect(await env.step()).toMatchObject({ done: BATCH }); // nothing found: settling

    env.die();
    expect(await env.step()).toMatchObject({ claimed: BATCH, unrecorded: BATCH }); // resent
    expect(env.calls(ADD_PATH)).toBe(1);
    env.restart();
    // Claims run out: attempt 2 looks first and finds all 300.
    expect(await env.deliverAll()).toEqual([BATCH]);

    env.expectEachOnce(events);
    expect(env.calls(ADD_PATH)).toBe(1);
    expect(env.calls(TOKEN_PATH)).toBe(3);
    expect(await env.store.listOutbox({ status: 'dead' })).toEqual([]);
  });
});
