import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewOutboxItem, OutboxItem, Store } from '../../src/store/types.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const LEASE = 60_000;

function newItem(dedupeKey: string): NewOutboxItem {
  return { kind: 'marketo-write', dedupeKey, payload: { key: dedupeKey } };
}

const tokenOf = (item: OutboxItem) => item.lease?.token ?? '';

/**
 * releaseOutbox: a claim handed back untried (the relay's "held" outcome, when Marketo refuses
 * our credentials). The item must look as it did before the claim, only due later.
 */
describe.each(storeImplementations)('outbox store contract, release: $kind', (impl) => {
  let data: StoreTestData;
  let store: Store;

  beforeEach(async () => {
    data = await impl.createData();
    store = await data.open();
  });

  afterEach(() => data.remove());

  const claim = (now: number) => store.claimOutbox({ now, limit: 10, leaseMs: LEASE });

  it('when a claim is released, then the item is pending at retryAt, its attempt is taken back and its last error is kept', async () => {
    const [entry] = await store.enqueueOutbox([newItem('a')], T0);
    const [first] = await claim(T0);
    await store.failOutbox({
      id: first!.id,
      leaseToken: tokenOf(first!),
      now: T0 + 1,
      error: 'HTTP 502',
      retryAt: T0 + 10,
    });
    const [second] = await claim(T0 + 10);
    expect(second).toMatchObject({ attempts: 2 });

    expect(
      await store.releaseOutbox({
        id: second!.id,
        leaseToken: tokenOf(second!),
        now: T0 + 11,
        retryAt: T0 + 5_000,
      }),
    ).toBe(true);

    const released = await store.getOutboxItem(entry!.item.id);
    expect(released).toMatchObject({
      status: 'pending',
      attempts: 1,
      nextAttemptAt: T0 + 5_000,
      lastError: 'HTTP 502',
      updatedAt: T0 + 11,
    });
    expect(released).not.toHaveProperty('lease');
    expect(await claim(T0 + 4_999)).toEqual([]);
    expect(await claim(T0 + 5_000)).toMatchObject([{ id: entry!.item.id, attempts: 2 }]);
  });

  it('when a first claim is released many times, then its attempts stay at 0 and it never has a last error', async () => {
    const [entry] = await store.enqueueOutbox([newItem('a')], T0);
    for (let round = 0; round < 20; round += 1) {
      const now = T0 + round * 1_000;
      const [item] = await claim(now);
      expect(item).toMatchObject({ attempts: 1 });
      await store.releaseOutbox({ id: item!.id, leaseToken: tokenOf(item!), now, retryAt: now });
    }
    const released = await store.getOutboxItem(entry!.item.id);
    expect(released).toMatchObject({ status: 'pending', attempts: 0 });
    expect(released).not.toHaveProperty('lastError');
  });

  it('when the lease was taken over, or the item is done, then a release changes nothing', async () => {
    await store.enqueueOutbox([newItem('a'), newItem('b')], T0);
    const [staleA, doneB] = await claim(T0);
    await store.completeOutbox({ id: doneB!.id, leaseToken: tokenOf(doneB!), now: T0 + 1 });
    const [freshA] = await claim(T0 + LEASE);
    const current = await store.getOutboxItem(freshA!.id);

    const release = (item: OutboxItem) =>
      store.releaseOutbox({
        id: item.id,
        leaseToken: tokenOf(item),
        now: T0 + LEASE + 1,
        retryAt: T0 + LEASE + 1,
      });
    expect(await release(staleA!)).toBe(false);
    expect(await release(doneB!)).toBe(false);
    expect(await store.getOutboxItem(freshA!.id)).toEqual(current);
    expect(await store.getOutboxItem(doneB!.id)).toMatchObject({ status: 'done', attempts: 1 });
  });
});
