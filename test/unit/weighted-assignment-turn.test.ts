import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { agentInputSchema, type Agent } from '../../src/records/meeting-contract.js';
import type { RoutingAgent } from '../../src/records/assignment.js';
import { decideAssignment, type AssignmentTurnArgs } from '../../src/routing/assignment-turn.js';
import { routingAgentAt, toRoutingAgent } from '../../src/routing/meeting-routing.js';
import type { RotationState } from '../../src/routing/rotation-state.js';

/**
 * The Call Webhook's and flow step's assignments take the same weighted turns as meetings
 * (weighted-rotation.ts), in the same rotation state; an agent out of office now takes no lead.
 */

const T0 = Date.parse('2026-03-02T10:00:00Z');

const stored = (id: string, extra: Record<string, unknown> = {}): Agent => ({
  ...agentInputSchema.parse({ name: id.toUpperCase(), email: `${id}@example.com`, ...extra }),
  id,
  calendar: { provider: 'local', status: 'connected' },
  createdAt: 0,
  updatedAt: 0,
});

function assign(agents: RoutingAgent[], turns: number): string[] {
  let rotation: RotationState = { totals: {} };
  const picked: string[] = [];
  for (let n = 0; n < turns; n += 1) {
    const args: AssignmentTurnArgs = {
      key: `lead:${n}`,
      agents,
      now: T0,
      repeatWindowMs: 0,
      source: 'webhook',
    };
    const decision = decideAssignment({ rotation, previous: undefined }, args);
    picked.push(decision.result.assignment.agentId);
    rotation = decision.rotation!;
  }
  return picked;
}

describe('weighted assignments (routing/assignment-turn.ts)', () => {
  it('when agents have weights 2 and 1, then leads are assigned two to one, smoothly', () => {
    const agents = [stored('a1', { weight: 2 }), stored('a2')].map(toRoutingAgent);
    expect(agents[0]).toMatchObject({ weight: 2 });
    expect(agents[1]).not.toHaveProperty('weight');
    expect(assign(agents, 6)).toEqual(['a1', 'a2', 'a1', 'a1', 'a2', 'a1']);
  });

  it('when an agent is out of office now, then they take no lead, and are back once the period ends', () => {
    const away = stored('a1', { outOfOffice: [{ start: T0 - 1000, end: T0 + 1000 }] });
    expect(routingAgentAt(T0)(away).active).toBe(false);
    expect(routingAgentAt(T0 + 1000)(away).active).toBe(true);
    expect(assign([away, stored('a2')].map(routingAgentAt(T0)), 2)).toEqual(['a2', 'a2']);
  });

  it('when every agent has weight 0, then NO_AGENTS (503)', () => {
    const agents = [stored('a1', { weight: 0 })].map(toRoutingAgent);
    expect(() => assign(agents, 1)).toThrow(AppError);
  });
});
