import { describe, expect, it } from 'vitest';
import {
  decideHold,
  holdMeetingArgs,
  type HoldRequest,
  type MeetingDraft,
} from '../../src/meetings/hold-decision.js';
import type { Meeting } from '../../src/records/meeting-contract.js';
import type { HoldCandidate } from '../../src/routing/hold-pick.js';
import { takeTurn, type RotationState } from '../../src/routing/rotation-state.js';
import type { HoldFacts } from '../../src/store/meeting-store-types.js';

const T0 = Date.parse('2026-03-02T10:00:00Z');
const START = T0 + 24 * 3_600_000;
const candidate = (id: string, eligible = true): HoldCandidate => ({
  id,
  name: id.toUpperCase(),
  email: `${id}@example.com`,
  bufferAfterMs: 5 * 60_000,
  durationMs: 30 * 60_000,
  provider: 'google',
  eligible,
  ...(eligible ? {} : { reason: 'busy' }),
});
const draft: MeetingDraft = {
  id: 'm1',
  status: 'pending',
  start: START,
  visitor: { email: 'visitor@example.com', timeZone: 'Europe/Paris' },
  routing: { rule: 'round-robin', pool: 'default', skipped: [], identity: 'typed' },
  idempotencyKey: 'key-1',
  manageTokenHash: 'hash',
  history: [{ status: 'pending', at: T0, by: 'visitor' }],
  createdAt: T0,
  updatedAt: T0,
};
const request = (over: Partial<HoldRequest> = {}): HoldRequest => ({
  meeting: draft,
  candidates: [candidate('a1', false), candidate('a2'), candidate('a3')],
  mode: 'rotation',
  pool: 'default',
  now: T0,
  maxPerVisitor: 3,
  ...over,
});
const empty: RotationState = { totals: {} };
const facts = (over: Partial<HoldFacts> = {}): HoldFacts => ({
  rotation: empty,
  replay: undefined,
  upcomingForVisitor: 0,
  overlapping: new Set(),
  ...over,
});
const earlier = { ...draft, id: 'm0', status: 'booked', agentId: 'a1' } as unknown as Meeting;

describe('the hold decision (meetings/hold-decision.ts)', () => {
  it.each([
    [
      'the key made a meeting (even with the visitor at the limit)',
      facts({ replay: earlier, upcomingForVisitor: 3 }),
      { outcome: 'replayed', meeting: earlier },
    ],
    [
      'the visitor holds as many meetings to come as allowed',
      facts({ upcomingForVisitor: 3 }),
      { outcome: 'visitor-limit' },
    ],
    [
      'every candidate is busy or booked',
      facts({ overlapping: new Set(['a2', 'a3']) }),
      {
        outcome: 'taken',
        skipped: [
          { agentId: 'a1', reason: 'busy' },
          { agentId: 'a2', reason: 'booked' },
          { agentId: 'a3', reason: 'booked' },
        ],
      },
    ],
  ])('when %s, then %o and nothing is written', (_what, given, result) => {
    expect(decideHold(given, request())).toEqual({ result });
  });

  it('when the visitor is below the limit (or there is none), then the slot is held', () => {
    expect(decideHold(facts({ upcomingForVisitor: 2 }), request()).result.outcome).toBe('held');
    const unlimited = request({ maxPerVisitor: undefined });
    expect(decideHold(facts({ upcomingForVisitor: 9 }), unlimited).result.outcome).toBe('held');
  });

  it('when a candidate is free, then the meeting is theirs, with their length, buffer and provider, the skipped and the turn memo, and the rotation moves', () => {
    const rotation = takeTurn(empty, 'default', 'a3', { order: ['a1', 'a2', 'a3'] });
    const decision = decideHold(facts({ rotation }), request());
    const meeting: Meeting = {
      ...draft,
      end: START + 30 * 60_000,
      agentId: 'a2',
      agentName: 'A2',
      agentEmail: 'a2@example.com',
      bufferAfterMs: 5 * 60_000,
      provider: 'google',
      routing: {
        ...draft.routing,
        skipped: [{ agentId: 'a1', reason: 'busy' }],
        turn: 2,
        previousPointer: 'a3',
        previousFollowers: ['a1', 'a2'],
      },
    };
    expect(decision).toEqual({
      result: { outcome: 'held', meeting },
      meeting,
      rotation: expect.objectContaining({ lastAgentId: 'a2', totals: { a3: 1, a2: 1 } }),
    });
  });

  it('when held for an ordered plan, then the draft’s skipped are kept and no turn is recorded', () => {
    const withSkipped = {
      ...draft,
      routing: {
        ...draft.routing,
        rule: 'owner',
        pool: 'none',
        skipped: [{ agentId: 'a9', reason: 'inactive' }],
      },
    };
    const decision = decideHold(
      facts(),
      request({
        meeting: withSkipped,
        mode: 'ordered',
        pool: 'none',
        candidates: [candidate('a1')],
      }),
    );
    expect(decision.meeting?.routing).toEqual({ ...withSkipped.routing });
  });

  it('when the store’s arguments are made, then they carry the key, the visitor, one probe per eligible candidate and this decision', () => {
    const args = holdMeetingArgs(request());
    expect(args).toMatchObject({
      idempotencyKey: 'key-1',
      visitorEmail: 'visitor@example.com',
      now: T0,
      probes: [
        { agentId: 'a2', start: START, end: START + 30 * 60_000, bufferAfterMs: 300_000 },
        { agentId: 'a3', start: START, end: START + 30 * 60_000, bufferAfterMs: 300_000 },
      ],
    });
    expect(args.decide(facts({ upcomingForVisitor: 3 }))).toEqual({
      result: { outcome: 'visitor-limit' },
    });
    const { idempotencyKey: _key, ...keyless } = draft;
    expect(holdMeetingArgs(request({ meeting: keyless }))).not.toHaveProperty('idempotencyKey');
  });
});
