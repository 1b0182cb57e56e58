import { describe, expect, it } from 'vitest';
import type { Agent, Meeting, RoutingRule } from '../../src/records/meeting-contract.js';
import { reassignPlans, reassignPool } from '../../src/meetings/reassign-plans.js';

/** Where a reschedule may reassign a meeting: its recorded routing, replayed. */
const agent = (id: string, overrides: Partial<Agent> = {}): Agent => ({
  id,
  name: id,
  email: `${id}@example.com`,
  timeZone: 'UTC',
  availability: [],
  meetingMinutes: 30,
  bufferAfterMinutes: 0,
  minimumNoticeMinutes: 0,
  active: true,
  groups: [],
  conferencing: false,
  calendar: { provider: 'local', status: 'connected' },
  createdAt: 0,
  updatedAt: 0,
  ...overrides,
});
const agents = [
  agent('a1', { groups: ['emea'] }),
  agent('a2'),
  agent('a3', { groups: ['emea'], meetingTypes: [{ id: 'intro', name: 'Intro', minutes: 15 }] }),
];
const rule: RoutingRule = {
  id: 'r1',
  name: 'EMEA',
  priority: 100,
  conditions: [{ field: 'country', operator: 'equals', value: 'Germany' }],
  target: { group: 'emea' },
  enabled: true,
  createdAt: 0,
  updatedAt: 0,
};
const routed = (routing: Partial<Meeting['routing']>, type?: Meeting['meetingType']) => ({
  routing: { rule: 'round-robin', pool: 'default', skipped: [], ...routing },
  ...(type === undefined ? {} : { meetingType: type }),
});

describe('reassignPlans', () => {
  it.each<[string, ReturnType<typeof routed>, RoutingRule[], Array<[string, string, string[]]>]>([
    [
      'when the meeting came from the default rotation, then the default rotation',
      routed({}),
      [rule],
      [['default', 'round-robin', ['a1', 'a2', 'a3']]],
    ],
    [
      'when a rule routed it, then the rule’s own rotation, then the default one, without asking its conditions again',
      routed({ rule: 'rule:r1', pool: 'rule:r1' }),
      [rule],
      [
        ['rule:r1', 'rule:r1', ['a1', 'a3']],
        ['default', 'fallback-round-robin', ['a1', 'a2', 'a3']],
      ],
    ],
    [
      'when the rule is disabled since, then the default rotation',
      routed({ rule: 'rule:r1', pool: 'rule:r1' }),
      [{ ...rule, enabled: false }],
      [['default', 'round-robin', ['a1', 'a2', 'a3']]],
    ],
    [
      'when the lead’s owner had it, then the default rotation',
      routed({ rule: 'owner', pool: 'none' }),
      [],
      [['default', 'round-robin', ['a1', 'a2', 'a3']]],
    ],
    [
      'when the booking card named the agent, then nobody else',
      routed({ rule: 'agent', pool: 'none' }),
      [],
      [],
    ],
    [
      'when the meeting is of a type, then only the agents who offer it',
      routed({ rule: 'rule:r1', pool: 'rule:r1' }, { id: 'intro', name: 'Intro', minutes: 15 }),
      [rule],
      [
        ['rule:r1', 'rule:r1', ['a3']],
        ['default', 'fallback-round-robin', ['a3']],
      ],
    ],
  ])('%s', (_title, meeting, rules, expected) => {
    const plans = reassignPlans(meeting, agents, rules);
    expect(plans.map((p) => [p.pool, p.rule, p.agentIds])).toEqual(expected);
    expect(reassignPool(plans, agents).map((a) => a.id)).toEqual([
      ...new Set(expected.flatMap(([, , ids]) => ids)),
    ]);
  });
});
