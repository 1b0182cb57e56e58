import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Assignment, RoutingAgent, Store } from '../../src/store/types.js';
import { createStoreFile, storeImplementations } from '../helpers/store-implementations.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const WINDOW = 60 * 60 * 1000;

/** Five agents, a1..a5, in rotation order; `inactive` lists the numbers switched off. */
function agents(inactive: number[] = []): RoutingAgent[] {
  return [1, 2, 3, 4, 5].map((n) => ({
    id: `a${n}`,
    name: `Agent ${n}`,
    email: `agent${n}@example.com`,
    active: !inactive.includes(n),
  }));
}

describe.each(storeImplementations)('routing store contract: $kind', (impl) => {
  let storeFile: Awaited<ReturnType<typeof createStoreFile>>;
  let store: Store;

  beforeEach(async () => {
    storeFile = await createStoreFile();
    store = await impl.open(storeFile.file);
  });

  afterEach(async () => {
    await store.close();
    await storeFile.remove();
  });

  function assign(
    key: string,
    now = T0,
    options: { inactive?: number[]; repeatWindowMs?: number } = {},
  ) {
    return store.assignRoundRobin({
      key,
      agents: agents(options.inactive),
      now,
      repeatWindowMs: options.repeatWindowMs ?? WINDOW,
      source: 'webhook',
    });
  }

  async function agentsFor(keys: string[], now = T0): Promise<string[]> {
    const picked: string[] = [];
    for (const key of keys) picked.push((await assign(key, now)).assignment.agentId);
    return picked;
  }

  it('when six leads are routed in turn, then agents 1, 2, 3, 4, 5 and 1 get them', async () => {
    expect(await agentsFor(['lead:1', 'lead:2', 'lead:3', 'lead:4', 'lead:5', 'lead:6'])).toEqual([
      'a1',
      'a2',
      'a3',
      'a4',
      'a5',
      'a1',
    ]);
  });

  it('when a lead is routed, then the assignment is stored with the agent, rule, time and source', async () => {
    const { assignment, repeated } = await assign('lead:7');

    const expected: Assignment = {
      key: 'lead:7',
      agentId: 'a1',
      agentName: 'Agent 1',
      agentEmail: 'agent1@example.com',
      rule: 'round-robin',
      assignedAt: T0,
      source: 'webhook',
    };
    expect(repeated).toBe(false);
    expect(assignment).toEqual(expected);
    expect(store.getAssignment('lead:7')).toEqual(expected);
    expect(store.getAssignment('lead:8')).toBeUndefined();
  });

  it('when the same lead comes again within the window, then it gets the same agent and the rotation does not move', async () => {
    await assign('lead:1', T0);

    const again = await assign('lead:1', T0 + WINDOW - 1);

    expect(again).toEqual({
      assignment: expect.objectContaining({ agentId: 'a1', assignedAt: T0 }),
      repeated: true,
    });
    expect(store.routingState()).toEqual({ lastAgentId: 'a1', pointers: {}, totals: { a1: 1 } });
    expect((await assign('lead:2', T0 + 1)).assignment.agentId).toBe('a2');
  });

  it('when the same lead comes again after the window, then it takes a new turn', async () => {
    await assign('lead:1', T0);

    const later = await assign('lead:1', T0 + WINDOW);

    expect(later.repeated).toBe(false);
    expect(later.assignment).toMatchObject({ agentId: 'a2', assignedAt: T0 + WINDOW });
    expect(store.getAssignment('lead:1')).toMatchObject({ agentId: 'a2', assignedAt: T0 + WINDOW });
    expect(store.routingState()).toEqual({
      lastAgentId: 'a2',
      pointers: {},
      totals: { a1: 1, a2: 1 },
    });
  });

  it('when some agents are inactive, then the rotation skips them', async () => {
    const picked: string[] = [];
    for (const key of ['lead:1', 'lead:2', 'lead:3', 'lead:4']) {
      picked.push((await assign(key, T0, { inactive: [2, 3] })).assignment.agentId);
    }

    expect(picked).toEqual(['a1', 'a4', 'a5', 'a1']);
  });

  it('when no agent is active, then NO_AGENTS (503) and nothing is stored', async () => {
    await assign('lead:1');

    await expect(assign('lead:2', T0, { inactive: [1, 2, 3, 4, 5] })).rejects.toMatchObject({
      code: 'NO_AGENTS',
      httpStatus: 503,
    });
    await expect(
      store.assignRoundRobin({
        key: 'lead:3',
        agents: [],
        now: T0,
        repeatWindowMs: WINDOW,
        source: 'chat',
      }),
    ).rejects.toMatchObject({ code: 'NO_AGENTS' });
    expect(store.getAssignment('lead:2')).toBeUndefined();
    expect(store.routingState()).toEqual({ lastAgentId: 'a1', pointers: {}, totals: { a1: 1 } });
  });

  it('when seven leads are routed over five agents, then the totals count each agent’s assignments', async () => {
    expect(store.routingState()).toEqual({ lastAgentId: undefined, pointers: {}, totals: {} });

    await agentsFor(['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7']);

    expect(store.routingState()).toEqual({
      lastAgentId: 'a2',
      pointers: {},
      totals: { a1: 2, a2: 2, a3: 1, a4: 1, a5: 1 },
    });
  });

  it('when 20 leads are routed concurrently, then each of 5 agents gets exactly 4', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `lead:${i + 1}`);

    const results = await Promise.all(keys.map((key) => assign(key)));

    const counts = new Map<string, number>();
    for (const { assignment } of results) {
      counts.set(assignment.agentId, (counts.get(assignment.agentId) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ a1: 4, a2: 4, a3: 4, a4: 4, a5: 4 });
    expect(store.routingState().totals).toEqual({ a1: 4, a2: 4, a3: 4, a4: 4, a5: 4 });
    expect(keys.every((key) => store.getAssignment(key) !== undefined)).toBe(true);
  });

  it('when one lead is routed 10 times concurrently, then one turn is taken and all get that agent', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => assign('lead:1')));

    expect(new Set(results.map((r) => r.assignment.agentId))).toEqual(new Set(['a1']));
    expect(results.filter((r) => !r.repeated)).toHaveLength(1);
    expect(store.routingState()).toEqual({ lastAgentId: 'a1', pointers: {}, totals: { a1: 1 } });
  });

  it('when the store is reopened, then the pointer, totals and assignments are kept', async () => {
    await agentsFor(['lead:1', 'lead:2', 'lead:3']);

    store = await impl.reopen(store, storeFile.file);

    expect(store.routingState()).toEqual({
      lastAgentId: 'a3',
      pointers: {},
      totals: { a1: 1, a2: 1, a3: 1 },
    });
    expect(store.getAssignment('lead:2')).toMatchObject({ agentId: 'a2', assignedAt: T0 });
    expect(await assign('lead:2', T0 + 1)).toMatchObject({ repeated: true });
    expect((await assign('lead:4', T0 + 1)).assignment.agentId).toBe('a4');
  });

  it('when agent three took the last turn and leaves the rotation, then after a reopen four, five and one come next', async () => {
    await agentsFor(['lead:1', 'lead:2', 'lead:3']);
    store = await impl.reopen(store, storeFile.file);
    const withoutThree = agents().filter((a) => a.id !== 'a3');

    const picked: string[] = [];
    for (const key of ['lead:4', 'lead:5', 'lead:6']) {
      const { assignment } = await store.assignRoundRobin({
        key,
        agents: withoutThree,
        now: T0,
        repeatWindowMs: WINDOW,
        source: 'webhook',
      });
      picked.push(assignment.agentId);
    }

    expect(picked).toEqual(['a4', 'a5', 'a1']);
    expect(store.rotationState().assigned).toEqual({ a1: 2, a2: 1, a3: 1, a4: 1, a5: 1 });
  });

  it('when a caller changes an assignment or state it read, then the store keeps its own', async () => {
    const { assignment } = await assign('lead:1');
    assignment.agentId = 'changed';
    const read = store.getAssignment('lead:1')!;
    read.agentId = 'changed';
    store.routingState().totals['a1'] = 99;

    expect(store.getAssignment('lead:1')?.agentId).toBe('a1');
    expect(store.routingState().totals).toEqual({ a1: 1 });
  });

  it('when the input is invalid, then STORE_INVALID_RECORD and nothing changes', async () => {
    await expect(assign('')).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });
    await expect(assign('lead:1', Number.NaN)).rejects.toMatchObject({
      code: 'STORE_INVALID_RECORD',
    });
    await expect(
      store.assignRoundRobin({
        key: 'lead:1',
        agents: agents(),
        now: T0,
        repeatWindowMs: WINDOW,
        source: 'fax' as Assignment['source'],
      }),
    ).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });

    expect(store.getAssignment('lead:1')).toBeUndefined();
    expect(store.routingState()).toEqual({ lastAgentId: undefined, pointers: {}, totals: {} });
  });

  it('when the routing settings are saved, then they are kept across a reopen; a new store has the defaults', async () => {
    expect(store.routingSettings()).toEqual({ cancellationReturnsTurn: false });

    expect(await store.saveRoutingSettings({ cancellationReturnsTurn: true })).toEqual({
      cancellationReturnsTurn: true,
    });
    store = await impl.reopen(store, storeFile.file);

    expect(store.routingSettings()).toEqual({ cancellationReturnsTurn: true });
  });

  it('when invalid routing settings are saved, then STORE_INVALID_RECORD and they stay', async () => {
    await expect(
      store.saveRoutingSettings({ cancellationReturnsTurn: 'yes' as unknown as boolean }),
    ).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });

    expect(store.routingSettings()).toEqual({ cancellationReturnsTurn: false });
  });

  it('when the store is closed, then routing is refused with STORE_CLOSED', async () => {
    await store.close();

    await expect(assign('lead:1')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
});
