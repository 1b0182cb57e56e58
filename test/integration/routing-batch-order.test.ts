import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import type { RoutingAgent } from '../../src/records/assignment.js';
import {
  planAssignment,
  takeAssignment,
  type AssignmentPlan,
} from '../../src/routing/assign-agent.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const agents: RoutingAgent[] = ['a1', 'a2', 'a3', 'a4'].map((id) => ({
  id,
  name: id.toUpperCase(),
  email: `${id}@example.com`,
  active: true,
}));

describe.each(storeImplementations)('a batch’s turns: $kind store', (impl) => {
  let data: StoreTestData | undefined;
  afterEach(() => data?.remove());

  it('when the plans are ready out of order and the turns are asked for in the batch’s order, then the rotation follows the batch', async () => {
    data = await impl.createData();
    const store = await data.open();
    const deps = { store, clock: createManualClock(T0), agents: () => agents, repeatWindowMs: 0 };
    const keys = ['lead:1', 'lead:2', 'lead:3', 'lead:4', 'lead:5'];
    // Each lead's reads take their own time: here the last lead's plan is ready first.
    const plans: AssignmentPlan[] = [];
    for (const key of [...keys].reverse()) {
      plans.unshift(await planAssignment(deps, { key, source: 'ssfs' }));
    }
    const assigned = await Promise.all(plans.map((plan) => takeAssignment(deps, plan)));
    expect(assigned.map((a) => a.agentId)).toEqual(['a1', 'a2', 'a3', 'a4', 'a1']);
    expect((await store.routingState()).lastAgentId).toBe('a1');
  });

  it('when no agent is active, then the plan is refused with NO_AGENTS before any turn', async () => {
    data = await impl.createData();
    const store = await data.open();
    const deps = {
      store,
      clock: createManualClock(T0),
      agents: () => agents.map((a) => ({ ...a, active: false })),
      repeatWindowMs: 0,
    };
    await expect(planAssignment(deps, { key: 'lead:1', source: 'ssfs' })).rejects.toMatchObject({
      code: 'NO_AGENTS',
      httpStatus: 503,
    });
    expect((await store.routingState()).totals).toEqual({});
  });
});
