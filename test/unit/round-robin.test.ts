import { describe, expect, it } from 'vitest';
import { followersOf, pickNextAgent } from '../../src/routing/round-robin.js';

const agents = [1, 2, 3, 4, 5].map((n) => ({
  id: `a${n}`,
  name: `Agent ${n}`,
  email: `a${n}@x.com`,
  active: true,
}));
const ids = agents.map((a) => a.id);
const without = (...gone: string[]) => agents.filter((a) => !gone.includes(a.id));

describe('pickNextAgent', () => {
  it.each([
    [undefined, 'a1'],
    ['a3', 'a4'],
    ['a4', 'a5'],
    ['a5', 'a1'],
    ['gone', 'a1'],
  ])('when the last agent was %s, then %s is next', (last, next) => {
    expect(pickNextAgent(agents, { agentId: last })?.id).toBe(next);
  });

  it('when the next agent is inactive, then the one after takes the turn', () => {
    const withInactive = agents.map((a) => (a.id === 'a4' ? { ...a, active: false } : a));
    expect(pickNextAgent(withInactive, { agentId: 'a3' })?.id).toBe('a5');
  });

  it('when nobody is active, then nobody is picked', () => {
    expect(
      pickNextAgent(
        agents.map((a) => ({ ...a, active: false })),
        { agentId: 'a1' },
      ),
    ).toBeUndefined();
  });
});

describe('pickNextAgent after the last taker left the rotation', () => {
  const tookLast = (agentId: string) => ({ agentId, followers: followersOf(ids, agentId) });

  it('when agent three took the last turn and is removed, then four, five, then back to one', () => {
    let pointer = tookLast('a3');
    const rotation = without('a3');
    const picked: string[] = [];
    for (let n = 0; n < 4; n += 1) {
      const next = pickNextAgent(rotation, pointer)!;
      picked.push(next.id);
      pointer = {
        agentId: next.id,
        followers: followersOf(
          rotation.map((a) => a.id),
          next.id,
        ),
      };
    }
    expect(picked).toEqual(['a4', 'a5', 'a1', 'a2']);
  });

  it.each([
    ['three and four leave', ['a3', 'a4'], 'a3', 'a5'],
    ['five (the last in order) leaves after its turn', ['a5'], 'a5', 'a1'],
    ['everyone after three leaves', ['a3', 'a4', 'a5'], 'a3', 'a1'],
    ['one and three leave (positions shift)', ['a1', 'a3'], 'a3', 'a4'],
  ])(
    'when %s, then the first who followed the taker and is still there is next',
    (_w, gone, taker, next) => {
      expect(pickNextAgent(without(...gone), tookLast(taker))?.id).toBe(next);
    },
  );

  it('when the first agent still there after the taker is inactive, then the next active one after it is picked', () => {
    const rotation = without('a3').map((a) => (a.id === 'a4' ? { ...a, active: false } : a));
    expect(pickNextAgent(rotation, tookLast('a3'))?.id).toBe('a5');
  });

  it('when the rotation is reordered and the taker is still in it, then the agent after the taker in the new order is next', () => {
    const reordered = ['a3', 'a1', 'a5', 'a2', 'a4'].map((id) => agents.find((a) => a.id === id)!);
    expect(pickNextAgent(reordered, tookLast('a3'))?.id).toBe('a1');
  });

  it('when a pointer from before followers were kept names an agent who left, then the rotation starts at the first agent', () => {
    expect(pickNextAgent(without('a3'), { agentId: 'a3' })?.id).toBe('a1');
  });
});

describe('followersOf', () => {
  it.each([
    ['a1', ['a2', 'a3', 'a4', 'a5']],
    ['a3', ['a4', 'a5', 'a1', 'a2']],
    ['a5', ['a1', 'a2', 'a3', 'a4']],
    ['not-in-the-pool', ['a1', 'a2', 'a3', 'a4', 'a5']],
  ])(
    'when %s took the turn, then the others follow in order from there, wrapping',
    (taker, followers) => {
      expect(followersOf(ids, taker)).toEqual(followers);
    },
  );
});
