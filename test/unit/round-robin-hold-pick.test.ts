import { describe, expect, it } from 'vitest';
import { holdProbes, pickHold, type HoldCandidate } from '../../src/routing/hold-pick.js';
import { NO_POOL, takeTurn, type RotationState } from '../../src/routing/rotation-state.js';

const order = ['a1', 'a2', 'a3', 'a4', 'a5'];
const empty: RotationState = { totals: {} };
const candidate = (id: string, eligible = true, reason?: string): HoldCandidate => ({
  id,
  name: id.toUpperCase(),
  email: `${id}@example.com`,
  bufferAfterMs: 10 * 60_000,
  durationMs: 30 * 60_000,
  provider: 'local',
  eligible,
  ...(reason === undefined ? {} : { reason }),
});
const all = order.map((id) => candidate(id));
/** The default pool after `taker` took its turn (turn 1), with the order's followers. */
const after = (taker: string) => takeTurn(empty, 'default', taker, { order });
const none = new Set<string>();

describe('the hold pick (routing/hold-pick.ts)', () => {
  it.each([
    ['no turn taken yet', empty, 'a1'],
    ['a3 took the last turn', after('a3'), 'a4'],
    ['a5 took the last turn (wraps round)', after('a5'), 'a1'],
  ])('when %s, then strict round robin picks %s', (_what, rotation, picked) => {
    const pick = pickHold(
      { rotation, overlapping: none },
      { candidates: all, mode: 'rotation', pool: 'default' },
    );
    expect(pick).toMatchObject({ outcome: 'picked', candidate: { id: picked }, skipped: [] });
  });

  it.each([
    [
      'a4 is busy in their calendar',
      [candidate('a4', false, 'busy')],
      none,
      'a5',
      [{ agentId: 'a4', reason: 'busy' }],
    ],
    [
      'a4 has a stored meeting then',
      [],
      new Set(['a4']),
      'a5',
      [{ agentId: 'a4', reason: 'booked' }],
    ],
    [
      'a4 is ineligible without a reason and a5 is booked',
      [candidate('a4', false)],
      new Set(['a5']),
      'a1',
      [
        { agentId: 'a4', reason: 'unavailable' },
        { agentId: 'a5', reason: 'booked' },
      ],
    ],
    [
      'a4 is ineligible and booked too (its own reason wins)',
      [candidate('a4', false, 'outside-hours')],
      new Set(['a4']),
      'a5',
      [{ agentId: 'a4', reason: 'outside-hours' }],
    ],
  ])(
    'when a3 took the last turn and %s, then %s is picked and the skipped are recorded',
    (_what, replaced, overlapping, picked, skipped) => {
      const byId = new Map(replaced.map((c) => [c.id, c]));
      const candidates = all.map((c) => byId.get(c.id) ?? c);
      const pick = pickHold(
        { rotation: after('a3'), overlapping },
        { candidates, mode: 'rotation', pool: 'default' },
      );
      expect(pick).toMatchObject({ outcome: 'picked', candidate: { id: picked }, skipped });
    },
  );

  it('when a busy agent is skipped, then they keep their place: the pointer moves to the picked one, whose followers include them', () => {
    const candidates = all.map((c) => (c.id === 'a4' ? candidate('a4', false, 'busy') : c));
    const pick = pickHold(
      { rotation: after('a3'), overlapping: none },
      { candidates, mode: 'rotation', pool: 'default' },
    );
    expect(pick.outcome).toBe('picked');
    if (pick.outcome !== 'picked') return;
    expect(pick.rotation).toMatchObject({
      lastAgentId: 'a5',
      turns: { default: 2 },
      totals: { a3: 1, a5: 1 },
      followers: { default: ['a1', 'a2', 'a3', 'a4'] },
    });
    // The memo is the turn's, so a give-back can put the pointer back on a3.
    expect(pick.memo).toEqual({
      turn: 2,
      previousPointer: 'a3',
      previousFollowers: ['a4', 'a5', 'a1', 'a2'],
    });
  });

  it('when the pointer’s agent left the pool, then the first of their followers still in it is next', () => {
    const rotation = after('a3');
    const candidates = all.filter((c) => c.id !== 'a3' && c.id !== 'a4');
    const pick = pickHold(
      { rotation, overlapping: none },
      { candidates, mode: 'rotation', pool: 'default' },
    );
    expect(pick).toMatchObject({ outcome: 'picked', candidate: { id: 'a5' } });
  });

  it('when a rule pool takes a turn, then only that pool’s pointer and count move', () => {
    const rotation = after('a3');
    const pick = pickHold(
      { rotation, overlapping: none },
      { candidates: all.slice(0, 3), mode: 'rotation', pool: 'rule:r1' },
    );
    expect(pick).toMatchObject({ outcome: 'picked', candidate: { id: 'a1' }, memo: { turn: 1 } });
    if (pick.outcome !== 'picked') return;
    expect(pick.rotation).toMatchObject({
      lastAgentId: 'a3',
      pointers: { 'rule:r1': 'a1' },
      turns: { default: 1, 'rule:r1': 1 },
    });
  });

  it.each([
    ['the first is free', none, 'a1', []],
    ['the first is booked', new Set(['a1']), 'a2', [{ agentId: 'a1', reason: 'booked' }]],
  ])(
    'when ordered (owner, agent asked for) and %s, then %s is picked from the start and no pointer moves',
    (_what, overlapping, picked, skipped) => {
      const rotation = after('a3');
      const pick = pickHold(
        { rotation, overlapping },
        { candidates: all.slice(0, 2), mode: 'ordered', pool: NO_POOL },
      );
      expect(pick).toMatchObject({ outcome: 'picked', candidate: { id: picked }, skipped });
      if (pick.outcome !== 'picked') return;
      expect(pick.memo).toEqual({});
      expect(pick.rotation).toEqual({ ...rotation, totals: { a3: 1, [picked]: 1 } });
    },
  );

  it.each([
    ['nobody is a candidate', [], none, []],
    [
      'everyone is busy or booked',
      [candidate('a1', false, 'busy'), candidate('a2')],
      new Set(['a2']),
      [
        { agentId: 'a1', reason: 'busy' },
        { agentId: 'a2', reason: 'booked' },
      ],
    ],
  ])('when %s, then the slot is taken', (_what, candidates, overlapping, skipped) => {
    expect(
      pickHold({ rotation: empty, overlapping }, { candidates, mode: 'rotation', pool: 'default' }),
    ).toEqual({ outcome: 'taken', skipped });
  });

  it('when probes are made, then one per eligible candidate, each with its own length and buffer', () => {
    const candidates = [
      { ...candidate('a1'), durationMs: 45 * 60_000 },
      candidate('a2', false, 'busy'),
      candidate('a3'),
    ];
    expect(holdProbes(candidates, 1_000)).toEqual([
      { agentId: 'a1', start: 1_000, end: 1_000 + 45 * 60_000, bufferAfterMs: 600_000 },
      { agentId: 'a3', start: 1_000, end: 1_000 + 30 * 60_000, bufferAfterMs: 600_000 },
    ]);
  });
});
