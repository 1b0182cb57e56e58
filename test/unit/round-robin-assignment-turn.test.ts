import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import type { Assignment, RoutingAgent } from '../../src/records/assignment.js';
import {
  ASSIGNMENT_RETENTION_MS,
  assignmentKeepSince,
  decideAssignment,
  type AssignmentTurnArgs,
} from '../../src/routing/assignment-turn.js';
import { takeTurn, type RotationState } from '../../src/routing/rotation-state.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const WINDOW = 60_000;
const agent = (id: string, active = true): RoutingAgent => ({
  id,
  name: id.toUpperCase(),
  email: `${id}@example.com`,
  active,
});
const agents = ['a1', 'a2', 'a3'].map((id) => agent(id));
const empty: RotationState = { totals: {} };
const args = (over: Partial<AssignmentTurnArgs> = {}): AssignmentTurnArgs => ({
  key: 'lead:1',
  agents,
  now: T0,
  repeatWindowMs: WINDOW,
  source: 'webhook',
  ...over,
});
const previous = (assignedAt: number): Assignment => ({
  key: 'lead:1',
  agentId: 'a2',
  agentName: 'A2',
  agentEmail: 'a2@example.com',
  rule: 'round-robin',
  assignedAt,
  source: 'webhook',
});

describe('the assignment turn (routing/assignment-turn.ts)', () => {
  it.each([
    ['within the window', T0 - WINDOW + 1],
    ['from a clock that stepped back', T0 + 5_000],
  ])('when the key was assigned %s, then it is repeated and nothing is written', (_what, at) => {
    const decision = decideAssignment({ rotation: empty, previous: previous(at) }, args());
    expect(decision).toEqual({ result: { assignment: previous(at), repeated: true } });
  });

  it('when the key’s assignment is as old as the window, then a new turn is taken', () => {
    const rotation = takeTurn(empty, 'default', 'a2', { order: ['a1', 'a2', 'a3'] });
    const decision = decideAssignment({ rotation, previous: previous(T0 - WINDOW) }, args());
    expect(decision.result).toMatchObject({ assignment: { agentId: 'a3' }, repeated: false });
  });

  it.each([
    ['no turn taken yet', empty, agents, 'a1'],
    ['a1 took the last turn', takeTurn(empty, 'default', 'a1'), agents, 'a2'],
    ['a3 took the last turn (wraps round)', takeTurn(empty, 'default', 'a3'), agents, 'a1'],
    [
      'a1 took the last turn and a2 is inactive',
      takeTurn(empty, 'default', 'a1'),
      [agent('a1'), agent('a2', false), agent('a3')],
      'a3',
    ],
  ])('when %s, then the next active agent takes the turn: %s', (_what, rotation, pool, next) => {
    const decision = decideAssignment({ rotation, previous: undefined }, args({ agents: pool }));
    expect(decision.assignment).toEqual({
      key: 'lead:1',
      agentId: next,
      agentName: next.toUpperCase(),
      agentEmail: `${next}@example.com`,
      rule: 'round-robin',
      assignedAt: T0,
      source: 'webhook',
    });
    expect(decision.result).toEqual({ assignment: decision.assignment, repeated: false });
    expect(decision.rotation).toMatchObject({
      lastAgentId: next,
      totals: { [next]: (rotation.totals[next] ?? 0) + 1 },
      assigned: { [next]: 1 },
    });
  });

  it('when a rule pool is given, then its pointer moves and the rule is recorded', () => {
    const rotation = takeTurn(empty, 'default', 'a1');
    const decision = decideAssignment(
      { rotation, previous: undefined },
      args({ pool: 'rule:r1', rule: 'rule:r1' }),
    );
    expect(decision.assignment).toMatchObject({ agentId: 'a1', rule: 'rule:r1' });
    expect(decision.rotation).toMatchObject({
      lastAgentId: 'a1',
      pointers: { 'rule:r1': 'a1' },
      followers: { 'rule:r1': ['a2', 'a3'] },
      turns: { 'rule:r1': 1 },
    });
  });

  it('when ordered (the owner), then the first active agent is assigned and no pointer moves', () => {
    const rotation = takeTurn(empty, 'default', 'a1');
    const decision = decideAssignment(
      { rotation, previous: undefined },
      args({ agents: [agent('a3', false), agent('a2')], ordered: true, rule: 'owner' }),
    );
    expect(decision.assignment).toMatchObject({ agentId: 'a2', rule: 'owner' });
    expect(decision.rotation).toEqual({
      ...rotation,
      totals: { a1: 1, a2: 1 },
      assigned: { a2: 1 },
    });
  });

  it.each([
    ['rotation', false],
    ['ordered', true],
  ])('when no agent is active (%s), then NO_AGENTS 503, retryable', (_what, ordered) => {
    const decide = () =>
      decideAssignment(
        { rotation: empty, previous: undefined },
        args({ agents: [agent('a1', false)], ordered }),
      );
    expect(decide).toThrow(AppError);
    expect(decide).toThrow(
      expect.objectContaining({ code: 'NO_AGENTS', httpStatus: 503, retryable: true }),
    );
  });

  it.each([
    ['a short window', WINDOW, T0 - ASSIGNMENT_RETENTION_MS],
    [
      'a window longer than the retention',
      2 * ASSIGNMENT_RETENTION_MS,
      T0 - 2 * ASSIGNMENT_RETENTION_MS,
    ],
  ])('when the window is %s, then assignments are kept from %s', (_what, window, since) => {
    expect(assignmentKeepSince(T0, window)).toBe(since);
  });
});
