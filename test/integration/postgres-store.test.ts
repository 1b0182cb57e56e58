import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, createSequentialIds } from '../../src/deps.js';
import {
  createPostgresStore,
  type PostgresStore,
} from '../../src/store/postgres/postgres-store.js';
import type { NewOutboxItem, OutboxItem } from '../../src/store/types.js';
import { applyLeadWebhook } from '../../src/sync/lead-webhook.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

describe('PostgreSQL store: what only a shared database shows', () => {
  let database: TestDatabase;
  let stores: PostgresStore[];

  beforeEach(async () => {
    database = await createTestDatabase();
    stores = [];
  });

  afterEach(async () => {
    await Promise.allSettled(stores.map((store) => store.close()));
    await database.drop();
  });

  async function open(prefix: string): Promise<PostgresStore> {
    const store = await createPostgresStore({
      connectionString: database.url,
      ids: createSequentialIds(prefix),
    });
    stores.push(store);
    return store;
  }

  it('when two stores claim the outbox concurrently, then they claim disjoint items and every item once', async () => {
    const [a, b] = [await open('a'), await open('b')];
    const items: NewOutboxItem[] = Array.from({ length: 120 }, (_, i) => ({
      kind: 'ssfs-callback',
      dedupeKey: `item-${i}`,
      payload: { i },
    }));
    await a.enqueueOutbox(items, T0);

    // Rounds of concurrent claims from both replicas (several connections each) until none is due.
    const claimed: Array<{ by: string; item: OutboxItem }> = [];
    for (;;) {
      const round = await Promise.all(
        [a, b, a, b, a, b].map(async (store, i) => {
          const got = await store.claimOutbox({ now: T0, limit: 7, leaseMs: 60_000 });
          return got.map((item) => ({ by: i % 2 === 0 ? 'a' : 'b', item }));
        }),
      );
      const fresh = round.flat();
      if (fresh.length === 0) break;
      claimed.push(...fresh);
    }

    const ids = claimed.map((entry) => entry.item.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(items.length);
    expect(claimed.every((entry) => entry.item.attempts === 1)).toBe(true);
    // Both replicas did work: the claims did not simply run one after the other.
    expect(new Set(claimed.map((entry) => entry.by))).toEqual(new Set(['a', 'b']));
    expect((await b.listOutbox()).every((item) => item.lease !== undefined)).toBe(true);
  });

  it('when two stores enqueue the same dedupe keys at once, then each key is stored once', async () => {
    const [a, b] = [await open('a'), await open('b')];
    const items = (n: number): NewOutboxItem[] =>
      Array.from({ length: n }, (_, i) => ({ kind: 'k', dedupeKey: `key-${i}`, payload: i }));
    const [fromA, fromB] = await Promise.all([
      a.enqueueOutbox(items(30), T0),
      b.enqueueOutbox(items(30), T0),
    ]);
    const created = [...fromA, ...fromB].filter((entry) => entry.created);
    expect(created).toHaveLength(30);
    expect(await a.listOutbox()).toHaveLength(30);
    for (let i = 0; i < 30; i++) expect(fromA[i]!.item.id).toBe(fromB[i]!.item.id);
  });

  it('when one store writes, then another store on the same database reads it', async () => {
    const [a, b] = [await open('a'), await open('b')];
    await a.applyLeadChanges({
      upserts: [{ id: 7, fields: { email: 'Ann@Example.com' }, observedAt: T0, source: 'webhook' }],
    });
    expect(await b.findLeadsByEmail('ann@example.com')).toEqual([
      { id: 7, fields: { email: 'Ann@Example.com' }, observedAt: T0, source: 'webhook' },
    ]);
    expect(b.sizeBytes()).toBeGreaterThan(0);
  });

  it('when two stores merge 50 single fields each into one lead at once, then all 100 fields are kept and it is created once', async () => {
    const [a, b] = [await open('a'), await open('b')];
    // One instant for every call: ties apply, so no call is ignored as older and every field
    // must survive the race (the row is not there yet, so the first writers race to insert).
    const clock = createManualClock(T0);
    const calls = Array.from({ length: 50 }, (_, i) =>
      (['a', 'b'] as const).map((side) =>
        applyLeadWebhook(
          { store: side === 'a' ? a : b, clock },
          { id: 42, fields: { [`${side}${i}`]: i } },
        ),
      ),
    ).flat();

    const results = await Promise.all(calls);

    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 'created')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'updated')).toHaveLength(99);
    const expected = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [
        [`a${i}`, i],
        [`b${i}`, i],
      ]).flat(),
    );
    expect((await b.getLead(42))?.fields).toEqual(expected);
    expect(await a.getLead(42)).toMatchObject({ observedAt: T0, source: 'webhook' });
  });

  it("when a chat event's release function throws, then its error comes back as thrown and nothing is written", async () => {
    const store = await open('a');
    const event = {
      type: 'triggered' as const,
      dialogueId: 'welcome',
      dialogueVersion: 1,
      conversationId: 'conv-0001',
      eventId: 'event-0001',
      pageUrl: 'https://example.com/',
      visitor: { anonymousId: 'anon-0001' },
    };
    await store.recordChatEvent({ event, now: T0, counters: {}, hold: { n: 1 } });
    const failure = new TypeError('the chat module failed');
    await expect(
      store.recordChatEvent({
        event: { ...event, eventId: 'event-0002' },
        now: T0,
        counters: {},
        release: () => {
          throw failure;
        },
      }),
    ).rejects.toBe(failure);
    // The held value is still there, and the event id was not taken: a retry releases it.
    const released = await store.recordChatEvent({
      event: { ...event, eventId: 'event-0002' },
      now: T0,
      counters: {},
      release: (held) =>
        held.map((value, i) => ({ kind: 'k', dedupeKey: `held-${i}`, payload: value })),
    });
    expect(released).toBe(true);
    expect((await store.listOutbox()).map((item) => item.payload)).toEqual([{ n: 1 }]);
  });

  it('when the database cannot be reached, then opening fails with STORE_UNAVAILABLE (503, retryable)', async () => {
    await expect(
      createPostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/nowhere' }),
    ).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', httpStatus: 503, retryable: true });
  });

  it('when the database goes away under an open store, then reads and writes fail with STORE_UNAVAILABLE, never a false success', async () => {
    const store = await open('a');
    await store.enqueueOutbox([{ kind: 'k', dedupeKey: 'before', payload: 1 }], T0);
    await database.drop();

    const unavailable = { code: 'STORE_UNAVAILABLE', httpStatus: 503, retryable: true };
    await expect(store.getLead(1)).rejects.toMatchObject(unavailable);
    await expect(
      store.enqueueOutbox([{ kind: 'k', dedupeKey: 'after', payload: 1 }], T0),
    ).rejects.toMatchObject(unavailable);
    await expect(store.claimOutbox({ now: T0, limit: 1, leaseMs: 1 })).rejects.toMatchObject(
      unavailable,
    );
  });

  it("when the store's connections are killed, then the next query reconnects", async () => {
    const store = await open('a');
    await store.saveInstance({ id: 'sandbox', boundAt: '2026-11-24T12:00:00Z' });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database.name],
    );
    await admin.end();
    // An idle connection killed is dropped from the pool (pool 'error'), not handed out.
    await expect(store.loadInstance()).resolves.toEqual({
      id: 'sandbox',
      boundAt: '2026-11-24T12:00:00Z',
    });
  });
});
