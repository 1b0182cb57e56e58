import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { at, firstFree, nextInLine, T0, type HoldOptions } from '../helpers/store-decisions.js';
import { makeLead } from '../helpers/store-fixtures.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

/**
 * Two store objects opened on the SAME data at once, as two replicas (or two processes) would.
 * Where the implementation shares its data (PostgreSQL), every guarantee of one store holds
 * across both: each sees the other's writes, no two turns see the same rotation, a slot is held
 * once per agent, an outbox item is claimed by one of them. Where it cannot (the JSON file,
 * owned by one process), the second open is refused and the first goes on. The memory store
 * has no data to open twice, so it has no case here.
 */
const shared = storeImplementations.filter((impl) => impl.concurrentOpen === 'shared');
const refused = storeImplementations.filter((impl) => impl.concurrentOpen === 'refused');

describe.each(refused)('concurrent writers: $kind refuses a second store', (impl) => {
  let data: StoreTestData;

  beforeEach(async () => {
    data = await impl.createData();
  });

  afterEach(() => data.remove());

  it('when a second store is opened on data a first one holds, then STORE_LOCKED, and the first goes on writing', async () => {
    const first = await data.open();
    await first.applyLeadChanges({ upserts: [makeLead(1)] });

    await expect(data.open()).rejects.toMatchObject({ code: 'STORE_LOCKED' });

    await first.applyLeadChanges({ upserts: [makeLead(2)] });
    expect(await first.countLeads()).toBe(2);
    const second = await data.reopen(first);
    expect(await second.countLeads()).toBe(2);
  });
});

describe.each(shared)('concurrent writers: two $kind stores on one database', (impl) => {
  let data: StoreTestData;
  let a: Store;
  let b: Store;
  /** Alternates the two stores, so concurrent calls really come from both. */
  const either = (i: number): Store => (i % 2 === 0 ? a : b);

  beforeEach(async () => {
    data = await impl.createData();
    a = await data.open();
    b = await data.open();
  });

  afterEach(() => data.remove());

  it('when one store writes, then the other reads it', async () => {
    await a.applyLeadChanges({ upserts: [makeLead(7)] });
    await a.enqueueOutbox([{ kind: 'k', dedupeKey: 'd1', payload: {} }], T0);

    expect(await b.getLead(7)).toEqual(makeLead(7));
    expect(await b.findOutboxItem('d1')).toMatchObject({ status: 'pending' });
    expect(await b.enqueueOutbox([{ kind: 'k', dedupeKey: 'd1', payload: {} }], T0)).toMatchObject([
      { created: false },
    ]);
  });

  it('when 20 turns are taken concurrently through both stores, then no two decisions see the same rotation', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        either(i).takeAssignmentTurn({
          key: `lead:${i}`,
          keepSince: 0,
          decide: nextInLine(`lead:${i}`, T0),
        }),
      ),
    );

    expect(results.map((r) => r.sawTurn).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect((await b.routingState()).totals).toEqual({ a1: 4, a2: 4, a3: 4, a4: 4, a5: 4 });
  });

  it('when 12 holds of one slot over 3 agents race through both stores, then 3 are held, each by another agent', async () => {
    const hold = (i: number, options: HoldOptions) =>
      either(i).holdMeeting(firstFree(`m${i}`, options));

    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => hold(i, { agents: [1, 2, 3], start: at('10:00') })),
    );

    const held = results.flatMap((r) => (r.outcome === 'held' ? [r.meeting.agentId] : []));
    expect(held.sort()).toEqual(['a1', 'a2', 'a3']);
    expect((await a.routingState()).totals).toEqual({ a1: 1, a2: 1, a3: 1 });
  });

  it('when 10 decisions race through both stores to hold one agent’s slot whatever the facts, then one is held and 9 get SLOT_TAKEN', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        either(i).holdMeeting(firstFree(`m${i}`, { agents: [1], blind: true })),
      ),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const codes = results.flatMap((r) =>
      r.status === 'rejected' ? [(r.reason as { code?: string }).code] : [],
    );
    expect(codes).toEqual(Array.from({ length: 9 }, () => 'SLOT_TAKEN'));
    expect(await b.listMeetings()).toHaveLength(1);
  });

  it('when both stores claim the outbox at once, then every item is claimed by exactly one', async () => {
    await a.enqueueOutbox(
      Array.from({ length: 30 }, (_, i) => ({ kind: 'k', dedupeKey: `d${i}`, payload: { i } })),
      T0,
    );

    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        either(i).claimOutbox({ now: T0, limit: 5, leaseMs: 60_000 }),
      ),
    );

    const ids = claims.flat().map((item) => item.id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });

  it('when both stores update one agent at once, then no update is lost', async () => {
    const agent = {
      id: 'a1',
      name: 'Agent 1',
      email: 'agent1@example.com',
      timeZone: 'UTC',
      availability: [],
      meetingMinutes: 30,
      bufferAfterMinutes: 0,
      minimumNoticeMinutes: 0,
      active: true,
      groups: [],
      conferencing: false,
      calendar: { provider: 'local' as const, status: 'connected' as const },
      createdAt: T0,
      updatedAt: T0,
    };
    await a.saveAgent(agent);

    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        either(i).updateAgent('a1', (current) => ({
          ...current,
          groups: [...current.groups, `g${i}`],
        })),
      ),
    );

    expect((await b.getAgent('a1'))?.groups.slice().sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `g${i}`).sort(),
    );
  });
});
