import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent, Meeting, RoutingRule } from '../../src/records/meeting-contract.js';
import type { OAuthState } from '../../src/records/oauth-state.js';
import type { HoldCandidate, HoldMeetingArgs } from '../../src/store/meeting-store-types.js';
import type { Store } from '../../src/store/index.js';
import { createStoreFile, storeImplementations } from '../helpers/store-implementations.js';

/**
 * The MeetingStores contract (agents, routing rules, OAuth states, meetings), run against every
 * store implementation. Times are fixed: "now" is Tuesday 2026-11-24 12:00 UTC and meetings are
 * on Wednesday, 30 minutes with a 15-minute buffer after unless a test says otherwise.
 */

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const at = (hhmm: string): number => Date.parse(`2026-11-25T${hhmm}:00Z`);

function agent(n: number, overrides: Partial<Agent> = {}): Agent {
  return {
    id: `a${n}`,
    name: `Agent ${n}`,
    email: `agent${n}@example.com`,
    timeZone: 'UTC',
    availability: [{ day: 'wed', start: '09:00', end: '17:00' }],
    meetingMinutes: 30,
    bufferAfterMinutes: 15,
    minimumNoticeMinutes: 60,
    active: true,
    groups: [],
    conferencing: false,
    calendar: { provider: 'local', status: 'connected' },
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

function rule(id: string, priority: number, createdAt: number): RoutingRule {
  return {
    id,
    name: `Rule ${id}`,
    priority,
    conditions: [{ field: 'country', operator: 'equals', value: 'Germany' }],
    target: { group: 'emea' },
    enabled: true,
    createdAt,
    updatedAt: createdAt,
  };
}

const oauthState = (state: string, expiresAt: number): OAuthState => ({
  state,
  agentId: 'a1',
  provider: 'google',
  codeVerifier: `verifier-${state}`,
  redirectUri: 'https://chat.test/oauth/callback',
  expiresAt,
});

const candidate = (n: number, eligible = true): HoldCandidate => ({
  id: `a${n}`,
  name: `Agent ${n}`,
  email: `agent${n}@example.com`,
  bufferAfterMs: 15 * MIN,
  durationMs: 30 * MIN,
  provider: 'local',
  eligible,
  ...(eligible ? {} : { reason: 'busy' }),
});

interface HoldOptions {
  start?: number;
  minutes?: number;
  /** Candidates in rotation order; 1..5 when absent. */
  agents?: number[];
  ineligible?: number[];
  mode?: HoldMeetingArgs['mode'];
  pool?: string;
  key?: string;
  bufferMinutes?: number;
  createdAt?: number;
}

function holdArgs(id: string, options: HoldOptions = {}): HoldMeetingArgs {
  const start = options.start ?? at('10:00');
  const mode = options.mode ?? 'rotation';
  const pool = options.pool ?? (mode === 'rotation' ? 'default' : 'none');
  const createdAt = options.createdAt ?? T0;
  return {
    mode,
    pool,
    now: createdAt,
    candidates: (options.agents ?? [1, 2, 3, 4, 5]).map((n) => ({
      ...candidate(n, !(options.ineligible ?? []).includes(n)),
      ...(options.bufferMinutes === undefined
        ? {}
        : { bufferAfterMs: options.bufferMinutes * MIN }),
      durationMs: (options.minutes ?? 30) * MIN,
    })),
    meeting: {
      id,
      status: 'pending',
      start,
      visitor: { email: `visitor-${id}@example.com` },
      routing: { rule: mode === 'rotation' ? 'round-robin' : 'agent', pool, skipped: [] },
      ...(options.key === undefined ? {} : { idempotencyKey: options.key }),
      manageTokenHash: `hash-${id}`,
      history: [{ status: 'pending', at: createdAt, by: 'visitor' }],
      createdAt,
      updatedAt: createdAt,
    },
  };
}

const booked = (current: Meeting): Meeting => ({
  ...current,
  status: 'booked',
  history: [...current.history, { status: 'booked', at: T0, by: 'system' }],
  updatedAt: T0,
});

describe.each(storeImplementations)('meetings store contract: $kind', (impl) => {
  let storeFile: Awaited<ReturnType<typeof createStoreFile>>;
  let store: Store;

  beforeEach(async () => {
    storeFile = await createStoreFile();
    store = await impl.open(storeFile.file);
  });

  afterEach(async () => {
    await store.close();
    await storeFile.remove();
  });

  const reopen = async () => {
    store = await impl.reopen(store, storeFile.file);
  };

  const hold = (id: string, options?: HoldOptions) => store.holdMeeting(holdArgs(id, options));

  async function heldAgent(id: string, options?: HoldOptions): Promise<string | undefined> {
    const result = await hold(id, options);
    return result.outcome === 'held' ? result.meeting.agentId : undefined;
  }

  /** Holds with one agent, in ordered mode, and confirms it: a booked meeting of agent `n`. */
  async function book(id: string, n: number, options: HoldOptions = {}): Promise<Meeting> {
    await hold(id, { ...options, agents: [n], mode: 'ordered' });
    return store.updateMeeting(id, (current) => ({ meeting: booked(current) }), T0);
  }

  const snapshot = () => ({
    meetings: store.listMeetings(),
    outbox: store.listOutbox(),
    routing: store.routingState(),
  });

  describe('agents', () => {
    it('when agents are saved, then they are listed in creation order and found by id and by email in any case', async () => {
      for (const n of [3, 1, 2]) await store.saveAgent(agent(n));

      expect(store.listAgents().map((a) => a.id)).toEqual(['a3', 'a1', 'a2']);
      expect(store.getAgent('a1')).toEqual(agent(1));
      expect(store.getAgent('a9')).toBeUndefined();
      expect(store.findAgentByEmail('AGENT2@Example.com')?.id).toBe('a2');
      expect(store.findAgentByEmail('nobody@example.com')).toBeUndefined();
    });

    it('when an agent is saved again, then it is replaced where it stands in the rotation', async () => {
      for (const n of [1, 2, 3]) await store.saveAgent(agent(n));

      await store.saveAgent(agent(2, { name: 'Renamed', updatedAt: T0 + 1 }));
      await reopen();

      expect(store.listAgents().map((a) => [a.id, a.name])).toEqual([
        ['a1', 'Agent 1'],
        ['a2', 'Renamed'],
        ['a3', 'Agent 3'],
      ]);
    });

    it('when another agent takes an email already used (in any case), then AGENT_EMAIL_TAKEN (409, email) and nothing changes', async () => {
      await store.saveAgent(agent(1));
      await store.saveAgent(agent(2));
      const taken = { code: 'AGENT_EMAIL_TAKEN', httpStatus: 409, field: 'email' };

      await expect(
        store.saveAgent(agent(3, { email: 'AGENT1@example.com' })),
      ).rejects.toMatchObject(taken);
      await expect(
        store.updateAgent('a2', (current) => ({ ...current, email: 'agent1@example.com' })),
      ).rejects.toMatchObject(taken);

      expect(store.listAgents()).toEqual([agent(1), agent(2)]);
    });

    it('when an agent is updated, then the change applies to the stored agent; an unknown agent is NOT_FOUND', async () => {
      await store.saveAgent(agent(1));

      const updated = await store.updateAgent('a1', (current) => ({
        ...current,
        active: false,
        updatedAt: T0 + MIN,
      }));

      expect(updated).toEqual(agent(1, { active: false, updatedAt: T0 + MIN }));
      expect(store.getAgent('a1')).toEqual(updated);
      await expect(store.updateAgent('a9', (current) => current)).rejects.toMatchObject({
        code: 'NOT_FOUND',
        httpStatus: 404,
      });
    });

    it('when an agent is deleted, then it is gone and deleting it again answers false', async () => {
      await store.saveAgent(agent(1));
      await store.saveAgent(agent(2));

      expect(await store.deleteAgent('a1')).toBe(true);
      expect(await store.deleteAgent('a1')).toBe(false);
      await reopen();

      expect(store.listAgents().map((a) => a.id)).toEqual(['a2']);
      expect(store.findAgentByEmail('agent1@example.com')).toBeUndefined();
    });

    it('when the agents are reordered, then they are listed in the new order, also after reopening', async () => {
      for (const n of [1, 2, 3, 4]) await store.saveAgent(agent(n));

      await store.reorderAgents(['a3', 'a1', 'a4', 'a2']);
      await reopen();

      expect(store.listAgents().map((a) => a.id)).toEqual(['a3', 'a1', 'a4', 'a2']);
    });

    it.each([
      ['an agent is missing', ['a2', 'a1']],
      ['an agent is listed twice', ['a1', 'a2', 'a2']],
      ['an id is unknown', ['a1', 'a2', 'a9']],
    ])(
      'when the new order is not a permutation (%s), then VALIDATION_FAILED (400, order) and the order stays',
      async (_case, order) => {
        for (const n of [1, 2, 3]) await store.saveAgent(agent(n));

        await expect(store.reorderAgents(order)).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
          httpStatus: 400,
          field: 'order',
        });
        expect(store.listAgents().map((a) => a.id)).toEqual(['a1', 'a2', 'a3']);
      },
    );

    it('when an agent is invalid, then STORE_INVALID_RECORD and nothing is saved', async () => {
      await expect(store.saveAgent(agent(1, { timeZone: 'Mars/Olympus' }))).rejects.toMatchObject({
        code: 'STORE_INVALID_RECORD',
      });
      expect(store.listAgents()).toEqual([]);
    });
  });

  describe('routing rules', () => {
    it('when rules are saved, then they are listed highest priority first, then oldest first, also after reopening', async () => {
      await store.saveRoutingRule(rule('r-low', 10, T0));
      await store.saveRoutingRule(rule('r-new', 200, T0 + 2));
      await store.saveRoutingRule(rule('r-old', 200, T0 + 1));
      await store.saveRoutingRule(rule('r-mid', 100, T0 - 5));

      await reopen();

      expect(store.listRoutingRules().map((r) => r.id)).toEqual([
        'r-old',
        'r-new',
        'r-mid',
        'r-low',
      ]);
      expect(store.getRoutingRule('r-mid')).toEqual(rule('r-mid', 100, T0 - 5));
    });

    it('when a rule is deleted, then it is gone and deleting it again answers false', async () => {
      await store.saveRoutingRule(rule('r1', 10, T0));

      expect(await store.deleteRoutingRule('r1')).toBe(true);
      expect(await store.deleteRoutingRule('r1')).toBe(false);
      expect(store.getRoutingRule('r1')).toBeUndefined();
      expect(store.listRoutingRules()).toEqual([]);
    });
  });

  describe('OAuth states', () => {
    it('when a state is consumed, then it is returned once and never again', async () => {
      await store.saveOAuthState(oauthState('s1', T0 + 10 * MIN));

      expect(await store.consumeOAuthState('s1', T0)).toEqual(oauthState('s1', T0 + 10 * MIN));
      expect(await store.consumeOAuthState('s1', T0)).toBeUndefined();
      expect(await store.consumeOAuthState('unknown', T0)).toBeUndefined();
    });

    it('when a state has expired, then it is refused, and other expired states are swept on the way', async () => {
      await store.saveOAuthState(oauthState('late', T0 + MIN));
      await store.saveOAuthState(oauthState('stale', T0 + 2 * MIN));
      await store.saveOAuthState(oauthState('fresh', T0 + 30 * MIN));

      expect(await store.consumeOAuthState('late', T0 + 5 * MIN)).toBeUndefined();
      await reopen();

      // Swept: even asked for at a time it was still valid, it is gone.
      expect(await store.consumeOAuthState('stale', T0)).toBeUndefined();
      expect(await store.consumeOAuthState('fresh', T0 + 5 * MIN)).toMatchObject({
        state: 'fresh',
      });
    });
  });

  describe('holding a slot', () => {
    it('when a slot is held in rotation, then the first eligible agent after the pointer gets a pending meeting, a turn and a count', async () => {
      await hold('m1');

      const second = await hold('m2', { start: at('11:00'), ineligible: [2, 3] });

      expect(second).toEqual({
        outcome: 'held',
        meeting: expect.objectContaining({
          id: 'm2',
          status: 'pending',
          agentId: 'a4',
          agentName: 'Agent 4',
          agentEmail: 'agent4@example.com',
          bufferAfterMs: 15 * MIN,
          provider: 'local',
          routing: {
            rule: 'round-robin',
            pool: 'default',
            skipped: [
              { agentId: 'a2', reason: 'busy' },
              { agentId: 'a3', reason: 'busy' },
            ],
            previousPointer: 'a1',
            previousFollowers: ['a2', 'a3', 'a4', 'a5'],
            turn: 2,
          },
        }),
      });
      expect(store.getMeeting('m2')).toEqual(second.outcome === 'held' ? second.meeting : null);
      expect(store.routingState()).toEqual({
        lastAgentId: 'a4',
        pointers: {},
        totals: { a1: 1, a4: 1 },
      });
    });

    it('when the same idempotency key comes again, then the first meeting is replayed and nothing changes, also after reopening', async () => {
      const first = await hold('m1', { key: 'visitor-key-1' });
      await reopen();
      const before = snapshot();

      const again = await hold('m2', { key: 'visitor-key-1', start: at('11:00') });

      expect(again).toEqual({
        outcome: 'replayed',
        meeting: first.outcome === 'held' ? first.meeting : null,
      });
      expect(snapshot()).toEqual(before);
      expect(store.getMeeting('m2')).toBeUndefined();
    });

    it('when every candidate is ineligible or already booked, then taken with the reasons and nothing is stored', async () => {
      await book('m1', 1);
      await book('m2', 2, { start: at('09:45') });
      const before = snapshot();

      const result = await hold('m3', { agents: [1, 2, 3], ineligible: [3] });

      expect(result).toEqual({
        outcome: 'taken',
        skipped: [
          { agentId: 'a1', reason: 'booked' },
          { agentId: 'a2', reason: 'booked' },
          { agentId: 'a3', reason: 'busy' },
        ],
      });
      expect(snapshot()).toEqual(before);
    });

    // Agent 1 holds 10:00–10:30 plus 15 minutes; the new 30-minute meeting has 15 minutes too.
    it.each([
      ['09:00', 'free'],
      ['09:15', 'free'],
      ['09:30', 'taken'],
      ['10:00', 'taken'],
      ['10:30', 'taken'],
      ['10:44', 'taken'],
      ['10:45', 'free'],
    ])(
      'when agent 1 has a meeting at 10:00 and a hold asks for %s, then the slot is %s (buffers on both sides)',
      async (time, expected) => {
        await book('m1', 1);

        const result = await hold('m2', { agents: [1], mode: 'ordered', start: at(time) });

        expect(result.outcome === 'held' ? 'free' : 'taken').toBe(expected);
      },
    );

    it('when a cancelled meeting held the slot, then it no longer blocks it', async () => {
      await book('m1', 1);
      await store.updateMeeting(
        'm1',
        (current) => ({
          meeting: { ...current, status: 'cancelled', updatedAt: T0 },
        }),
        T0,
      );

      expect(await heldAgent('m2', { agents: [1], mode: 'ordered' })).toBe('a1');
    });

    it('when a slot is held in order, then the first free candidate as given gets it and the pointer does not move', async () => {
      await hold('m1');
      await book('m2', 3, { start: at('12:00') });

      const result = await hold('m3', { agents: [3, 5, 2], mode: 'ordered', start: at('12:00') });

      expect(result.outcome === 'held' && result.meeting.agentId).toBe('a5');
      expect(store.routingState()).toEqual({
        lastAgentId: 'a1',
        pointers: {},
        totals: { a1: 1, a3: 1, a5: 1 },
      });
    });

    it('when a rule pool takes turns, then its pointer moves on its own and the default pointer stays', async () => {
      await hold('m1');

      const picks = [
        await heldAgent('m2', { pool: 'rule:emea', agents: [2, 4], start: at('11:00') }),
        await heldAgent('m3', { pool: 'rule:emea', agents: [2, 4], start: at('12:00') }),
        await heldAgent('m4', { pool: 'rule:emea', agents: [2, 4], start: at('13:00') }),
      ];

      expect(picks).toEqual(['a2', 'a4', 'a2']);
      expect(store.routingState()).toEqual({
        lastAgentId: 'a1',
        pointers: { 'rule:emea': 'a2' },
        totals: { a1: 1, a2: 2, a4: 1 },
      });
      expect(await heldAgent('m5', { start: at('14:00') })).toBe('a2');
    });

    it('when a meeting id is held twice, then MEETING_EXISTS (409) and the first stays', async () => {
      await hold('m1');

      await expect(hold('m1', { start: at('11:00') })).rejects.toMatchObject({
        code: 'MEETING_EXISTS',
        httpStatus: 409,
      });
      expect(store.listMeetings().map((m) => [m.id, m.start])).toEqual([['m1', at('10:00')]]);
    });

    it('when 12 holds of one slot race over 3 agents, then 3 are held, each by another agent, and 9 are taken', async () => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => hold(`m${i}`, { agents: [1, 2, 3] })),
      );

      const held = results.flatMap((r) => (r.outcome === 'held' ? [r.meeting.agentId] : []));
      expect(held).toEqual(['a1', 'a2', 'a3']);
      expect(results.filter((r) => r.outcome === 'taken')).toHaveLength(9);
      expect(store.routingState().totals).toEqual({ a1: 1, a2: 1, a3: 1 });
    });
  });

  describe('releasing a hold', () => {
    it('when the latest hold is released, then the meeting is gone, the count goes back and the pointer returns', async () => {
      await hold('m1');
      const before = snapshot();
      await hold('m2', { start: at('11:00'), key: 'visitor-key-2' });

      expect(await store.releaseMeeting('m2', T0)).toBe(true);

      expect(store.getMeeting('m2')).toBeUndefined();
      expect(store.listMeetings()).toEqual(before.meetings);
      expect(store.routingState()).toEqual({
        lastAgentId: 'a1',
        pointers: {},
        totals: { a1: 1, a2: 0 },
      });
      expect(await heldAgent('m3', { start: at('11:00') })).toBe('a2');
    });

    it('when another turn was taken after the hold, then releasing it leaves the pointer where it is', async () => {
      await hold('m1');
      await hold('m2', { start: at('11:00') });

      expect(await store.releaseMeeting('m1', T0)).toBe(true);

      expect(store.routingState()).toEqual({
        lastAgentId: 'a2',
        pointers: {},
        totals: { a1: 0, a2: 1 },
      });
    });

    // Release compares turn numbers, not agents: a full cycle of other turns since the hold,
    // ending on the same agent, must not be wound back.
    it('when the rotation has come round to the same agent since the hold, then releasing it leaves the pointer where it is', async () => {
      await hold('m1', { agents: [1, 2] });
      await hold('m2', { agents: [1, 2], start: at('11:00') });
      await hold('m3', { agents: [1, 2], start: at('12:00') });

      await store.releaseMeeting('m1', T0);

      expect(store.routingState().lastAgentId).toBe('a1');
      expect(await heldAgent('m4', { agents: [1, 2], start: at('13:00') })).toBe('a2');
    });

    it('when a rule pool’s first hold is released, then the pool has no pointer again', async () => {
      await hold('m1', { pool: 'rule:emea', agents: [2, 4] });

      await store.releaseMeeting('m1', T0);

      expect(store.routingState().pointers).toEqual({});
      expect(await heldAgent('m2', { pool: 'rule:emea', agents: [2, 4] })).toBe('a2');
    });

    it('when a booked meeting or an unknown id is released, then false and nothing changes', async () => {
      await book('m1', 1);
      const before = snapshot();

      expect(await store.releaseMeeting('m1', T0)).toBe(false);
      expect(await store.releaseMeeting('nope', T0)).toBe(false);
      expect(snapshot()).toEqual(before);
    });

    it('when a released hold’s key and manage token come again, then they belong to nobody and a new hold is made', async () => {
      await hold('m1', { key: 'visitor-key-1' });
      await store.releaseMeeting('m1', T0);

      expect(store.findMeetingByManageTokenHash('hash-m1')).toBeUndefined();
      const again = await hold('m2', { key: 'visitor-key-1' });
      expect(again.outcome).toBe('held');
    });
  });

  describe('updating a meeting', () => {
    it('when a meeting is updated with outbox items, then both are stored in one write and are there after reopening', async () => {
      await hold('m1');

      const updated = await store.updateMeeting(
        'm1',
        (current) => ({
          meeting: { ...booked(current), providerEventId: 'event-1' },
          outbox: [{ kind: 'meeting-activity', dedupeKey: 'meeting:m1#1', payload: { seq: 1 } }],
        }),
        T0,
      );
      await reopen();

      expect(store.getMeeting('m1')).toEqual(updated);
      expect(updated).toMatchObject({ status: 'booked', providerEventId: 'event-1' });
      expect(store.findOutboxItem('meeting:m1#1')).toMatchObject({
        kind: 'meeting-activity',
        payload: { seq: 1 },
        status: 'pending',
        createdAt: T0,
      });
    });

    it.each([
      [
        'the change throws',
        () => {
          throw new Error('refused by the change');
        },
        { message: 'refused by the change' },
      ],
      [
        'the changed meeting is invalid',
        (current: Meeting) => ({ meeting: { ...current, status: 'lost' as Meeting['status'] } }),
        { code: 'STORE_INVALID_RECORD' },
      ],
      [
        'an outbox item is invalid',
        (current: Meeting) => ({
          meeting: booked(current),
          outbox: [{ kind: '', dedupeKey: 'meeting:m1#1', payload: {} }],
        }),
        { code: 'STORE_INVALID_RECORD' },
      ],
    ])('when %s, then the update is refused and nothing changes', async (_case, change, error) => {
      await hold('m1');
      const before = snapshot();

      await expect(store.updateMeeting('m1', change, T0)).rejects.toMatchObject(error);

      await reopen();
      expect(snapshot()).toEqual(before);
    });

    it('when a change checks for conflicts, then it sees the agent’s other active meetings but not the excluded one', async () => {
      await book('m1', 1);
      await book('m2', 1, { start: at('11:00') });
      const seen: boolean[] = [];

      await store.updateMeeting(
        'm2',
        (current, ctx) => {
          const probe = (time: string, extra: { agentId?: string; excludeId?: string } = {}) =>
            ctx.hasConflict({
              agentId: 'a1',
              start: at(time),
              end: at(time) + 30 * MIN,
              bufferAfterMs: 15 * MIN,
              ...extra,
            });
          seen.push(probe('10:00', { excludeId: 'm2' }));
          seen.push(probe('11:00', { excludeId: 'm2' }));
          seen.push(probe('11:00'));
          seen.push(probe('10:00', { agentId: 'a2' }));
          return { meeting: current };
        },
        T0,
      );

      expect(seen).toEqual([true, false, true, false]);
    });

    it('when the meeting is unknown, then NOT_FOUND (404)', async () => {
      await expect(
        store.updateMeeting('nope', (current) => ({ meeting: current }), T0),
      ).rejects.toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
    });
  });

  describe('reading meetings', () => {
    beforeEach(async () => {
      await book('m1', 1, { start: at('10:00') });
      await book('m2', 2, { start: at('11:00') });
      await book('m3', 1, { start: at('12:00') });
      await hold('m4', { agents: [2], mode: 'ordered', start: at('13:00'), createdAt: T0 - MIN });
      await store.updateMeeting(
        'm3',
        (current) => ({ meeting: { ...current, status: 'cancelled', updatedAt: T0 } }),
        T0,
      );
    });

    const ids = (meetings: Meeting[]) => meetings.map((m) => m.id);

    it.each([
      ['no filter', {}, ['m4', 'm3', 'm2', 'm1']],
      ['agent 1', { agentId: 'a1' }, ['m3', 'm1']],
      ['an agent with none', { agentId: 'a9' }, []],
      ['status booked', { status: 'booked' as const }, ['m2', 'm1']],
      ['agent 2, pending', { agentId: 'a2', status: 'pending' as const }, ['m4']],
      ['starts in [11:00, 13:00)', { from: at('11:00'), to: at('13:00') }, ['m3', 'm2']],
      ['a limit of 2', { limit: 2 }, ['m4', 'm3']],
    ])(
      'when meetings are listed with %s, then the newest start comes first',
      (_case, filter, expected) => {
        expect(ids(store.listMeetings(filter))).toEqual(expected);
      },
    );

    it('when an agent’s meetings are read for a range, then only active ones overlapping it with their buffer come, by start', () => {
      expect(ids(store.agentMeetings('a1', at('09:00'), at('17:00')))).toEqual(['m1']);
      expect(ids(store.agentMeetings('a2', at('09:00'), at('17:00')))).toEqual(['m2', 'm4']);
      // 11:00–11:30 is held until 11:45.
      expect(ids(store.agentMeetings('a2', at('11:44'), at('12:00')))).toEqual(['m2']);
      expect(ids(store.agentMeetings('a2', at('11:45'), at('12:00')))).toEqual([]);
      expect(ids(store.agentMeetings('a2', at('10:00'), at('11:00')))).toEqual([]);
    });

    it('when a meeting is looked up by its manage token hash, then it is found', () => {
      expect(store.findMeetingByManageTokenHash('hash-m2')?.id).toBe('m2');
      expect(store.findMeetingByManageTokenHash('hash-unknown')).toBeUndefined();
    });

    it('when due meetings are asked for, then pending ones count from creation and others from their end', () => {
      expect(ids(store.meetingsDue(['pending'], T0, 10))).toEqual(['m4']);
      expect(ids(store.meetingsDue(['pending'], T0 - MIN, 10))).toEqual([]);
      expect(ids(store.meetingsDue(['booked'], at('11:30') + 1, 10)).sort()).toEqual(['m1', 'm2']);
      expect(ids(store.meetingsDue(['booked'], at('11:30'), 10))).toEqual(['m1']);
      expect(store.meetingsDue(['booked'], at('17:00'), 1)).toHaveLength(1);
    });
  });
});
