import { stat } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonFileStore } from '../../src/store/index.js';
import type { NewOutboxItem, OutboxItem, Store } from '../../src/store/types.js';
import {
  createStoreFile,
  storeImplementations,
  type StoreTestData,
} from '../helpers/store-implementations.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const LEASE = 60_000;

function newItem(dedupeKey: string, overrides: Partial<NewOutboxItem> = {}): NewOutboxItem {
  return { kind: 'ssfs-callback', dedupeKey, payload: { key: dedupeKey, n: [1, 2] }, ...overrides };
}

describe.each(storeImplementations)('outbox store contract: $kind', (impl) => {
  let data: StoreTestData;
  let store: Store;

  beforeEach(async () => {
    data = await impl.createData();
    store = await data.open();
  });

  afterEach(() => data.remove());

  async function enqueue(items: NewOutboxItem[], now = T0): Promise<OutboxItem[]> {
    return (await store.enqueueOutbox(items, now)).map((entry) => entry.item);
  }

  function claim(now: number, options: { limit?: number; kinds?: string[] } = {}) {
    return store.claimOutbox({ now, limit: options.limit ?? 10, leaseMs: LEASE, ...options });
  }

  const keysOf = (items: OutboxItem[]) => items.map((item) => item.dedupeKey);

  describe('enqueue', () => {
    it('when an item is enqueued, then it is pending, due now, and found by id and dedupe key', async () => {
      const [result] = await store.enqueueOutbox([newItem('a')], T0);

      expect(result).toEqual({
        created: true,
        item: {
          id: expect.any(String),
          kind: 'ssfs-callback',
          dedupeKey: 'a',
          payload: { key: 'a', n: [1, 2] },
          status: 'pending',
          attempts: 0,
          nextAttemptAt: T0,
          createdAt: T0,
          updatedAt: T0,
        },
      });
      expect(await store.getOutboxItem(result!.item.id)).toEqual(result!.item);
      expect(await store.findOutboxItem('a')).toEqual(result!.item);
      expect(await store.getOutboxItem('nope')).toBeUndefined();
      expect(await store.findOutboxItem('nope')).toBeUndefined();
    });

    it('when an item gives nextAttemptAt, then it is due then', async () => {
      const [item] = await enqueue([newItem('a', { nextAttemptAt: T0 + 5_000 })]);

      expect(item).toMatchObject({ nextAttemptAt: T0 + 5_000, createdAt: T0 });
    });

    it('when a dedupe key is enqueued again, in another call or the same one, then the first item comes back', async () => {
      const [first] = await enqueue([newItem('a')]);

      const again = await store.enqueueOutbox(
        [newItem('a', { payload: 'other' }), newItem('b'), newItem('b', { kind: 'x' })],
        T0 + 1,
      );

      expect(again.map((entry) => entry.created)).toEqual([false, true, false]);
      expect(again[0]!.item).toEqual(first);
      expect(again[2]!.item).toEqual(again[1]!.item);
      expect(await store.listOutbox()).toHaveLength(2);
    });

    it('when a done or dead item holds the dedupe key, then enqueueing it again still returns that item', async () => {
      await enqueue([newItem('done'), newItem('dead')]);
      const claimed = await claim(T0);
      const byKey = new Map(claimed.map((item) => [item.dedupeKey, item]));
      await store.completeOutbox({
        id: byKey.get('done')!.id,
        leaseToken: tokenOf(byKey.get('done')!),
        now: T0,
      });
      await store.failOutbox({
        id: byKey.get('dead')!.id,
        leaseToken: tokenOf(byKey.get('dead')!),
        now: T0,
        error: 'boom',
        dead: true,
      });

      const again = await store.enqueueOutbox([newItem('done'), newItem('dead')], T0 + 1);

      expect(again.map((entry) => [entry.created, entry.item.status])).toEqual([
        [false, 'done'],
        [false, 'dead'],
      ]);
    });

    it('when the caller changes a payload after enqueueing, then the stored payload is unchanged and frozen', async () => {
      const payload = { lead: { id: 1, tags: ['a'] } };
      const [item] = await enqueue([newItem('a', { payload })]);
      payload.lead.tags.push('changed');

      const stored = (await store.getOutboxItem(item!.id))!;
      expect(stored.payload).toEqual({ lead: { id: 1, tags: ['a'] } });
      expect(Object.isFrozen(stored)).toBe(true);
      expect(() => (stored.payload as { lead: { tags: string[] } }).lead.tags.push('x')).toThrow();
    });

    it('when one item of a batch is invalid, then the whole batch is refused and nothing is stored', async () => {
      const bad = [
        [newItem('ok'), newItem('big', { payload: { n: 10n } })],
        [newItem('ok'), newItem('date', { payload: new Date(T0) })],
        [newItem('ok'), newItem('')],
        [newItem('ok'), newItem('k', { kind: '' })],
        [newItem('ok'), newItem('u', { payload: undefined })],
      ];

      for (const items of bad) {
        await expect(store.enqueueOutbox(items, T0)).rejects.toMatchObject({
          code: 'STORE_INVALID_RECORD',
        });
      }
      await expect(store.enqueueOutbox([newItem('ok')], Number.NaN)).rejects.toMatchObject({
        code: 'STORE_INVALID_RECORD',
      });
      expect(await store.listOutbox()).toEqual([]);
    });
  });

  describe('claim', () => {
    it('when items are claimed, then each gets a fresh lease and its attempt is counted', async () => {
      await enqueue([newItem('a'), newItem('b')]);

      const claimed = await claim(T0 + 10);

      expect(keysOf(claimed)).toEqual(['a', 'b']);
      for (const item of claimed) {
        expect(item).toMatchObject({
          status: 'pending',
          attempts: 1,
          updatedAt: T0 + 10,
          lease: { token: expect.any(String), until: T0 + 10 + LEASE },
        });
        expect(await store.getOutboxItem(item.id)).toEqual(item);
      }
      expect(tokenOf(claimed[0]!)).not.toBe(tokenOf(claimed[1]!));
    });

    it('when an item is not yet due, then it is claimed only once its time comes', async () => {
      await enqueue([newItem('later', { nextAttemptAt: T0 + 1_000 })]);

      expect(await claim(T0 + 999)).toEqual([]);
      expect(keysOf(await claim(T0 + 1_000))).toEqual(['later']);
    });

    it('when kinds are given, then only items of those kinds are claimed', async () => {
      await enqueue([
        newItem('a', { kind: 'x' }),
        newItem('b', { kind: 'y' }),
        newItem('c', { kind: 'z' }),
      ]);

      expect(keysOf(await claim(T0, { kinds: ['x', 'z'] }))).toEqual(['a', 'c']);
      expect(await claim(T0, { kinds: [] })).toEqual([]);
      expect(keysOf(await claim(T0))).toEqual(['b']);
    });

    it('when more items are due than the limit, then the oldest are claimed first', async () => {
      await enqueue([newItem('t2')], T0 + 2);
      await enqueue([newItem('t0-first'), newItem('t0-second')], T0);
      await enqueue([newItem('t1')], T0 + 1);

      expect(keysOf(await claim(T0 + 5, { limit: 3 }))).toEqual(['t0-first', 't0-second', 't1']);
      expect(keysOf(await claim(T0 + 5, { limit: 3 }))).toEqual(['t2']);
      expect(await claim(T0 + 5, { limit: 0 })).toEqual([]);
    });

    it('when an item is leased, then it is not claimed again until the lease expires', async () => {
      await enqueue([newItem('a')]);
      const [first] = await claim(T0);

      expect(await claim(T0 + LEASE - 1)).toEqual([]);
      const [second] = await claim(T0 + LEASE);

      expect(second).toMatchObject({ id: first!.id, attempts: 2 });
      expect(tokenOf(second!)).not.toBe(tokenOf(first!));
    });

    it('when claims run concurrently, then no item is claimed twice', async () => {
      await enqueue(Array.from({ length: 9 }, (_, i) => newItem(`k${i}`)));

      const batches = await Promise.all([
        claim(T0, { limit: 4 }),
        claim(T0, { limit: 4 }),
        claim(T0, { limit: 4 }),
      ]);

      const ids = batches.flat().map((item) => item.id);
      // Separate connections (PostgreSQL) may finish in any order: the sizes, not their order.
      expect(batches.map((batch) => batch.length).sort()).toEqual([1, 4, 4]);
      expect(new Set(ids).size).toBe(9);
    });
  });

  describe('complete and fail (fenced by the lease token)', () => {
    it('when an item is completed, then it is done and its follow-ups are enqueued with it', async () => {
      await enqueue([newItem('invocation'), newItem('existing')]);
      const [item] = await claim(T0, { limit: 1 });

      const ok = await store.completeOutbox({
        id: item!.id,
        leaseToken: tokenOf(item!),
        now: T0 + 5,
        followUps: [
          newItem('callback-1'),
          newItem('callback-2', { nextAttemptAt: T0 + 100 }),
          newItem('existing'),
        ],
      });

      expect(ok).toBe(true);
      const done = await store.getOutboxItem(item!.id);
      expect(done).toMatchObject({
        status: 'done',
        doneAt: T0 + 5,
        updatedAt: T0 + 5,
        attempts: 1,
      });
      expect(done).not.toHaveProperty('lease');
      expect(await store.findOutboxItem('callback-1')).toMatchObject({
        status: 'pending',
        nextAttemptAt: T0 + 5,
        createdAt: T0 + 5,
      });
      expect(await store.findOutboxItem('callback-2')).toMatchObject({ nextAttemptAt: T0 + 100 });
      expect(await store.listOutbox({ kind: 'ssfs-callback' })).toHaveLength(4);
    });

    it('when a lease expired and another worker claimed the item, then the stale token can neither complete nor fail it', async () => {
      await enqueue([newItem('a')]);
      const [stale] = await claim(T0);
      const [fresh] = await claim(T0 + LEASE);
      const current = await store.getOutboxItem(fresh!.id);

      expect(
        await store.completeOutbox({
          id: stale!.id,
          leaseToken: tokenOf(stale!),
          now: T0 + LEASE + 1,
          followUps: [newItem('follow-up')],
        }),
      ).toBe(false);
      expect(
        await store.failOutbox({
          id: stale!.id,
          leaseToken: tokenOf(stale!),
          now: T0 + LEASE + 1,
          error: 'late',
          dead: true,
        }),
      ).toBe(false);

      expect(await store.getOutboxItem(fresh!.id)).toEqual(current);
      expect(await store.findOutboxItem('follow-up')).toBeUndefined();
      expect(
        await store.completeOutbox({
          id: fresh!.id,
          leaseToken: tokenOf(fresh!),
          now: T0 + LEASE + 2,
        }),
      ).toBe(true);
    });

    it('when a lease expired but nobody took the item over, then its holder may still complete it', async () => {
      await enqueue([newItem('a')]);
      const [item] = await claim(T0);

      expect(
        await store.completeOutbox({
          id: item!.id,
          leaseToken: tokenOf(item!),
          now: T0 + 2 * LEASE,
        }),
      ).toBe(true);
    });

    it('when an item is completed twice, or with an unknown id or token, then only the first counts', async () => {
      await enqueue([newItem('a')]);
      const [item] = await claim(T0);
      const args = { id: item!.id, leaseToken: tokenOf(item!), now: T0 + 1 };

      expect(await store.completeOutbox(args)).toBe(true);
      expect(await store.completeOutbox({ ...args, now: T0 + 2 })).toBe(false);
      expect(await store.failOutbox({ ...args, error: 'x' })).toBe(false);
      expect(await store.completeOutbox({ ...args, id: 'unknown' })).toBe(false);
      expect(await store.getOutboxItem(item!.id)).toMatchObject({ status: 'done', doneAt: T0 + 1 });
    });

    it('when a follow-up is invalid, then the completion is refused and the item stays claimed', async () => {
      await enqueue([newItem('a')]);
      const [item] = await claim(T0);

      await expect(
        store.completeOutbox({
          id: item!.id,
          leaseToken: tokenOf(item!),
          now: T0 + 1,
          followUps: [newItem('ok'), newItem('bad', { payload: () => 1 })],
        }),
      ).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });
      expect(await store.getOutboxItem(item!.id)).toEqual(item);
      expect(await store.findOutboxItem('ok')).toBeUndefined();
    });

    it('when an attempt fails with retryAt, then the item is released with its error and due at retryAt', async () => {
      await enqueue([newItem('a')]);
      const [item] = await claim(T0);

      expect(
        await store.failOutbox({
          id: item!.id,
          leaseToken: tokenOf(item!),
          now: T0 + 1,
          error: 'HTTP 502',
          retryAt: T0 + 30_000,
        }),
      ).toBe(true);

      const failed = await store.getOutboxItem(item!.id);
      expect(failed).toMatchObject({
        status: 'pending',
        attempts: 1,
        nextAttemptAt: T0 + 30_000,
        lastError: 'HTTP 502',
        updatedAt: T0 + 1,
      });
      expect(failed).not.toHaveProperty('lease');
      expect(await claim(T0 + 29_999)).toEqual([]);
      expect(await claim(T0 + 30_000)).toMatchObject([{ id: item!.id, attempts: 2 }]);
    });

    it('when an attempt fails without retryAt, then the item is due at once', async () => {
      await enqueue([newItem('a')]);
      const [item] = await claim(T0);

      await store.failOutbox({
        id: item!.id,
        leaseToken: tokenOf(item!),
        now: T0 + 7,
        error: 'reset',
      });

      expect(await store.getOutboxItem(item!.id)).toMatchObject({ nextAttemptAt: T0 + 7 });
      expect(keysOf(await claim(T0 + 7))).toEqual(['a']);
    });

    it('when an item goes dead and is replayed, then it is pending again, due now, with its attempts reset', async () => {
      await enqueue([newItem('a')]);
      const [item] = await claim(T0);
      await store.failOutbox({
        id: item!.id,
        leaseToken: tokenOf(item!),
        now: T0 + 1,
        error: 'HTTP 400',
        dead: true,
        retryAt: T0 + 5,
      });

      expect(await store.getOutboxItem(item!.id)).toMatchObject({
        status: 'dead',
        lastError: 'HTTP 400',
      });
      expect(await claim(T0 + LEASE * 10)).toEqual([]);
      expect((await store.listOutbox({ status: 'dead' })).map((dead) => dead.id)).toEqual([
        item!.id,
      ]);

      expect(await store.replayOutbox(item!.id, T0 + 100)).toBe(true);

      expect(await store.getOutboxItem(item!.id)).toMatchObject({
        status: 'pending',
        attempts: 0,
        nextAttemptAt: T0 + 100,
        updatedAt: T0 + 100,
        lastError: 'HTTP 400',
      });
      expect(await store.replayOutbox(item!.id, T0 + 101)).toBe(false);
      expect(await store.replayOutbox('unknown', T0 + 101)).toBe(false);
      expect(await claim(T0 + 100)).toMatchObject([{ id: item!.id, attempts: 1 }]);
    });

    it('when an item goes dead with follow-ups, then they are enqueued with it, once, and a stale token adds none', async () => {
      await enqueue([newItem('callback')]);
      const [item] = await claim(T0);
      const dies = (token: string, now: number) =>
        store.failOutbox({
          id: item!.id,
          leaseToken: token,
          now,
          error: 'HTTP 401',
          dead: true,
          followUps: [newItem('failure', { kind: 'ssfs-failure-callback' })],
        });

      expect(await dies('stale-token', T0 + 1)).toBe(false);
      expect(await store.findOutboxItem('failure')).toBeUndefined();
      expect(await dies(tokenOf(item!), T0 + 1)).toBe(true);

      expect(await store.getOutboxItem(item!.id)).toMatchObject({ status: 'dead' });
      expect(await store.findOutboxItem('failure')).toMatchObject({
        kind: 'ssfs-failure-callback',
        status: 'pending',
        nextAttemptAt: T0 + 1,
      });

      // Replayed and dead again: the follow-up's dedupe key holds, nothing is added.
      await store.replayOutbox(item!.id, T0 + 2);
      const [again] = await claim(T0 + 2, { kinds: ['ssfs-callback'] });
      expect(await dies(tokenOf(again!), T0 + 3)).toBe(true);
      expect(await store.listOutbox({ kind: 'ssfs-failure-callback' })).toHaveLength(1);

      store = await data.reopen(store);
      expect(await store.findOutboxItem('failure')).toMatchObject({ status: 'pending' });
    });

    it('when an error text is very long, then the stored error is cut short', async () => {
      await enqueue([newItem('a')]);
      const [item] = await claim(T0);

      await store.failOutbox({
        id: item!.id,
        leaseToken: tokenOf(item!),
        now: T0,
        error: 'x'.repeat(100_000),
      });

      expect((await store.getOutboxItem(item!.id))!.lastError!.length).toBeLessThanOrEqual(2_000);
    });
  });

  describe('list and prune', () => {
    it('when items are listed, then the newest come first, filtered by status and kind, up to the limit', async () => {
      await enqueue([newItem('old', { kind: 'x' })], T0);
      await enqueue([newItem('mid-1', { kind: 'y' }), newItem('mid-2', { kind: 'x' })], T0 + 1);
      await enqueue([newItem('new', { kind: 'x' })], T0 + 2);
      const [old] = await claim(T0 + 3, { limit: 1 });
      await store.completeOutbox({ id: old!.id, leaseToken: tokenOf(old!), now: T0 + 3 });

      expect(keysOf(await store.listOutbox())).toEqual(['new', 'mid-2', 'mid-1', 'old']);
      expect(keysOf(await store.listOutbox({ kind: 'x' }))).toEqual(['new', 'mid-2', 'old']);
      expect(keysOf(await store.listOutbox({ status: 'pending', kind: 'x' }))).toEqual([
        'new',
        'mid-2',
      ]);
      expect(keysOf(await store.listOutbox({ status: 'done' }))).toEqual(['old']);
      expect(keysOf(await store.listOutbox({ limit: 2 }))).toEqual(['new', 'mid-2']);
    });

    it('when items are listed by dedupe key prefix, then only that chain comes, newest first (no pattern characters)', async () => {
      await enqueue([newItem('meeting:m1#1'), newItem('meeting:m10#1')], T0);
      await enqueue([newItem('meeting:m1#1~lead'), newItem('meeting:m_#1')], T0 + 1);

      expect(keysOf(await store.listOutbox({ dedupeKeyPrefix: 'meeting:m1#' }))).toEqual([
        'meeting:m1#1~lead',
        'meeting:m1#1',
      ]);
      // `_` and `%` are plain characters, not LIKE patterns.
      expect(keysOf(await store.listOutbox({ dedupeKeyPrefix: 'meeting:m_' }))).toEqual([
        'meeting:m_#1',
      ]);
      expect(await store.listOutbox({ dedupeKeyPrefix: 'meeting:m%' })).toEqual([]);
    });

    it('when the outbox is summed up, then pending and dead are counted by kind, and the oldest pending item is named', async () => {
      expect(await store.outboxSummary()).toEqual({
        pending: 0,
        dead: 0,
        byKind: [],
        oldestPending: undefined,
      });
      await enqueue([newItem('done', { kind: 'y' }), newItem('dead', { kind: 'y' })], T0);
      await enqueue([newItem('first', { kind: 'x' }), newItem('second', { kind: 'y' })], T0 + 5);
      await enqueue([newItem('third', { kind: 'x' })], T0 + 9);
      const claimed = new Map(
        (await claim(T0, { limit: 2 })).map((item) => [item.dedupeKey, item]),
      );
      await store.completeOutbox({
        id: claimed.get('done')!.id,
        leaseToken: tokenOf(claimed.get('done')!),
        now: T0 + 1,
      });
      await store.failOutbox({
        id: claimed.get('dead')!.id,
        leaseToken: tokenOf(claimed.get('dead')!),
        now: T0 + 1,
        error: 'boom',
        dead: true,
      });
      // A leased item still waits.
      await claim(T0 + 5, { limit: 1 });

      const summary = await store.outboxSummary();
      expect(summary).toEqual({
        pending: 3,
        dead: 1,
        byKind: [
          { kind: 'x', pending: 2, dead: 0 },
          { kind: 'y', pending: 1, dead: 1 },
        ],
        oldestPending: expect.objectContaining({ dedupeKey: 'first', attempts: 1 }),
      });
    });

    it('when done items are pruned, then only those done before the cutoff go, and their dedupe keys are free again', async () => {
      await enqueue([newItem('early'), newItem('late'), newItem('pending'), newItem('dead')]);
      const claimed = new Map(
        (await claim(T0, { limit: 3 })).map((item) => [item.dedupeKey, item]),
      );
      const finish = (key: string, now: number) =>
        store.completeOutbox({
          id: claimed.get(key)!.id,
          leaseToken: tokenOf(claimed.get(key)!),
          now,
        });
      await finish('early', T0 + 10);
      await finish('late', T0 + 20);
      await store.failOutbox({
        id: claimed.get('pending')!.id,
        leaseToken: tokenOf(claimed.get('pending')!),
        now: T0,
        error: 'e',
        dead: true,
      });

      expect(await store.pruneOutbox(T0 + 20)).toBe(1);
      expect(await store.pruneOutbox(T0 + 20)).toBe(0);

      expect(await store.findOutboxItem('early')).toBeUndefined();
      expect(await store.getOutboxItem(claimed.get('early')!.id)).toBeUndefined();
      expect(keysOf(await store.listOutbox()).sort()).toEqual(['dead', 'late', 'pending']);
      const again = await store.enqueueOutbox([newItem('early'), newItem('late')], T0 + 30);
      expect(again.map((entry) => entry.created)).toEqual([true, false]);
    });
  });

  describe('durability', () => {
    it('when a completion with follow-ups is acknowledged and the store reopened, then the done item and the follow-ups are there', async () => {
      await enqueue([newItem('invocation')]);
      const [item] = await claim(T0);
      await store.completeOutbox({
        id: item!.id,
        leaseToken: tokenOf(item!),
        now: T0 + 1,
        followUps: [newItem('callback-1'), newItem('callback-2')],
      });

      store = await data.reopen(store);

      expect(await store.getOutboxItem(item!.id)).toMatchObject({ status: 'done', doneAt: T0 + 1 });
      expect(keysOf(await claim(T0 + 1))).toEqual(['callback-1', 'callback-2']);
    });

    it('when the store is reopened, then every item, status, lease and dedupe key is kept', async () => {
      await enqueue([
        newItem('done'),
        newItem('retry'),
        newItem('dead'),
        newItem('leased'),
        newItem('waiting', { nextAttemptAt: T0 + 9_000 }),
      ]);
      const claimed = new Map(
        (await claim(T0, { limit: 4 })).map((item) => [item.dedupeKey, item]),
      );
      const lease = (key: string) => ({
        id: claimed.get(key)!.id,
        leaseToken: tokenOf(claimed.get(key)!),
      });
      await store.completeOutbox({ ...lease('done'), now: T0 + 1 });
      await store.failOutbox({
        ...lease('retry'),
        now: T0 + 1,
        error: 'HTTP 503',
        retryAt: T0 + 5_000,
      });
      await store.failOutbox({ ...lease('dead'), now: T0 + 1, error: 'HTTP 400', dead: true });
      const before = await store.listOutbox();

      store = await data.reopen(store);

      expect(await store.listOutbox()).toEqual(before);
      const again = await store.enqueueOutbox(
        [newItem('done'), newItem('dead'), newItem('fresh')],
        T0 + 2,
      );
      expect(again.map((entry) => entry.created)).toEqual([false, false, true]);
      expect(await claim(T0 + 2)).toMatchObject([{ dedupeKey: 'fresh' }]);
      expect(await store.completeOutbox({ ...lease('leased'), now: T0 + 3 })).toBe(true);
    });

    it('when the store is closed, then outbox writes are refused with STORE_CLOSED', async () => {
      await store.close();

      await expect(store.enqueueOutbox([newItem('a')], T0)).rejects.toMatchObject({
        code: 'STORE_CLOSED',
      });
      await expect(claim(T0)).rejects.toMatchObject({ code: 'STORE_CLOSED' });
      await expect(store.pruneOutbox(T0)).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    });
  });
});

/** What only a file shows: which calls rewrite it. */
describe('outbox on the JSON file: writes', () => {
  let storeFile: Awaited<ReturnType<typeof createStoreFile>>;
  let store: Store;

  beforeEach(async () => {
    storeFile = await createStoreFile();
    store = await createJsonFileStore({ file: storeFile.file });
  });

  afterEach(async () => {
    await store.close();
    await storeFile.remove();
  });

  /** Each write renames a new file over the old one, so the inode tells whether one happened. */
  const inode = async () => (await stat(storeFile.file)).ino;

  it('when a claim finds nothing due, or an outcome is stale, then the file is not rewritten', async () => {
    await store.enqueueOutbox(
      [newItem('later', { nextAttemptAt: T0 + 1_000 }), newItem('now')],
      T0,
    );
    const [item] = await store.claimOutbox({ now: T0, limit: 1, leaseMs: LEASE });
    const before = await inode();

    expect(
      await store.claimOutbox({ now: T0 + 1, limit: 5, leaseMs: LEASE, kinds: ['other'] }),
    ).toEqual([]);
    expect(await store.completeOutbox({ id: item!.id, leaseToken: 'stale', now: T0 })).toBe(false);
    expect(await store.enqueueOutbox([newItem('now')], T0)).toMatchObject([{ created: false }]);
    expect(await store.pruneOutbox(T0)).toBe(0);

    expect(await inode()).toBe(before);
    await store.completeOutbox({ id: item!.id, leaseToken: tokenOf(item!), now: T0 });
    expect(await inode()).not.toBe(before);
  });
});

function tokenOf(item: OutboxItem): string {
  return item.lease!.token;
}
