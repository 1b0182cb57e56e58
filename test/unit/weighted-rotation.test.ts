import { describe, expect, it } from 'vitest';
import {
  giveBack,
  takeTurn,
  turnMemo,
  type RotationState,
} from '../../src/routing/rotation-state.js';
import { pickHold, type HoldCandidate } from '../../src/routing/hold-pick.js';
import {
  isWeightedPool,
  walkRotation,
  type RotationMember,
} from '../../src/routing/weighted-rotation.js';

const empty: RotationState = { totals: {} };
const none = new Set<string>();

const candidate = (
  id: string,
  weight?: number,
  eligible = true,
  reason?: string,
): HoldCandidate => ({
  id,
  name: id.toUpperCase(),
  email: `${id}@example.com`,
  bufferAfterMs: 0,
  durationMs: 30 * 60_000,
  provider: 'local',
  eligible,
  ...(reason === undefined ? {} : { reason }),
  ...(weight === undefined ? {} : { weight }),
});

/** Takes `turns` turns of the default pool through pickHold, everyone free unless `busy` says. */
function run(
  candidates: HoldCandidate[],
  turns: number,
  busy: (turn: number) => ReadonlySet<string> = () => none,
  start: RotationState = empty,
): { picked: string[]; rotation: RotationState } {
  let rotation = start;
  const picked: string[] = [];
  for (let n = 0; n < turns; n += 1) {
    const pick = pickHold(
      { rotation, overlapping: busy(n) },
      { candidates, mode: 'rotation', pool: 'default' },
    );
    if (pick.outcome !== 'picked') throw new Error(`turn ${n}: nobody picked`);
    picked.push(pick.candidate.id);
    rotation = pick.rotation;
  }
  return { picked, rotation };
}

describe('weighted rotation (routing/weighted-rotation.ts)', () => {
  it.each<[string, boolean, RotationMember[]]>([
    ['all absent', false, [{ id: 'a' }, { id: 'b' }]],
    [
      'all 3',
      false,
      [
        { id: 'a', weight: 3 },
        { id: 'b', weight: 3 },
      ],
    ],
    [
      '1 and 0',
      false,
      [
        { id: 'a', weight: 1 },
        { id: 'b', weight: 0 },
      ],
    ],
    ['2 and 1', true, [{ id: 'a', weight: 2 }, { id: 'b' }]],
  ])('when the weights are %s, then the pool is weighted: %s', (_what, weighted, members) => {
    expect(isWeightedPool(members)).toBe(weighted);
  });

  it('when agent weights are 3, 1 and 2, then a cycle of six deals 3, 1 and 2 turns, smoothly, and the next cycle repeats it', () => {
    const { picked } = run([candidate('a', 3), candidate('b', 1), candidate('c', 2)], 12);
    expect(picked.slice(0, 6)).toEqual(['a', 'c', 'a', 'b', 'c', 'a']);
    expect(picked.slice(6)).toEqual(picked.slice(0, 6));
  });

  it('when the weights are 2, 4 and 6, then the turns are those of 1, 2 and 3 (the weights are reduced)', () => {
    const reduced = run([candidate('a', 1), candidate('b', 2), candidate('c', 3)], 12).picked;
    expect(run([candidate('a', 2), candidate('b', 4), candidate('c', 6)], 12).picked).toEqual(
      reduced,
    );
  });

  it('when every weight is 2, then it is strict round robin and no seats are kept', () => {
    const { picked, rotation } = run(
      ['a1', 'a2', 'a3'].map((id) => candidate(id, 2)),
      7,
    );
    expect(picked).toEqual(['a1', 'a2', 'a3', 'a1', 'a2', 'a3', 'a1']);
    expect(rotation.seats).toBeUndefined();
  });

  it('when an agent has weight 0, then the rotation never picks them and names them weight-0', () => {
    const candidates = [candidate('a1'), candidate('a2', 0), candidate('a3')];
    const pick = pickHold(
      { rotation: empty, overlapping: none },
      { candidates, mode: 'rotation', pool: 'default' },
    );
    expect(pick).toMatchObject({
      outcome: 'picked',
      candidate: { id: 'a1' },
      skipped: [{ agentId: 'a2', reason: 'weight-0' }],
    });
    expect(run(candidates, 4).picked).toEqual(['a1', 'a3', 'a1', 'a3']);
  });

  it('when every agent has weight 0, then nobody is picked and each is named', () => {
    const pick = pickHold(
      { rotation: empty, overlapping: none },
      { candidates: [candidate('a1', 0), candidate('a2', 0)], mode: 'rotation', pool: 'default' },
    );
    expect(pick).toEqual({
      outcome: 'taken',
      skipped: [
        { agentId: 'a1', reason: 'weight-0' },
        { agentId: 'a2', reason: 'weight-0' },
      ],
    });
  });

  it('when an ordered plan (owner, account) names an agent of weight 0, then they are picked all the same', () => {
    const pick = pickHold(
      { rotation: empty, overlapping: none },
      { candidates: [candidate('a2', 0)], mode: 'ordered', pool: 'none' },
    );
    expect(pick).toMatchObject({ outcome: 'picked', candidate: { id: 'a2' } });
  });

  it('when a weight-2 agent is busy at their seat, then the seat goes by and the rotation goes on from their place; their seats of the next cycle are theirs', () => {
    const candidates = [candidate('a', 2), candidate('b'), candidate('c')];
    expect(run(candidates, 8).picked).toEqual(['a', 'b', 'c', 'a', 'a', 'b', 'c', 'a']);
    // Turn 4 was a's second seat of the cycle: it goes by, the next cycle starts after a.
    const aBusy = run(candidates, 9, (n) => (n === 3 ? new Set(['a']) : none)).picked;
    expect(aBusy).toEqual(['a', 'b', 'c', 'b', 'c', 'a', 'a', 'b', 'c']);
  });

  it('when the picked agent is passed over, then the decision names who and why, each once', () => {
    const candidates = [candidate('a', 3), candidate('b', 1, false, 'out-of-office')];
    const pick = pickHold(
      { rotation: empty, overlapping: new Set(['a']) },
      { candidates: [...candidates, candidate('c', 1)], mode: 'rotation', pool: 'default' },
    );
    expect(pick).toMatchObject({
      outcome: 'picked',
      candidate: { id: 'c' },
      weight: 1,
      skipped: [
        { agentId: 'a', reason: 'booked' },
        { agentId: 'b', reason: 'out-of-office' },
      ],
    });
  });

  it('when an agent is at a cap, then they are skipped with the cap named, keeping their place', () => {
    const candidates = [candidate('a1'), candidate('a2'), candidate('a3')];
    const pick = pickHold(
      { rotation: empty, overlapping: none, capped: new Map([['a1', 'daily-cap']]) },
      { candidates, mode: 'rotation', pool: 'default' },
    );
    expect(pick).toMatchObject({
      candidate: { id: 'a2' },
      skipped: [{ agentId: 'a1', reason: 'daily-cap' }],
    });
  });

  it('when a weighted turn is given back while it is the last, then the pointer and the seats are as before it', () => {
    const candidates = [candidate('a', 2), candidate('b')];
    const { rotation: before } = run(candidates, 1);
    const pick = pickHold(
      { rotation: before, overlapping: none },
      { candidates, mode: 'rotation', pool: 'default' },
    );
    if (pick.outcome !== 'picked') throw new Error('not picked');
    expect(pick.memo).toEqual(turnMemo(before, 'default'));
    const back = giveBack(pick.rotation, {
      ...pick.memo,
      pool: 'default',
      agentId: pick.candidate.id,
    });
    expect(back.seats).toEqual(before.seats);
    expect(back.lastAgentId).toBe(before.lastAgentId);
  });

  it('when an agent is added to a weighted pool mid-cycle, then the cycle goes on with them in it', () => {
    const { rotation } = run([candidate('a', 2), candidate('b')], 2);
    const next = run([candidate('a', 2), candidate('b'), candidate('c')], 4, () => none, rotation);
    expect(next.picked.sort()).toEqual(['a', 'a', 'b', 'c'].sort());
  });

  it('when seats are stored for agents no longer in the pool, or above a lowered weight, then the walk ignores them', () => {
    const walk = walkRotation({
      members: [{ id: 'a', weight: 2 }, { id: 'b' }],
      pointer: {},
      seats: { gone: 5, a: 9 },
      unavailable: () => undefined,
    });
    // a is at their weight: the cycle's remaining seat is b's.
    expect(walk).toMatchObject({ picked: 'b', seats: {} });
  });

  it('when the pool turns unweighted, then its seats are dropped and strict round robin goes on from the pointer', () => {
    const weighted = run([candidate('a1', 2), candidate('a2'), candidate('a3')], 2);
    expect(weighted.rotation.seats?.['default']).toBeDefined();
    const strict = run(
      ['a1', 'a2', 'a3'].map((id) => candidate(id)),
      3,
      () => none,
      weighted.rotation,
    );
    expect(strict.rotation.seats).toBeUndefined();
    const last = weighted.picked.at(-1)!;
    const order = ['a1', 'a2', 'a3'];
    const after = order.indexOf(last);
    expect(strict.picked).toEqual([1, 2, 3].map((k) => order[(after + k) % 3]));
  });

  it('when the rotation state is written by takeTurn with seats, then other pools keep theirs', () => {
    const state = takeTurn(
      takeTurn(empty, 'rule:r', 'a', { cycle: { seats: { a: 1 } } }),
      'default',
      'b',
      { cycle: { seats: { b: 1 } } },
    );
    expect(state.seats).toEqual({ 'rule:r': { a: 1 }, default: { b: 1 } });
    expect(takeTurn(state, 'default', 'b', { cycle: { seats: undefined } }).seats).toEqual({
      'rule:r': { a: 1 },
    });
  });
});
