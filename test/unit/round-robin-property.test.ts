import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalendarClient } from '../../src/calendar/calendar-types.js';
import { createTokenCipher, tokenContext } from '../../src/calendar/token-cipher.js';
import { createManualClock } from '../../src/deps.js';
import { AppError } from '../../src/errors.js';
import { bookMeeting, type BookingDeps } from '../../src/meetings/book-meeting.js';
import { bookingRequestSchema } from '../../src/meetings/booking-contract.js';
import { agentInputSchema, type Agent } from '../../src/records/meeting-contract.js';
import { holdMeetingArgs } from '../../src/meetings/hold-decision.js';
import type { HoldCandidate } from '../../src/routing/hold-pick.js';
import { createMemoryStore, type LowdbStore } from '../../src/store/index.js';
import { createBookingDeps } from '../helpers/booking-deps.js';

/**
 * Strict round robin over random sequences of bookings, each with a random set of agents
 * unavailable, driven two ways: the store's holdMeeting (the eligible flags given directly) and
 * bookMeeting (a fake Google calendar whose busy times block the chosen agents). The clock is
 * manual (Tuesday 12:00 UTC); slots are on the hour from Wednesday 10:00 UTC, 30 minutes with a
 * 15-minute buffer, so two meetings conflict only when they share a slot.
 */

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
/** Slot n: Wednesday 10:00, 11:00, … 15:00, then Thursday and Friday the same. */
const SLOTS = 18;
const slotStart = (slot: number): number =>
  Date.UTC(2026, 10, 25 + Math.floor(slot / 6), 10 + (slot % 6), 0, 0);
const cipher = createTokenCipher(Buffer.alloc(32, 3));

interface Step {
  /** Per agent, in rotation order: free per hours and calendar (the store adds its own check). */
  available: boolean[];
  slot: number;
}
interface Scenario {
  agents: number;
  steps: Step[];
}

/**
 * Some agents' calendars are never busy (so that agents free for every booking exist in most
 * runs), the others are busy at random. Bookings draw from as few as one slot (agents' own
 * meetings collide often) to all of them; with `distinctSlots` each booking has a slot of its
 * own, so only the calendars make agents unavailable.
 */
function scenarioArb(options: { distinctSlots: boolean }): fc.Arbitrary<Scenario> {
  return fc
    .record({ agents: fc.integer({ min: 2, max: 7 }), slots: fc.integer({ min: 1, max: SLOTS }) })
    .chain(({ agents, slots }) =>
      fc.record({
        agents: fc.constant(agents),
        neverBusy: fc.array(fc.boolean(), { minLength: agents, maxLength: agents }),
        steps: fc.array(
          fc.record({
            available: fc.array(fc.boolean(), { minLength: agents, maxLength: agents }),
            slot: fc.integer({ min: 0, max: slots - 1 }),
          }),
          { minLength: 1, maxLength: options.distinctSlots ? SLOTS : 25 },
        ),
      }),
    )
    .map(({ agents, neverBusy, steps }) => ({
      agents,
      steps: steps.map(({ available, slot }, n) => ({
        slot: options.distinctSlots ? n : slot,
        available: available.map((free, i) => free || neverBusy[i]!),
      })),
    }));
}

/** What happened at one booking: who could really take it, and who got it. */
interface Turn {
  free: string[];
  assigned: string | undefined;
}

const agentId = (index: number) => `a${index + 1}`;

function agentRecord(index: number, provider: 'local' | 'google'): Agent {
  const id = agentId(index);
  return {
    ...agentInputSchema.parse({
      name: `Agent ${index + 1}`,
      email: `agent${index + 1}@example.com`,
      meetingMinutes: 30,
      bufferAfterMinutes: 15,
    }),
    id,
    calendar:
      provider === 'local'
        ? { provider, status: 'connected' }
        : {
            provider,
            status: 'connected',
            encryptedRefreshToken: cipher.encrypt(`refresh-${id}`, tokenContext(id, provider)),
          },
    createdAt: NOW,
    updatedAt: NOW,
  };
}

/** Agents with no active meeting in the way of a 30-minute meeting at `start` (with buffers). */
async function unbooked(store: LowdbStore, ids: string[], start: number): Promise<string[]> {
  const meetings = await Promise.all(
    ids.map((id) => store.agentMeetings(id, start, start + 45 * MIN)),
  );
  return ids.filter((_id, i) => meetings[i]!.length === 0);
}

/** Drives the store's hold directly (meetings' decision, routing's pick): mode rotation, pool default. */
async function runHolds(scenario: Scenario): Promise<Turn[]> {
  const store = createMemoryStore();
  const ids = Array.from({ length: scenario.agents }, (_, i) => agentId(i));
  const turns: Turn[] = [];
  for (const [n, step] of scenario.steps.entries()) {
    const start = slotStart(step.slot);
    const candidates: HoldCandidate[] = ids.map((id, i) => ({
      id,
      name: `Agent ${i + 1}`,
      email: `agent${i + 1}@example.com`,
      bufferAfterMs: 15 * MIN,
      durationMs: 30 * MIN,
      provider: 'local',
      eligible: step.available[i]!,
      ...(step.available[i] ? {} : { reason: 'busy' }),
    }));
    const free = (await unbooked(store, ids, start)).filter(
      (id) => step.available[ids.indexOf(id)],
    );
    const result = await store.holdMeeting(
      holdMeetingArgs({
        mode: 'rotation',
        pool: 'default',
        now: NOW,
        candidates,
        meeting: {
          id: `m-${n}`,
          status: 'pending',
          start,
          visitor: { email: `visitor${n}@example.com` },
          routing: { rule: 'round-robin', pool: 'default', skipped: [] },
          manageTokenHash: `hash-${n}`,
          history: [{ status: 'pending', at: NOW, by: 'visitor' }],
          createdAt: NOW,
          updatedAt: NOW,
        },
      }),
    );
    turns.push({ free, assigned: result.outcome === 'held' ? result.meeting.agentId : undefined });
  }
  await store.close();
  return turns;
}

/** Drives bookMeeting with a Google calendar that is busy at the slot for unavailable agents. */
async function runBookings(scenario: Scenario): Promise<Turn[]> {
  const store = createMemoryStore();
  const clock = createManualClock(NOW);
  const ids = Array.from({ length: scenario.agents }, (_, i) => agentId(i));
  for (const [i] of ids.entries()) await store.saveAgent(agentRecord(i, 'google'));
  let busy: { agents: Set<string>; start: number } = { agents: new Set(), start: 0 };
  const google: CalendarClient = {
    kind: 'google',
    getBusy: (access) =>
      Promise.resolve(
        busy.agents.has(access.agentId) ? [{ start: busy.start, end: busy.start + 30 * MIN }] : [],
      ),
    createEvent: (_access, event) => Promise.resolve({ eventId: `g-${event.meetingId}` }),
    updateEvent: () => Promise.reject(new Error('not expected')),
    cancelEvent: () => Promise.reject(new Error('not expected')),
  };
  const deps = bookingDeps(store, clock, { google });
  const turns: Turn[] = [];
  for (const [n, step] of scenario.steps.entries()) {
    const start = slotStart(step.slot);
    busy = { agents: new Set(ids.filter((_, i) => !step.available[i])), start };
    const free = (await unbooked(store, ids, start)).filter((id) => !busy.agents.has(id));
    const request = bookingRequestSchema.parse({
      start: new Date(start).toISOString(),
      email: `visitor${n}@example.com`,
      idempotencyKey: `booking-key-${n}`,
    });
    const assigned = await bookMeeting(deps, request).then(
      ({ meeting }) => meeting.agentId,
      (error: unknown) => {
        if (error instanceof AppError && error.code === 'SLOT_TAKEN') return undefined;
        throw error;
      },
    );
    turns.push({ free, assigned });
  }
  await store.close();
  return turns;
}

function bookingDeps(
  store: LowdbStore,
  clock: ReturnType<typeof createManualClock>,
  clients: { google?: CalendarClient } = {},
): BookingDeps {
  return createBookingDeps({ store, clock, cipher, clients });
}

/** The rotation's rule, written out: the first free agent after the last one assigned. */
function expectedAssignees(agents: number, turns: readonly Turn[]): Array<string | undefined> {
  let last: number | undefined;
  return turns.map(({ free }) => {
    const from = last === undefined ? 0 : last + 1;
    for (let step = 0; step < agents; step += 1) {
      const index = (from + step) % agents;
      if (free.includes(agentId(index))) {
        last = index;
        return agentId(index);
      }
    }
    return undefined;
  });
}

/** The largest gap in assignment counts among `agents`, after each booking. */
function spreadAfterEachStep(turns: readonly Turn[], agents: readonly string[]): number[] {
  const counts = new Map(agents.map((id) => [id, 0]));
  return turns.map(({ assigned }) => {
    if (assigned !== undefined && counts.has(assigned))
      counts.set(assigned, counts.get(assigned)! + 1);
    const values = [...counts.values()];
    return values.length === 0 ? 0 : Math.max(...values) - Math.min(...values);
  });
}

const drivers = [
  { name: 'the store’s holdMeeting', run: runHolds, numRuns: 300 },
  { name: 'bookMeeting', run: runBookings, numRuns: 60 },
];

describe.each(drivers)('strict round robin through $name', ({ run, numRuns }) => {
  it('when agents are unavailable at random, then an unavailable agent is never assigned and a free one always is', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ distinctSlots: false }), async (scenario) => {
        const turns = await run(scenario);
        for (const { free, assigned } of turns) {
          if (assigned === undefined) expect(free).toEqual([]);
          else expect(free).toContain(assigned);
        }
      }),
      { numRuns },
    );
  });

  it('when agents are unavailable at random, then agents free for every booking never differ by more than one assignment', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ distinctSlots: true }), async (scenario) => {
        const turns = await run(scenario);
        const all = Array.from({ length: scenario.agents }, (_, i) => agentId(i));
        const alwaysFree = all.filter((id) => turns.every(({ free }) => free.includes(id)));
        for (const spread of spreadAfterEachStep(turns, alwaysFree)) {
          expect(spread).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns },
    );
  });

  it('when agents are unavailable at random, then each booking goes to the first free agent after the last one assigned', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb({ distinctSlots: false }), async (scenario) => {
        const turns = await run(scenario);
        expect(turns.map((t) => t.assigned)).toEqual(expectedAssignees(scenario.agents, turns));
      }),
      { numRuns },
    );
  });

  it('when every agent is free for every booking, then assignments cycle 1, 2, …, n, 1, …', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 7 }),
        fc.integer({ min: 1, max: 18 }),
        async (agents, bookings) => {
          // A slot of its own per booking: no agent's earlier meeting is ever in the way.
          const steps = Array.from({ length: bookings }, (_, slot) => ({
            slot,
            available: Array<boolean>(agents).fill(true),
          }));
          const turns = await run({ agents, steps });
          expect(turns.map((t) => t.assigned)).toEqual(steps.map((_, n) => agentId(n % agents)));
        },
      ),
      { numRuns: Math.ceil(numRuns / 3) },
    );
  });

  it('when five agents are free and agent three took the last meeting, then agent four gets the next, then five, then one', async () => {
    const free = Array<boolean>(5).fill(true);
    const turns = await run({
      agents: 5,
      steps: [0, 1, 2, 3, 4, 5].map((slot) => ({ slot, available: free })),
    });

    expect(turns.slice(0, 3).map((t) => t.assigned)).toEqual(['a1', 'a2', 'a3']);
    expect(turns.slice(3).map((t) => t.assigned)).toEqual(['a4', 'a5', 'a1']);
  });

  it('when agent four is busy after agent three took the last meeting, then agent five gets it and the turn after goes to one', async () => {
    const free = Array<boolean>(5).fill(true);
    const fourBusy = [true, true, true, false, true];
    const turns = await run({
      agents: 5,
      steps: [
        { slot: 0, available: free },
        { slot: 1, available: free },
        { slot: 2, available: free },
        { slot: 3, available: fourBusy },
        { slot: 4, available: free },
      ],
    });

    expect(turns.map((t) => t.assigned)).toEqual(['a1', 'a2', 'a3', 'a5', 'a1']);
  });
});
