import { describe, expect, it } from 'vitest';
import { pickNextAgent } from '../../src/routing/round-robin.js';

const agents = [1, 2, 3, 4, 5].map((n) => ({
  id: `a${n}`,
  name: `Agent ${n}`,
  email: `a${n}@x.com`,
  active: true,
}));

describe('pickNextAgent', () => {
  it.each([
    [undefined, 'a1'],
    ['a3', 'a4'],
    ['a4', 'a5'],
    ['a5', 'a1'],
    ['gone', 'a1'],
  ])('when the last agent was %s, then %s is next', (last, next) => {
    expect(pickNextAgent(agents, last)?.id).toBe(next);
  });

  it('when the next agent is inactive, then the one after takes the turn', () => {
    const withInactive = agents.map((a) => (a.id === 'a4' ? { ...a, active: false } : a));
    expect(pickNextAgent(withInactive, 'a3')?.id).toBe('a5');
  });

  it('when nobody is active, then nobody is picked', () => {
    expect(
      pickNextAgent(
        agents.map((a) => ({ ...a, active: false })),
        'a1',
      ),
    ).toBeUndefined();
  });
});
