import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Agent, Meeting, RoutingRule } from '../../src/records/meeting-contract.js';
import type { OAuthState } from '../../src/records/oauth-state.js';
import type { RotationState } from '../../src/records/rotation.js';
import type { HoldFacts, MeetingChangeFacts } from '../../src/store/meeting-store-types.js';
import type { Store } from '../../src/store/index.js';
import { at, counted, firstFree, MIN, T0, type HoldOptions } from '../helpers/store-decisions.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

/**
 * The MeetingStores contract (agents, routing rules, OAuth states, meetings), run against every
 * store implementation. Times are fixed: "now" is Tuesday 2026-11-24 12:00 UTC and meetings are
 * on Wednesday, 30 minutes with a 15-minute buffer after unless a test says otherwise. Holds
 * are decided by a small decision of the tests' own (store-decisions.ts `firstFree`: the first
 * candidate whose probe does not overlap); the booking rules and the round robin are
 * meetings/' and routing/'s, tested there.
 */

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

const booked = (current: Meeting): Meeting => ({
  ...current,
  status: 'booked',
  history: [...current.history, { status: 'booked', at: T0, by: 'system' }],
  updatedAt: T0,
});

describe.each(storeImplementations)('meetings store contract: $kind', (impl) => {
  let data: StoreTestData;
  let store: Store;

  beforeEach(async () => {
    data = await impl.createData();
    store = await data.open();
  });

  afterEach(() => data.remove());

  const reopen = async () => {
    store = await data.reopen(store);
  };

  const hold = (id: string, options?: HoldOptions) => store.holdMeeting(firstFree(id, options));

  async function heldAgent(id: string, options?: HoldOptions): Promise<string | undefined> {
    const result = await hold(id, options);
    return result.outcome === 'held' ? result.meeting.agentId : undefined;
  }

  /** Holds with agent `n` alone and confirms it: a booked meeting of agent `n`. */
  async function book(id: string, n: number, options: HoldOptions = {}): Promise<Meeting> {
    await hold(id, { ...options, agents: [n] });
    return store.updateMeeting(id, (current) => ({ meeting: booked(current) }), T0);
  }

  const snapshot = async () => ({
    meetings: await store.listMeetings(),
    outbox: await store.listOutbox(),
    routing: await store.rotationState(),
  });

  describe('agents', () => {
    it('when agents are saved, then they are listed in creation order and found by id and by email in any case', async () => {
      for (const n of [3, 1, 2]) await store.saveAgent(agent(n));

      expect((await store.listAgents()).map((a) => a.id)).toEqual(['a3', 'a1', 'a2']);
      expect(await store.getAgent('a1')).toEqual(agent(1));
      expect(await store.getAgent('a9')).toBeUndefined();
      expect((await store.findAgentByEmail('AGENT2@Example.com'))?.id).toBe('a2');
      expect(await store.findAgentByEmail('nobody@example.com')).toBeUndefined();
    });

    it('when an agent is saved again, then it is replaced where it stands in the rotation', async () => {
      for (const n of [1, 2, 3]) await store.saveAgent(agent(n));

      await store.saveAgent(agent(2, { name: 'Renamed', updatedAt: T0 + 1 }));
      await reopen();

      expect((await store.listAgents()).map((a) => [a.id, a.name])).toEqual([
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

      expect(await store.listAgents()).toEqual([agent(1), agent(2)]);
    });

    it('when an agent is updated, then the change applies to the stored agent; an unknown agent is NOT_FOUND', async () => {
      await store.saveAgent(agent(1));

      const updated = await store.updateAgent('a1', (current) => ({
        ...current,
        active: false,
        updatedAt: T0 + MIN,
      }));

      expect(updated).toEqual(agent(1, { active: false, updatedAt: T0 + MIN }));
      expect(await store.getAgent('a1')).toEqual(updated);
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

      expect((await store.listAgents()).map((a) => a.id)).toEqual(['a2']);
      expect(await store.findAgentByEmail('agent1@example.com')).toBeUndefined();
    });

    it('when the agents are reordered, then they are listed in the new order, also after reopening', async () => {
      for (const n of [1, 2, 3, 4]) await store.saveAgent(agent(n));

      await store.reorderAgents(['a3', 'a1', 'a4', 'a2']);
      await reopen();

      expect((await store.listAgents()).map((a) => a.id)).toEqual(['a3', 'a1', 'a4', 'a2']);
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
        expect((await store.listAgents()).map((a) => a.id)).toEqual(['a1', 'a2', 'a3']);
      },
    );

    it('when an agent is invalid, then STORE_INVALID_RECORD and nothing is saved', async () => {
      await expect(store.saveAgent(agent(1, { timeZone: 'Mars/Olympus' }))).rejects.toMatchObject({
        code: 'STORE_INVALID_RECORD',
      });
      expect(await store.listAgents()).toEqual([]);
    });
  });

  describe('routing rules', () => {
    it('when rules are saved, then they are listed highest priority first, then oldest first, also after reopening', async () => {
      await store.saveRoutingRule(rule('r-low', 10, T0));
      await store.saveRoutingRule(rule('r-new', 200, T0 + 2));
      await store.saveRoutingRule(rule('r-old', 200, T0 + 1));
      await store.saveRoutingRule(rule('r-mid', 100, T0 - 5));

      await reopen();

      expect((await store.listRoutingRules()).map((r) => r.id)).toEqual([
        'r-old',
        'r-new',
        'r-mid',
        'r-low',
      ]);
      expect(await store.getRoutingRule('r-mid')).toEqual(rule('r-mid', 100, T0 - 5));
    });

    it('when a rule is deleted, then it is gone and deleting it again answers false', async () => {
      await store.saveRoutingRule(rule('r1', 10, T0));

      expect(await store.deleteRoutingRule('r1')).toBe(true);
      expect(await store.deleteRoutingRule('r1')).toBe(false);
      expect(await store.getRoutingRule('r1')).toBeUndefined();
      expect(await store.listRoutingRules()).toEqual([]);
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
    it('when a slot is held, then the decision saw the facts as stored and its meeting and rotation are stored as decided', async () => {
      await book('m0', 1, { visitorEmail: 'ada@example.com' });
      await hold('m1', { start: at('11:00'), agents: [2] });
      const before = await store.rotationState();
      const saw: HoldFacts[] = [];

      const second = await hold('m2', { visitorEmail: 'ada@example.com', saw: (f) => saw.push(f) });

      expect(saw).toEqual([
        {
          rotation: before,
          replay: undefined,
          upcomingForVisitor: 1,
          overlapping: new Set(['a1']),
        },
      ]);
      expect(second).toEqual({
        outcome: 'held',
        meeting: expect.objectContaining({
          id: 'm2',
          status: 'pending',
          agentId: 'a2',
          agentName: 'Agent 2',
          agentEmail: 'agent2@example.com',
          start: at('10:00'),
          end: at('10:30'),
          bufferAfterMs: 15 * MIN,
          provider: 'local',
          visitor: { email: 'ada@example.com' },
        }),
      });
      await reopen();
      expect(await store.getMeeting('m2')).toEqual(
        second.outcome === 'held' ? second.meeting : null,
      );
      expect(await store.rotationState()).toEqual(counted(before, 'a2'));
      expect(await store.routingState()).toEqual({
        lastAgentId: 'a2',
        pointers: {},
        totals: { a1: 1, a2: 2 },
      });
    });

    it('when the same idempotency key comes again, then the decision sees the first meeting as the replay and nothing changes, also after reopening', async () => {
      const first = await hold('m1', { key: 'visitor-key-1' });
      await reopen();
      const before = await snapshot();

      const again = await hold('m2', { key: 'visitor-key-1', start: at('11:00') });

      expect(again).toEqual({
        outcome: 'replayed',
        meeting: first.outcome === 'held' ? first.meeting : null,
      });
      expect(await snapshot()).toEqual(before);
      expect(await store.getMeeting('m2')).toBeUndefined();
    });

    it('when a decision stores a second meeting under a key already held, then MEETING_EXISTS (409) and nothing changes', async () => {
      await hold('m1', { key: 'visitor-key-1' });
      const before = await snapshot();

      await expect(
        store.holdMeeting({
          ...firstFree('m2', { key: 'visitor-key-1', start: at('11:00') }),
          idempotencyKey: 'another-key',
        }),
      ).rejects.toMatchObject({ code: 'MEETING_EXISTS', httpStatus: 409 });
      expect(await snapshot()).toEqual(before);
    });

    it('when the visitor has upcoming meetings, then the decision sees how many; cancelled and ended ones do not count', async () => {
      const visitor = { visitorEmail: 'ada@example.com' };
      await book('m1', 1, { ...visitor, start: at('09:00') });
      await book('m2', 2, { ...visitor, start: at('10:00') });
      await book('m3', 3, { ...visitor, start: at('11:00') });
      await store.updateMeeting(
        'm3',
        (current) => ({ meeting: { ...current, status: 'cancelled', updatedAt: T0 } }),
        T0,
      );
      await hold('m4', { visitorEmail: 'bob@example.com', start: at('12:00') });
      const seen: number[] = [];
      const see = (f: HoldFacts) => seen.push(f.upcomingForVisitor);

      const limited = await hold('m5', {
        ...visitor,
        start: at('13:00'),
        maxPerVisitor: 2,
        saw: see,
      });
      // At 09:40 the 09:00 meeting (ends 09:30) has ended: one upcoming left.
      await hold('m6', { ...visitor, start: at('13:00'), createdAt: at('09:40'), saw: see });

      expect(limited).toEqual({ outcome: 'visitor-limit' });
      expect(seen).toEqual([2, 1]);
      expect(await store.getMeeting('m5')).toBeUndefined();
    });

    it('when every candidate overlaps a meeting, then the decision sees them all as overlapping and nothing is stored', async () => {
      await book('m1', 1);
      await book('m2', 2, { start: at('09:45') });
      const before = await snapshot();

      const result = await hold('m3', { agents: [1, 2] });

      expect(result).toEqual({ outcome: 'taken', overlapping: ['a1', 'a2'] });
      expect(await snapshot()).toEqual(before);
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
      'when agent 1 has a meeting at 10:00 and a hold asks for %s, then the slot is %s (buffers on both sides), by the facts and by the insert',
      async (time, expected) => {
        await book('m1', 1);

        const inserted = await hold('m2', { agents: [1], start: at(time), blind: true }).then(
          () => 'free',
          (error: { code?: string }) => (error.code === 'SLOT_TAKEN' ? 'taken' : String(error)),
        );
        if (inserted === 'free') await store.releaseMeeting('m2', T0, (rotation) => rotation);
        const probed = await hold('m3', { agents: [1], start: at(time) });

        expect(inserted).toBe(expected);
        expect(probed.outcome === 'held' ? 'free' : 'taken').toBe(expected);
      },
    );

    it('when a decision stores a meeting over an active one of its agent, then SLOT_TAKEN (409) and neither meeting nor rotation is written', async () => {
      await book('m1', 1);
      const before = await snapshot();

      await expect(
        hold('m2', { agents: [1], start: at('10:15'), blind: true }),
      ).rejects.toMatchObject({
        code: 'SLOT_TAKEN',
        httpStatus: 409,
      });
      expect(await snapshot()).toEqual(before);
    });

    it('when a cancelled meeting held the slot, then it no longer blocks it', async () => {
      await book('m1', 1);
      await store.updateMeeting(
        'm1',
        (current) => ({
          meeting: { ...current, status: 'cancelled', updatedAt: T0 },
        }),
        T0,
      );

      expect(await heldAgent('m2', { agents: [1] })).toBe('a1');
      expect(await heldAgent('m3', { agents: [1], start: at('11:00'), blind: true })).toBe('a1');
    });

    it('when a meeting id is held twice, then MEETING_EXISTS (409) and the first stays', async () => {
      await hold('m1');

      await expect(hold('m1', { start: at('11:00') })).rejects.toMatchObject({
        code: 'MEETING_EXISTS',
        httpStatus: 409,
      });
      expect((await store.listMeetings()).map((m) => [m.id, m.start])).toEqual([
        ['m1', at('10:00')],
      ]);
    });

    it.each([
      ['the decision throws', { throws: true }],
      ['the decided meeting is invalid', { meeting: { status: 'lost' } }],
      ['the decided rotation is invalid', { rotation: { totals: { a1: -1 } } }],
    ])('when %s, then the hold is refused and nothing changes', async (_case, fault) => {
      await hold('m1');
      const before = await snapshot();
      const args = firstFree('m2', { start: at('11:00') });

      const faulty = store.holdMeeting({
        ...args,
        decide: (facts) => {
          if ('throws' in fault) throw new Error('refused by the decision');
          const decision = args.decide(facts);
          return {
            ...decision,
            ...('meeting' in fault ? { meeting: { ...decision.meeting!, ...fault.meeting } } : {}),
            ...('rotation' in fault ? { rotation: fault.rotation as RotationState } : {}),
          } as typeof decision;
        },
      });

      await expect(faulty).rejects.toMatchObject(
        'throws' in fault
          ? { message: 'refused by the decision' }
          : { code: 'STORE_INVALID_RECORD' },
      );
      await reopen();
      expect(await snapshot()).toEqual(before);
    });

    it('when a hold’s probes are invalid, then STORE_INVALID_RECORD and the decision is not asked', async () => {
      let asked = false;
      const args = firstFree('m1', { saw: () => (asked = true) });

      await expect(
        store.holdMeeting({ ...args, probes: [{ ...args.probes[0]!, start: Number.NaN }] }),
      ).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });
      expect(asked).toBe(false);
      expect(await store.listMeetings()).toEqual([]);
    });

    it('when 12 holds of one slot race over 3 agents, then each decision sees the holds before it: 3 are held, each by another agent, and 9 are taken', async () => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => hold(`m${i}`, { agents: [1, 2, 3] })),
      );

      const held = results.flatMap((r) => (r.outcome === 'held' ? [r.meeting.agentId] : []));
      expect(held.sort()).toEqual(['a1', 'a2', 'a3']);
      expect(results.filter((r) => r.outcome === 'taken')).toHaveLength(9);
      expect((await store.routingState()).totals).toEqual({ a1: 1, a2: 1, a3: 1 });
    });

    it('when 10 decisions race to store the same agent’s slot whatever the facts, then one is held and 9 get SLOT_TAKEN', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => hold(`m${i}`, { agents: [1], blind: true })),
      );

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
      expect(refused).toHaveLength(9);
      expect(refused.every((e) => (e as { code?: string }).code === 'SLOT_TAKEN')).toBe(true);
      expect(await store.listMeetings()).toHaveLength(1);
      expect((await store.routingState()).totals).toEqual({ a1: 1 });
    });
  });

  describe('releasing a hold', () => {
    it('when a pending hold is released, then the meeting is gone and the rotation is what giveBack makes of the rotation and the meeting', async () => {
      await hold('m1');
      const before = await snapshot();
      const held = await hold('m2', { start: at('11:00'), key: 'visitor-key-2' });
      const rotation = await store.rotationState();
      const given: Array<[RotationState, Meeting]> = [];

      const released = await store.releaseMeeting('m2', T0, (current, meeting) => {
        given.push([current, meeting]);
        return before.routing;
      });

      expect(released).toBe(true);
      expect(given).toEqual([[rotation, held.outcome === 'held' ? held.meeting : null]]);
      await reopen();
      expect(await store.getMeeting('m2')).toBeUndefined();
      expect(await snapshot()).toEqual(before);
    });

    it('when a booked meeting or an unknown id is released, then false, giveBack is not asked and nothing changes', async () => {
      await book('m1', 1);
      const before = await snapshot();
      let asked = 0;
      const giveBack = (rotation: RotationState) => {
        asked += 1;
        return rotation;
      };

      expect(await store.releaseMeeting('m1', T0, giveBack)).toBe(false);
      expect(await store.releaseMeeting('nope', T0, giveBack)).toBe(false);
      expect(asked).toBe(0);
      expect(await snapshot()).toEqual(before);
    });

    it.each([
      [
        'giveBack throws',
        () => {
          throw new Error('refused by giveBack');
        },
        { message: 'refused by giveBack' },
      ],
      [
        'giveBack makes an invalid rotation',
        () => ({ totals: { a1: -1 } }),
        { code: 'STORE_INVALID_RECORD' },
      ],
    ])(
      'when %s, then the release is refused and the hold stays',
      async (_case, giveBack, error) => {
        await hold('m1');
        const before = await snapshot();

        await expect(store.releaseMeeting('m1', T0, giveBack)).rejects.toMatchObject(error);

        expect(await snapshot()).toEqual(before);
      },
    );

    it('when a released hold’s key and manage token come again, then they belong to nobody and a new hold is made', async () => {
      await hold('m1', { key: 'visitor-key-1' });
      await store.releaseMeeting('m1', T0, (rotation) => rotation);

      expect(await store.findMeetingByManageTokenHash('hash-m1')).toBeUndefined();
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

      expect(await store.getMeeting('m1')).toEqual(updated);
      expect(updated).toMatchObject({ status: 'booked', providerEventId: 'event-1' });
      expect(await store.findOutboxItem('meeting:m1#1')).toMatchObject({
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
      [
        'the changed rotation is invalid',
        (current: Meeting) => ({
          meeting: booked(current),
          outbox: [{ kind: 'meeting-activity', dedupeKey: 'meeting:m1#1', payload: {} }],
          rotation: { totals: { a1: -1 } },
        }),
        { code: 'STORE_INVALID_RECORD' },
      ],
    ])('when %s, then the update is refused and nothing changes', async (_case, change, error) => {
      await hold('m1');
      const before = await snapshot();

      await expect(store.updateMeeting('m1', change, T0)).rejects.toMatchObject(error);

      await reopen();
      expect(await snapshot()).toEqual(before);
    });

    it('when a change asks with a probe, then its facts say whether the probe overlaps the agent’s other active meetings, not the excluded one', async () => {
      await book('m1', 1);
      await book('m2', 1, { start: at('11:00') });
      const seen: boolean[] = [];
      const probe = (time: string, extra: { agentId?: string; excludeId?: string } = {}) => ({
        agentId: 'a1',
        start: at(time),
        end: at(time) + 30 * MIN,
        bufferAfterMs: 15 * MIN,
        ...extra,
      });
      const look = (current: Meeting, facts: MeetingChangeFacts) => {
        seen.push(facts.overlaps);
        return { meeting: current };
      };

      await store.updateMeeting('m2', look, T0, { probe: probe('10:00', { excludeId: 'm2' }) });
      await store.updateMeeting('m2', look, T0, { probe: probe('11:00', { excludeId: 'm2' }) });
      await store.updateMeeting('m2', look, T0, { probe: probe('11:00') });
      await store.updateMeeting('m2', look, T0, { probe: probe('10:00', { agentId: 'a2' }) });
      await store.updateMeeting('m2', look, T0);

      expect(seen).toEqual([true, false, true, false, false]);
    });

    it('when a change sees the rotation and the routing settings, then the rotation it returns is written with the meeting', async () => {
      await store.saveRoutingSettings({ cancellationReturnsTurn: true });
      await hold('m1');
      const rotation = await store.rotationState();
      const seen: MeetingChangeFacts[] = [];

      await store.updateMeeting(
        'm1',
        (current, facts) => {
          seen.push(facts);
          return {
            meeting: { ...current, status: 'cancelled', updatedAt: T0 },
            rotation: { ...facts.rotation, totals: { a1: 0 } },
          };
        },
        T0,
      );
      await reopen();

      expect(seen).toEqual([
        { rotation, routingSettings: { cancellationReturnsTurn: true }, overlaps: false },
      ]);
      expect(await store.getMeeting('m1')).toMatchObject({ status: 'cancelled' });
      expect(await store.rotationState()).toEqual({ ...rotation, totals: { a1: 0 } });
    });

    it('when a change moves a meeting over another active meeting of its agent, then SLOT_TAKEN (409) and nothing changes', async () => {
      await book('m1', 1);
      await book('m2', 1, { start: at('11:00') });
      const before = await snapshot();
      const moveTo = (time: string) => (current: Meeting) => ({
        meeting: { ...current, start: at(time), end: at(time) + 30 * MIN, updatedAt: T0 },
        outbox: [{ kind: 'meeting-activity', dedupeKey: `moved:${time}`, payload: {} }],
        rotation: { totals: {} },
      });

      await expect(store.updateMeeting('m2', moveTo('10:30'), T0)).rejects.toMatchObject({
        code: 'SLOT_TAKEN',
        httpStatus: 409,
      });
      expect(await snapshot()).toEqual(before);
      // Moving within its own time, or to a free one, is no conflict.
      await store.updateMeeting('m2', moveTo('11:10'), T0);
      await store.updateMeeting('m2', moveTo('12:00'), T0);
      expect(await store.getMeeting('m2')).toMatchObject({ start: at('12:00') });
    });

    it('when a cancelled meeting is made active again over a meeting held since, then SLOT_TAKEN', async () => {
      await book('m1', 1);
      await store.updateMeeting(
        'm1',
        (current) => ({ meeting: { ...current, status: 'cancelled', updatedAt: T0 } }),
        T0,
      );
      await book('m2', 1);

      await expect(
        store.updateMeeting('m1', (current) => ({ meeting: booked(current) }), T0),
      ).rejects.toMatchObject({ code: 'SLOT_TAKEN' });
      expect(await store.getMeeting('m1')).toMatchObject({ status: 'cancelled' });
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
      await hold('m4', { agents: [2], start: at('13:00'), createdAt: T0 - MIN });
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
      async (_case, filter, expected) => {
        expect(ids(await store.listMeetings(filter))).toEqual(expected);
      },
    );

    it('when an agent’s meetings are read for a range, then only active ones overlapping it with their buffer come, by start', async () => {
      expect(ids(await store.agentMeetings('a1', at('09:00'), at('17:00')))).toEqual(['m1']);
      expect(ids(await store.agentMeetings('a2', at('09:00'), at('17:00')))).toEqual(['m2', 'm4']);
      // 11:00–11:30 is held until 11:45.
      expect(ids(await store.agentMeetings('a2', at('11:44'), at('12:00')))).toEqual(['m2']);
      expect(ids(await store.agentMeetings('a2', at('11:45'), at('12:00')))).toEqual([]);
      expect(ids(await store.agentMeetings('a2', at('10:00'), at('11:00')))).toEqual([]);
    });

    it('when an agent’s meeting times are read, then they are the times of the meetings agentMeetings answers, in its order', async () => {
      for (const [agent, from, to] of [
        ['a1', '09:00', '17:00'],
        ['a2', '09:00', '17:00'],
        ['a2', '11:44', '12:00'],
        ['a2', '11:45', '12:00'],
        ['a9', '09:00', '17:00'],
      ] as const) {
        const meetings = await store.agentMeetings(agent, at(from), at(to));
        expect(await store.agentMeetingTimes(agent, at(from), at(to))).toEqual(
          meetings.map((m) => ({
            id: m.id,
            start: m.start,
            end: m.end,
            bufferBeforeMs: m.bufferBeforeMs ?? 0,
            bufferAfterMs: m.bufferAfterMs,
          })),
        );
      }
    });

    it('when several agents’ meeting times are read at once, then each call gets its own agent’s, for its own range', async () => {
      const reads = await Promise.all([
        store.agentMeetingTimes('a2', at('09:00'), at('17:00')),
        store.agentMeetingTimes('a1', at('09:00'), at('17:00')),
        store.agentMeetingTimes('a9', at('09:00'), at('17:00')),
        store.agentMeetingTimes('a2', at('11:44'), at('12:00')),
        store.agentMeetingTimes('a2', at('09:00'), at('17:00')),
        store.agentMeetingTimes('a2', at('10:00'), at('11:00')),
      ]);
      expect(reads.map((times) => times.map((t) => t.id))).toEqual([
        ['m2', 'm4'],
        ['m1'],
        [],
        ['m2'],
        ['m2', 'm4'],
        [],
      ]);
      // Two calls for one agent and range get equal answers, not one shared array.
      expect(reads[4]).toEqual(reads[0]);
      expect(reads[4]).not.toBe(reads[0]);
    });

    it('when a meeting is looked up by its manage token hash, then it is found', async () => {
      expect((await store.findMeetingByManageTokenHash('hash-m2'))?.id).toBe('m2');
      expect(await store.findMeetingByManageTokenHash('hash-unknown')).toBeUndefined();
    });

    it('when due meetings are asked for, then pending ones count from creation and others from their end', async () => {
      expect(ids(await store.meetingsDue(['pending'], T0, 10))).toEqual(['m4']);
      expect(ids(await store.meetingsDue(['pending'], T0 - MIN, 10))).toEqual([]);
      expect(ids(await store.meetingsDue(['booked'], at('11:30') + 1, 10)).sort()).toEqual([
        'm1',
        'm2',
      ]);
      expect(ids(await store.meetingsDue(['booked'], at('11:30'), 10))).toEqual(['m1']);
      expect(await store.meetingsDue(['booked'], at('17:00'), 1)).toHaveLength(1);
    });
  });
});
