import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import type { RotationState } from '../../src/records/rotation.js';
import type { Assignment, Store } from '../../src/store/types.js';
import {
  assignmentOf,
  counted,
  MIN,
  nextInLine,
  type TurnResult,
} from '../helpers/store-decisions.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const WINDOW = 60 * MIN;
const KEEP_SINCE = T0 - 7 * 24 * 60 * MIN;

/**
 * The routing store's contract: a turn reads the rotation and the key's last assignment under
 * the rotation's lock, runs the caller's decision, and writes the assignment and rotation it
 * returns, both or neither. The decisions here are small ones of the test's own
 * (test/helpers/store-decisions.ts); the round robin itself is routing/'s, tested there.
 */
describe.each(storeImplementations)('routing store contract: $kind', (impl) => {
  let data: StoreTestData;
  let store: Store;

  beforeEach(async () => {
    data = await impl.createData();
    store = await data.open();
  });

  afterEach(() => data.remove());

  function turn(key: string, now = T0, options: { order?: string[] } = {}): Promise<TurnResult> {
    return store.takeAssignmentTurn({
      key,
      keepSince: KEEP_SINCE,
      decide: nextInLine(key, now, { ...options, windowMs: WINDOW }),
    });
  }

  async function agentsFor(keys: string[], now = T0): Promise<string[]> {
    const picked: string[] = [];
    for (const key of keys) picked.push((await turn(key, now)).agentId);
    return picked;
  }

  it('when turns are taken one after another, then each decision sees the rotation the one before wrote', async () => {
    expect(await agentsFor(['lead:1', 'lead:2', 'lead:3', 'lead:4', 'lead:5', 'lead:6'])).toEqual([
      'a1',
      'a2',
      'a3',
      'a4',
      'a5',
      'a1',
    ]);
  });

  it('when a turn decides an assignment, then it is stored as decided and the turn answers the decision’s result', async () => {
    const result = await turn('lead:7');

    const expected: Assignment = {
      key: 'lead:7',
      agentId: 'a1',
      agentName: 'Agent a1',
      agentEmail: 'a1@example.com',
      rule: 'next-in-line',
      assignedAt: T0,
      source: 'webhook',
    };
    expect(result).toEqual({ agentId: 'a1', repeated: false, sawTurn: 0 });
    expect(await store.getAssignment('lead:7')).toEqual(expected);
    expect(await store.getAssignment('lead:8')).toBeUndefined();
  });

  it('when the same key comes again, then the decision sees its last assignment; writing nothing leaves the rotation where it is', async () => {
    await turn('lead:1', T0);

    const again = await turn('lead:1', T0 + WINDOW - 1);

    expect(again).toEqual({ agentId: 'a1', repeated: true, sawTurn: 1 });
    expect(await store.getAssignment('lead:1')).toMatchObject({ agentId: 'a1', assignedAt: T0 });
    expect(await store.routingState()).toEqual({
      lastAgentId: 'a1',
      pointers: {},
      totals: { a1: 1 },
    });
    expect((await turn('lead:2', T0 + 1)).agentId).toBe('a2');
  });

  it('when a key is assigned again, then the new assignment replaces the old one', async () => {
    await turn('lead:1', T0);

    const later = await turn('lead:1', T0 + WINDOW);

    expect(later).toMatchObject({ agentId: 'a2', repeated: false });
    expect(await store.getAssignment('lead:1')).toMatchObject({
      agentId: 'a2',
      assignedAt: T0 + WINDOW,
    });
    expect(await store.routingState()).toEqual({
      lastAgentId: 'a2',
      pointers: {},
      totals: { a1: 1, a2: 1 },
    });
  });

  it('when the decision throws, then the error comes back and nothing is stored', async () => {
    await turn('lead:1');
    const noAgents = new AppError('NO_AGENTS', 'No active agent to route to', { httpStatus: 503 });

    await expect(
      store.takeAssignmentTurn({
        key: 'lead:2',
        keepSince: KEEP_SINCE,
        decide: () => {
          throw noAgents;
        },
      }),
    ).rejects.toBe(noAgents);
    expect(await store.getAssignment('lead:2')).toBeUndefined();
    expect(await store.routingState()).toEqual({
      lastAgentId: 'a1',
      pointers: {},
      totals: { a1: 1 },
    });
  });

  it('when seven turns are counted over five agents, then routingState gives the totals the decisions wrote', async () => {
    expect(await store.routingState()).toEqual({
      lastAgentId: undefined,
      pointers: {},
      totals: {},
    });

    await agentsFor(['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7']);

    expect(await store.routingState()).toEqual({
      lastAgentId: 'a2',
      pointers: {},
      totals: { a1: 2, a2: 2, a3: 1, a4: 1, a5: 1 },
    });
  });

  it('when 20 turns are taken concurrently, then no two decisions see the same rotation and each of 5 agents gets exactly 4', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `lead:${i + 1}`);

    const results = await Promise.all(keys.map((key) => turn(key)));

    expect(results.map((r) => r.sawTurn).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    const counts = new Map<string, number>();
    for (const { agentId } of results) counts.set(agentId, (counts.get(agentId) ?? 0) + 1);
    expect(Object.fromEntries(counts)).toEqual({ a1: 4, a2: 4, a3: 4, a4: 4, a5: 4 });
    expect((await store.routingState()).totals).toEqual({ a1: 4, a2: 4, a3: 4, a4: 4, a5: 4 });
    const stored = await Promise.all(keys.map((key) => store.getAssignment(key)));
    expect(stored.every((assignment) => assignment !== undefined)).toBe(true);
  });

  it('when one key takes 10 turns concurrently, then the first decision assigns and the nine after it see that assignment', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => turn('lead:1')));

    expect(new Set(results.map((r) => r.agentId))).toEqual(new Set(['a1']));
    expect(results.filter((r) => !r.repeated)).toHaveLength(1);
    expect(await store.routingState()).toEqual({
      lastAgentId: 'a1',
      pointers: {},
      totals: { a1: 1 },
    });
  });

  it('when the store is reopened, then the pointer, totals and assignments are kept and the next decision sees them', async () => {
    await agentsFor(['lead:1', 'lead:2', 'lead:3']);

    store = await data.reopen(store);

    expect(await store.routingState()).toEqual({
      lastAgentId: 'a3',
      pointers: {},
      totals: { a1: 1, a2: 1, a3: 1 },
    });
    expect(await store.getAssignment('lead:2')).toMatchObject({ agentId: 'a2', assignedAt: T0 });
    expect(await turn('lead:2', T0 + 1)).toMatchObject({ repeated: true });
    expect((await turn('lead:4', T0 + 1)).agentId).toBe('a4');
  });

  it('when a decision writes a rotation with pools, followers, turns and assignment counts, then it is stored whole, also after a reopen', async () => {
    const rotation: RotationState = {
      lastAgentId: 'a3',
      pointers: { 'rule:emea': 'a2' },
      followers: { default: ['a4', 'a5', 'a1', 'a2'], 'rule:emea': ['a4'] },
      turns: { default: 3, 'rule:emea': 1 },
      totals: { a1: 1, a2: 2, a3: 1 },
      assigned: { a3: 1 },
    };
    await store.takeAssignmentTurn({
      key: 'lead:1',
      keepSince: KEEP_SINCE,
      decide: () => ({ result: undefined, assignment: assignmentOf('lead:1', 'a3', T0), rotation }),
    });

    store = await data.reopen(store);

    expect(await store.rotationState()).toEqual(rotation);
    expect(await store.routingState()).toEqual({
      lastAgentId: 'a3',
      pointers: { 'rule:emea': 'a2' },
      totals: { a1: 1, a2: 2, a3: 1 },
    });
    let seen: RotationState | undefined;
    await store.takeAssignmentTurn({
      key: 'lead:2',
      keepSince: KEEP_SINCE,
      decide: (facts) => {
        seen = facts.rotation;
        return { result: undefined };
      },
    });
    expect(seen).toEqual(rotation);
  });

  it('when a caller changes an assignment, a rotation or a state it read, then the store keeps its own', async () => {
    await turn('lead:1');
    const read = (await store.getAssignment('lead:1'))!;
    read.agentId = 'changed';
    (await store.routingState()).totals['a1'] = 99;
    const rotation = await store.rotationState();
    expect(() => {
      rotation.totals['a1'] = 99;
    }).toThrow(TypeError);

    expect((await store.getAssignment('lead:1'))?.agentId).toBe('a1');
    expect(await store.routingState()).toEqual({
      lastAgentId: 'a1',
      pointers: {},
      totals: { a1: 1 },
    });
  });

  it.each([
    ['an assignment with an unknown source', { source: 'fax' as Assignment['source'] }, undefined],
    ['an assignment with a time that is not a number', { assignedAt: Number.NaN }, undefined],
    ['an assignment of another key', { key: 'lead:2' }, undefined],
    ['a rotation with a negative total', {}, { totals: { a1: -1 } }],
  ])(
    'when the decision returns %s, then STORE_INVALID_RECORD and neither the assignment nor the rotation is written',
    async (_case, assignmentChange, rotationChange) => {
      await expect(
        store.takeAssignmentTurn({
          key: 'lead:1',
          keepSince: KEEP_SINCE,
          decide: ({ rotation }) => ({
            result: undefined,
            assignment: { ...assignmentOf('lead:1', 'a1', T0), ...assignmentChange },
            rotation: { ...counted(rotation, 'a1'), ...rotationChange },
          }),
        }),
      ).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });

      expect(await store.getAssignment('lead:1')).toBeUndefined();
      expect(await store.getAssignment('lead:2')).toBeUndefined();
      expect(await store.rotationState()).toEqual({ totals: {} });
    },
  );

  it('when the key is empty, then STORE_INVALID_RECORD and the decision is not asked', async () => {
    let asked = false;
    await expect(
      store.takeAssignmentTurn({
        key: '',
        keepSince: KEEP_SINCE,
        decide: () => {
          asked = true;
          return { result: undefined };
        },
      }),
    ).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });
    expect(asked).toBe(false);
  });

  it('when the routing settings are saved, then they are kept across a reopen; a new store has the defaults', async () => {
    expect(await store.routingSettings()).toEqual({ cancellationReturnsTurn: false });

    expect(await store.saveRoutingSettings({ cancellationReturnsTurn: true })).toEqual({
      cancellationReturnsTurn: true,
    });
    store = await data.reopen(store);

    expect(await store.routingSettings()).toEqual({ cancellationReturnsTurn: true });
  });

  it('when invalid routing settings are saved, then STORE_INVALID_RECORD and they stay', async () => {
    await expect(
      store.saveRoutingSettings({ cancellationReturnsTurn: 'yes' as unknown as boolean }),
    ).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });

    expect(await store.routingSettings()).toEqual({ cancellationReturnsTurn: false });
  });

  it('when the store is closed, then a turn is refused with STORE_CLOSED', async () => {
    await store.close();

    await expect(turn('lead:1')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
});
