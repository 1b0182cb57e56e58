import { describe, expect, it } from 'vitest';
import {
  giveBack,
  giveBackMeeting,
  NO_POOL,
  pointerOf,
  takeTurn,
  turnMemo,
} from '../../src/routing/rotation-state.js';

const empty = { totals: {} };
const order = ['a1', 'a2', 'a3', 'a4', 'a5'];

describe('rotation state', () => {
  it('when turns are taken in the default and a rule pool, then each pool keeps its own pointer and count, and totals add up', () => {
    let state = takeTurn(empty, 'default', 'a1');
    state = takeTurn(state, 'rule:r', 'a2');
    state = takeTurn(state, NO_POOL, 'a3');
    expect(pointerOf(state, 'default').agentId).toBe('a1');
    expect(pointerOf(state, 'rule:r').agentId).toBe('a2');
    expect(state).toMatchObject({ lastAgentId: 'a1', turns: { default: 1, 'rule:r': 1 } });
    expect(state.totals).toEqual({ a1: 1, a2: 1, a3: 1 });
  });

  it.each([
    ['the last turn', 2, 'a1'],
    ['a turn with another since (even back to the same agent)', 1, 'a2'],
  ])('when %s is given back (turn %s), then the pointer is %s', (_what, turn, pointer) => {
    let state = takeTurn(empty, 'default', 'a1');
    state = takeTurn(state, 'default', 'a2');
    const back = giveBack(state, {
      pool: 'default',
      agentId: turn === 2 ? 'a2' : 'a1',
      turn,
      previousPointer: 'a1',
    });
    expect(pointerOf(back, 'default').agentId).toBe(pointer);
  });

  it('when an owner assignment (no pool) is given back, then only the count goes', () => {
    const state = takeTurn(takeTurn(empty, 'default', 'a1'), NO_POOL, 'a2');
    expect(giveBack(state, { pool: NO_POOL, agentId: 'a2' })).toEqual({
      ...state,
      totals: { a1: 1, a2: 0 },
    });
  });

  it('when a turn is taken with the pool’s order, then the pointer keeps who followed the taker', () => {
    const state = takeTurn(empty, 'rule:r', 'a3', { order });
    expect(pointerOf(state, 'rule:r')).toEqual({
      agentId: 'a3',
      followers: ['a4', 'a5', 'a1', 'a2'],
    });
    expect(pointerOf(state, 'default')).toEqual({ agentId: undefined, followers: undefined });
  });

  it('when the last turn is given back, then the pointer before it comes back with its followers', () => {
    const first = takeTurn(empty, 'default', 'a3', { order });
    const memo = turnMemo(first, 'default');
    expect(memo).toEqual({
      turn: 2,
      previousPointer: 'a3',
      previousFollowers: ['a4', 'a5', 'a1', 'a2'],
    });
    const second = takeTurn(first, 'default', 'a4', { order });
    const back = giveBack(second, { pool: 'default', agentId: 'a4', ...memo });
    expect(pointerOf(back, 'default')).toEqual(pointerOf(first, 'default'));
    expect(back.turns).toEqual({ default: 1 });
  });

  it('when assignments and meetings take turns, then only the assignments count in assigned', () => {
    let state = takeTurn(empty, 'default', 'a1', { order, assignment: true });
    state = takeTurn(state, 'default', 'a2', { order });
    state = takeTurn(state, NO_POOL, 'a2', { assignment: true });
    expect(state.totals).toEqual({ a1: 1, a2: 2 });
    expect(state.assigned).toEqual({ a1: 1, a2: 1 });
  });

  it('when a meeting gives its turn back, then its agent and routing memo are what is given back', () => {
    const first = takeTurn(empty, 'default', 'a3', { order });
    const memo = turnMemo(first, 'default');
    const second = takeTurn(first, 'default', 'a4', { order });
    const meeting = {
      agentId: 'a4',
      routing: { rule: 'round-robin', pool: 'default', skipped: [], ...memo },
    };
    expect(giveBackMeeting(second, meeting)).toEqual(
      giveBack(second, { pool: 'default', agentId: 'a4', ...memo }),
    );
    expect(pointerOf(giveBackMeeting(second, meeting), 'default').agentId).toBe('a3');
  });
});
