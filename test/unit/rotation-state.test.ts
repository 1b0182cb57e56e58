import { describe, expect, it } from 'vitest';
import { giveBack, NO_POOL, pointerOf, takeTurn } from '../../src/routing/rotation-state.js';

const empty = { totals: {} };

describe('rotation state', () => {
  it('when turns are taken in the default and a rule pool, then each pool keeps its own pointer and count, and totals add up', () => {
    let state = takeTurn(empty, 'default', 'a1');
    state = takeTurn(state, 'rule:r', 'a2');
    state = takeTurn(state, NO_POOL, 'a3');
    expect(pointerOf(state, 'default')).toBe('a1');
    expect(pointerOf(state, 'rule:r')).toBe('a2');
    expect(state).toMatchObject({ lastAgentId: 'a1', turns: { default: 1, 'rule:r': 1 } });
    expect(state.totals).toEqual({ a1: 1, a2: 1, a3: 1 });
  });

  it.each([
    ['the last turn', 2, 'a1'],
    ['a turn with another since (even back to the same agent)', 1, 'a2'],
  ])('when %s is given back, then the pointer is %s', (_what, turn, pointer) => {
    let state = takeTurn(empty, 'default', 'a1');
    state = takeTurn(state, 'default', 'a2');
    const back = giveBack(state, {
      pool: 'default',
      agentId: turn === 2 ? 'a2' : 'a1',
      turn,
      previousPointer: 'a1',
    });
    expect(pointerOf(back, 'default')).toBe(pointer);
  });

  it('when an owner assignment (no pool) is given back, then only the count goes', () => {
    const state = takeTurn(takeTurn(empty, 'default', 'a1'), NO_POOL, 'a2');
    expect(giveBack(state, { pool: NO_POOL, agentId: 'a2' })).toEqual({
      ...state,
      totals: { a1: 1, a2: 0 },
    });
  });
});
