import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonFileStore } from '../../src/store/index.js';
import {
  initialSyncState,
  type LeadUpsert,
  type Store,
  type SyncState,
} from '../../src/store/types.js';
import { createTempDir, leadIds, makeLead } from '../helpers/store-fixtures.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

/**
 * The behaviour every Store implementation promises (research D5), run over every
 * implementation in test/helpers/store-implementations.ts.
 */
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

/** A merging upsert, as the lead webhook makes: some fields, laid over the stored ones. */
const merge = (id: number, observedAt: number, fields: Record<string, unknown>): LeadUpsert => ({
  id,
  fields,
  observedAt,
  source: 'webhook',
  merge: true,
});

describe.each(storeImplementations)('store contract: $kind', (impl) => {
  let data: StoreTestData;
  let store: Store;

  beforeEach(async () => {
    data = await impl.createData();
    store = await data.open();
  });

  afterEach(() => data.remove());

  it('when a lead is upserted, then getLead returns its fields, observation and source', async () => {
    await store.applyLeadChanges({ upserts: [makeLead(7, { observedAt: T0, source: 'webhook' })] });

    expect(await store.getLead(7)).toEqual({ ...makeLead(7), observedAt: T0, source: 'webhook' });
    expect(await store.getLead(8)).toBeUndefined();
  });

  it('when a caller changes a lead it read, then the stored lead is unchanged', async () => {
    await store.applyLeadChanges({ upserts: [makeLead(7)] });

    const lead = (await store.getLead(7))!;
    lead.fields['email'] = 'changed@example.com';

    expect((await store.getLead(7))?.fields['email']).toBe('lead7@example.com');
  });

  it('when a caller changes the values it upserted or read, then the stored lead is unchanged', async () => {
    const tags = ['webinar'];
    const upsert = makeLead(7, {
      fields: { email: 'a@example.com', tags, address: { city: 'Oslo' } },
    });
    await store.applyLeadChanges({ upserts: [upsert] });

    tags.push('changed');
    upsert.fields['email'] = 'changed@example.com';
    const read = (await store.getLead(7))!;
    (read.fields['tags'] as string[]).push('changed');
    (read.fields['address'] as { city: string }).city = 'Bergen';

    expect((await store.getLead(7))?.fields).toEqual({
      email: 'a@example.com',
      tags: ['webinar'],
      address: { city: 'Oslo' },
    });
  });

  it('when leads are looked up by email in another case, then every lead with it is found, newest observation first', async () => {
    const email = (casing: string) => ({ ...makeLead(0).fields, email: casing });
    await store.applyLeadChanges({
      upserts: [
        { ...makeLead(1, { observedAt: T0 }), fields: email('Ann@Example.com') },
        { ...makeLead(2, { observedAt: T0 + 2 }), fields: email('ann@example.COM') },
        { ...makeLead(3, { observedAt: T0 + 1 }), fields: email(' ANN@EXAMPLE.COM ') },
        makeLead(4),
      ],
    });

    expect((await store.findLeadsByEmail('aNN@example.com')).map((lead) => lead.id)).toEqual([
      2, 3, 1,
    ]);
    expect(await store.findLeadsByEmail('nobody@example.com')).toEqual([]);
  });

  it('when a lead changes its email, then it is found under the new email only', async () => {
    await store.applyLeadChanges({ upserts: [makeLead(1, { observedAt: T0 })] });
    const moved = makeLead(1, { observedAt: T0 + 1 });
    await store.applyLeadChanges({
      upserts: [{ ...moved, fields: { ...moved.fields, email: 'New@example.com' } }],
    });

    expect(await store.findLeadsByEmail('lead1@example.com')).toEqual([]);
    expect((await store.findLeadsByEmail('new@example.com')).map((lead) => lead.id)).toEqual([1]);
  });

  it('when an upsert is older than the stored observation, then it is ignored', async () => {
    await store.applyLeadChanges({
      upserts: [makeLead(1, { observedAt: T0 + 10, source: 'webhook' })],
    });
    const stale = makeLead(1, { observedAt: T0 });
    await store.applyLeadChanges({
      upserts: [{ ...stale, fields: { ...stale.fields, firstName: 'Stale' } }],
    });

    expect(await store.getLead(1)).toMatchObject({ observedAt: T0 + 10, source: 'webhook' });
    expect((await store.getLead(1))?.fields['firstName']).toBe('First1');
  });

  it('when an upsert carries fewer fields, then they replace the stored fields (absent means null)', async () => {
    await store.applyLeadChanges({ upserts: [makeLead(1, { observedAt: T0 })] });
    await store.applyLeadChanges({
      upserts: [makeLead(1, { observedAt: T0 + 1, fields: { email: 'a@b.c' } })],
    });

    expect((await store.getLead(1))?.fields).toEqual({ email: 'a@b.c' });
  });

  it('when a merging upsert carries some fields, then they go over the stored ones and the rest are kept', async () => {
    await store.applyLeadChanges({ upserts: [makeLead(1, { observedAt: T0 })] });

    const outcome = await store.applyLeadChanges({
      upserts: [merge(1, T0 + 1, { title: 'CTO', city: null, email: 'New@Example.com' })],
    });

    expect(outcome).toEqual({ created: [], ignored: [] });
    expect(await store.getLead(1)).toEqual({
      id: 1,
      fields: { ...makeLead(1).fields, title: 'CTO', city: null, email: 'New@Example.com' },
      observedAt: T0 + 1,
      source: 'webhook',
    });
    expect((await store.findLeadsByEmail('new@example.com')).map((lead) => lead.id)).toEqual([1]);
    expect(await store.findLeadsByEmail('lead1@example.com')).toEqual([]);
  });

  it('when a merging upsert carries no email, then the lead is still found by its stored email', async () => {
    await store.applyLeadChanges({ upserts: [makeLead(1, { observedAt: T0 })] });
    await store.applyLeadChanges({ upserts: [merge(1, T0 + 1, { title: 'CTO' })] });

    const found = await store.findLeadsByEmail('LEAD1@example.com');
    expect(found.map((lead) => [lead.id, lead.fields['title']])).toEqual([[1, 'CTO']]);
  });

  it('when a merging upsert names a lead the store does not hold, then it is created with the fields as given', async () => {
    const outcome = await store.applyLeadChanges({
      upserts: [merge(5, T0, { email: 'five@example.com' })],
    });

    expect(outcome).toEqual({ created: [5], ignored: [] });
    expect(await store.getLead(5)).toEqual({
      id: 5,
      fields: { email: 'five@example.com' },
      observedAt: T0,
      source: 'webhook',
    });
  });

  it('when a merging upsert is older than the stored observation and adds no field, then it is ignored and says so', async () => {
    await store.applyLeadChanges({ upserts: [makeLead(1, { observedAt: T0 + 10 })] });

    const outcome = await store.applyLeadChanges({ upserts: [merge(1, T0, { title: 'Stale' })] });

    expect(outcome).toEqual({ created: [], ignored: [1] });
    expect(await store.getLead(1)).toEqual(makeLead(1, { observedAt: T0 + 10 }));
  });

  it('when a merging upsert is older than the stored observation, then it fills only the fields the stored lead lacks', async () => {
    // Two webhooks of one lead answered out of order: the later-stamped one landed first.
    await store.applyLeadChanges({
      upserts: [merge(1, T0 + 10, { email: 'a@example.com', x: 'new' })],
    });

    const outcome = await store.applyLeadChanges({
      upserts: [merge(1, T0, { x: 'old', y: 'only-here', email: 'stale@example.com' })],
    });

    expect(outcome).toEqual({ created: [], ignored: [] });
    expect(await store.getLead(1)).toEqual({
      id: 1,
      fields: { email: 'a@example.com', x: 'new', y: 'only-here' },
      observedAt: T0 + 10,
      source: 'webhook',
    });
    expect((await store.findLeadsByEmail('a@example.com')).map((lead) => lead.id)).toEqual([1]);
    expect(await store.findLeadsByEmail('stale@example.com')).toEqual([]);
  });

  it('when twelve merges of one lead with distinct fields land at once in any time order, then every field is kept', async () => {
    const times = [5, 11, 0, 7, 3, 9, 1, 10, 2, 8, 6, 4];
    const outcomes = await Promise.all(
      times.map((t) =>
        store.applyLeadChanges({ upserts: [merge(9, T0 + t, { [`field${t}`]: t })] }),
      ),
    );

    expect(outcomes.flatMap((o) => o.ignored)).toEqual([]);
    expect(outcomes.flatMap((o) => o.created)).toEqual([9]);
    expect((await store.getLead(9))?.fields).toEqual(
      Object.fromEntries(times.map((t) => [`field${t}`, t])),
    );
    expect((await store.getLead(9))?.observedAt).toBe(T0 + 11);
  });

  it('when a merging upsert names a deleted lead, then it never comes back and is reported ignored', async () => {
    await store.applyLeadChanges({ upserts: [makeLead(1)], deletes: [1] });

    const outcome = await store.applyLeadChanges({
      upserts: [merge(1, T0 + 60_000, { title: 'Back' })],
    });

    expect(outcome).toEqual({ created: [], ignored: [1] });
    expect(await store.getLead(1)).toBeUndefined();
    expect(await store.countLeads()).toBe(0);
  });

  it('when a batch creates, updates and ignores leads, then the outcome lists the created and the ignored ids', async () => {
    await store.applyLeadChanges({
      upserts: [makeLead(1, { observedAt: T0 }), makeLead(2, { observedAt: T0 + 10 })],
      deletes: [3],
    });

    const outcome = await store.applyLeadChanges({
      upserts: [
        makeLead(10, { observedAt: T0 + 1 }),
        merge(1, T0 + 1, { title: 'CTO' }),
        makeLead(2, { observedAt: T0 + 1 }),
        merge(3, T0 + 1, { title: 'Deleted' }),
        merge(11, T0 + 1, { title: 'New' }),
      ],
    });

    expect(outcome).toEqual({ created: [10, 11], ignored: [2, 3] });
  });

  it('when one batch merges into the same lead twice, then it ends as applying them in order', async () => {
    const outcome = await store.applyLeadChanges({
      upserts: [
        merge(7, T0, { a: 1 }),
        merge(7, T0 + 1, { b: 2 }),
        merge(7, T0 - 1, { c: 3 }),
        merge(7, T0 + 1, { a: 4 }),
      ],
    });

    // The older third merge fills `c`, which the newer state lacks.
    expect(outcome).toEqual({ created: [7], ignored: [] });
    expect((await store.getLead(7))?.fields).toEqual({ a: 4, b: 2, c: 3 });
  });

  it('when a lead is deleted, then it is gone and a later upsert of the same id is ignored', async () => {
    await store.applyLeadChanges({ upserts: [makeLead(1), makeLead(2)] });
    await store.applyLeadChanges({ deletes: [1, 99] });
    await store.applyLeadChanges({
      upserts: [makeLead(1, { observedAt: T0 + 60_000 }), makeLead(99)],
    });

    expect(await store.getLead(1)).toBeUndefined();
    expect(await store.getLead(99)).toBeUndefined();
    expect(await store.findLeadsByEmail('lead1@example.com')).toEqual([]);
    expect(await store.countLeads()).toBe(1);
  });

  it('when one batch upserts and deletes the same id, then the delete wins', async () => {
    await store.applyLeadChanges({ upserts: [makeLead(5)], deletes: [5] });

    expect(await store.getLead(5)).toBeUndefined();
  });

  it('when leads are upserted and deleted, then countLeads and leadIdsObservedBefore follow', async () => {
    await store.applyLeadChanges({
      upserts: [
        makeLead(3, { observedAt: T0 }),
        makeLead(1, { observedAt: T0 }),
        makeLead(2, { observedAt: T0 + 5 }),
      ],
    });
    await store.applyLeadChanges({ upserts: [makeLead(1)], deletes: [3] });

    expect(await store.countLeads()).toBe(2);
    expect(await store.leadIdsObservedBefore(T0 + 5)).toEqual([1]);
    expect(await store.leadIdsObservedBefore(T0 + 6)).toEqual([1, 2]);
  });

  it('when commitSync runs, then the leads and the state it carries are both stored', async () => {
    const state: SyncState = {
      ...initialSyncState(['email']),
      phase: 'incremental',
      lastSuccessAt: '2026-11-24T12:00:00Z',
    };
    await store.applyLeadChanges({ upserts: [makeLead(9)] });

    await store.commitSync({ upserts: [makeLead(1), makeLead(2)], deletes: [9], state });

    expect(await store.loadSyncState()).toEqual(state);
    expect(await store.countLeads()).toBe(2);
    expect(await store.getLead(9)).toBeUndefined();
  });

  it('when commitSync carries an invalid state, then it is refused and neither leads nor state change', async () => {
    const bad = { ...initialSyncState(), phase: 'halfway' } as unknown as SyncState;

    await expect(store.commitSync({ upserts: [makeLead(1)], state: bad })).rejects.toMatchObject({
      code: 'STORE_INVALID_RECORD',
    });
    expect(await store.getLead(1)).toBeUndefined();
    expect(await store.loadSyncState()).toEqual(initialSyncState());
  });

  it('when an upsert holds a value JSON cannot represent, then the whole change is refused', async () => {
    const bad = makeLead(2, { fields: { email: 'x@example.com', score: 10n } });

    await expect(store.applyLeadChanges({ upserts: [makeLead(1), bad] })).rejects.toMatchObject({
      code: 'STORE_INVALID_RECORD',
    });
    expect(await store.countLeads()).toBe(0);
  });

  it.each([
    ['fields that are an array', { fields: ['a'] }],
    ['fields that are a Map', { fields: new Map([['email', 'a@example.com']]) }],
    ['fields that are null', { fields: null }],
    ['fields keyed by a symbol', { fields: { [Symbol('email')]: 'a@example.com' } }],
    ['an id that is not a lead id', { id: 0 }],
    ['an observation that is not a time', { observedAt: '2026-11-24' }],
    ['an unknown source', { source: 'import' }],
    ['a merge flag that is not a boolean', { merge: 'yes' }],
  ])('when an upsert has %s, then the whole change is refused', async (_what, override) => {
    const bad = { ...makeLead(2), ...override } as unknown as LeadUpsert;

    await expect(store.applyLeadChanges({ upserts: [makeLead(1), bad] })).rejects.toMatchObject({
      code: 'STORE_INVALID_RECORD',
    });
    expect(await store.countLeads()).toBe(0);
  });

  it('when the sync state is loaded and the copy changed, then the store keeps its own until committed', async () => {
    expect(await store.loadSyncState()).toEqual(initialSyncState());

    const copy = await store.loadSyncState();
    copy.phase = 'full';
    copy.changes.pendingLeadIds.push(1, 2);
    expect(await store.loadSyncState()).toEqual(initialSyncState());

    await store.commitSync({ state: copy });
    copy.changes.pendingLeadIds.push(3);
    expect((await store.loadSyncState()).changes.pendingLeadIds).toEqual([1, 2]);
  });

  it('when usage is saved, then it loads back (and is undefined before)', async () => {
    expect(await store.loadUsage()).toBeUndefined();

    await store.saveUsage({ day: '2026-11-24', calls: 120, pausedUntil: T0 });

    expect(await store.loadUsage()).toEqual({ day: '2026-11-24', calls: 120, pausedUntil: T0 });
  });

  it('when the store is closed, then writes are refused with STORE_CLOSED', async () => {
    await store.close();

    await expect(store.applyLeadChanges({ upserts: [makeLead(1)] })).rejects.toMatchObject({
      code: 'STORE_CLOSED',
    });
    await expect(store.saveUsage({ day: '2026-11-24', calls: 1 })).rejects.toMatchObject({
      code: 'STORE_CLOSED',
    });
  });
});

/** Persistence, which the memory store does not offer. */
describe('json file store only', () => {
  let temp: Awaited<ReturnType<typeof createTempDir>>;
  let file: string;
  let store: Store;
  const open = (): Promise<Store> => createJsonFileStore({ file });

  beforeEach(async () => {
    temp = await createTempDir();
    file = path.join(temp.dir, 'store.json');
    store = await open();
  });

  afterEach(async () => {
    await store.close();
    await temp.remove();
  });

  it('when the store is reopened, then leads, deletions, sync state and usage are kept', async () => {
    const state = { ...initialSyncState(['email']), phase: 'incremental' as const };
    await store.commitSync({ upserts: [makeLead(1), makeLead(2)], deletes: [2], state });
    await store.saveUsage({ day: '2026-11-24', calls: 3 });
    await store.close();

    store = await open();
    await store.applyLeadChanges({ upserts: [makeLead(2, { observedAt: T0 + 1 })] });

    expect(await store.getLead(1)).toEqual(makeLead(1));
    expect(await store.getLead(2)).toBeUndefined();
    expect(await store.loadSyncState()).toEqual(state);
    expect(await store.loadUsage()).toEqual({ day: '2026-11-24', calls: 3 });
    expect(await store.findLeadsByEmail('LEAD1@example.com')).toHaveLength(1);
  });

  it('when many writes run concurrently, then every one is acknowledged and present after reopen', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => i + 1);

    await Promise.all([
      ...ids.map((id) => store.applyLeadChanges({ upserts: [makeLead(id)] })),
      store.commitSync({
        upserts: [makeLead(500)],
        state: { ...initialSyncState(), phase: 'full' },
      }),
      store.saveUsage({ day: '2026-11-24', calls: 7 }),
    ]);
    await store.close();
    store = await open();

    expect(await store.countLeads()).toBe(201);
    expect(await leadIds(store, ids)).toEqual(ids);
    expect((await store.loadSyncState()).phase).toBe('full');
    expect((await store.loadUsage())?.calls).toBe(7);
    expect(store.sizeBytes()).toBeGreaterThan(200 * 300);
  });
});
