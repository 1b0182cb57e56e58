import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { createTokenCipher } from '../../src/calendar/token-cipher.js';
import { createManualClock } from '../../src/deps.js';
import { AppError } from '../../src/errors.js';
import { bookMeeting } from '../../src/meetings/book-meeting.js';
import { bookingRequestSchema } from '../../src/meetings/booking-contract.js';
import { holdMeetingArgs } from '../../src/meetings/hold-decision.js';
import {
  agentInputSchema,
  isActiveMeeting,
  WEEKDAYS,
  type Agent,
  type Meeting,
} from '../../src/records/meeting-contract.js';
import type { HoldCandidate } from '../../src/routing/hold-pick.js';
import { walkRotation } from '../../src/routing/weighted-rotation.js';
import { createMemoryStore, type LowdbStore } from '../../src/store/index.js';
import { createBookingDeps } from '../helpers/booking-deps.js';

/**
 * The weighted rotation over many bookings (issue 11 item 7), seeded so a failure replays:
 *
 * - with everyone free, each agent's count after t turns is within one meeting of t·w/W at
 *   EVERY t (floor ≤ count ≤ ceil), from a fresh rotation: through the pure walk with weights up
 *   to 100, and through the store's hold;
 * - equal weights (any) are strict round robin: with agents unavailable at random, each turn
 *   goes to the first free agent after the last one assigned;
 * - through bookMeeting, a capped agent is never assigned past a cap, in their own time zone's
 *   day and week (Monday first), and a booking is refused only when nobody could take it;
 * - through bookMeeting, an agent out of office is never assigned a meeting overlapping it,
 *   keeps their place (with equal weights the turn after an absence is strict round robin's),
 *   and with weights is never passed over for long: free for 2W bookings in a row, they get one.
 */

const SEED = 20261124;
const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const cipher = createTokenCipher(Buffer.alloc(32, 11));
const agentId = (i: number) => `a${i + 1}`;

/** Floor and ceiling of each agent's ideal share after each turn hold the count. */
function expectWithinOne(picked: readonly string[], weights: ReadonlyMap<string, number>): void {
  const total = [...weights.values()].reduce((a, b) => a + b, 0);
  const counts = new Map<string, number>();
  picked.forEach((id, index) => {
    counts.set(id, (counts.get(id) ?? 0) + 1);
    const t = index + 1;
    for (const [agent, w] of weights) {
      const ideal = (t * w) / total;
      const count = counts.get(agent) ?? 0;
      if (count < Math.floor(ideal) || count > Math.ceil(ideal)) {
        throw new Error(`after ${t} turns ${agent} (weight ${w}) has ${count}, ideal ${ideal}`);
      }
    }
  });
}

const weightsArb = (max: number) =>
  fc
    .array(fc.integer({ min: 0, max }), { minLength: 1, maxLength: 7 })
    .filter((ws) => ws.some((w) => w > 0));

describe('weighted rotation: shares', () => {
  it('when everyone is free, then after every turn each agent is within one meeting of their weighted share (pure walk, weights up to 100)', () => {
    fc.assert(
      fc.property(weightsArb(100), fc.integer({ min: 1, max: 3 }), (weights, cycles) => {
        const members = weights.map((weight, i) => ({ id: agentId(i), weight }));
        const total = weights.reduce((a, b) => a + b, 0);
        let pointer = {};
        let seats: Record<string, number> | undefined;
        const picked: string[] = [];
        for (let n = 0; n < Math.min(cycles * total, 600); n += 1) {
          const walk = walkRotation({ members, pointer, seats, unavailable: () => undefined });
          picked.push(walk.picked!);
          pointer = { agentId: walk.picked };
          seats = walk.seats;
        }
        expectWithinOne(picked, new Map(members.map((m) => [m.id, m.weight])));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('when everyone is free, then bookings held through the store follow the weights within one meeting at every prefix', async () => {
    await fc.assert(
      fc.asyncProperty(
        weightsArb(5),
        fc.integer({ min: 1, max: 40 }),
        async (weights, bookings) => {
          const store = createMemoryStore();
          const candidates = weights.map((weight, i) => candidate(i, weight));
          const picked: string[] = [];
          for (let n = 0; n < bookings; n += 1) {
            const held = await hold(store, candidates, n, NOW + (n + 1) * HOUR);
            if (held === undefined) throw new Error(`booking ${n} not held`);
            picked.push(held);
          }
          await store.close();
          expectWithinOne(picked, new Map(weights.map((w, i) => [agentId(i), w])));
          for (const [i, w] of weights.entries())
            if (w === 0) expect(picked).not.toContain(agentId(i));
        },
      ),
      { seed: SEED, numRuns: 120 },
    );
  });

  it('when every weight is the same, then with agents unavailable at random each turn goes to the first free agent after the last one assigned (strict round robin)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 6 }).chain((n) =>
          fc.record({
            weight: fc.integer({ min: 1, max: 4 }),
            steps: fc.array(fc.array(fc.boolean(), { minLength: n, maxLength: n }), {
              minLength: 1,
              maxLength: 25,
            }),
          }),
        ),
        async ({ weight, steps }) => {
          const store = createMemoryStore();
          const picked: Array<string | undefined> = [];
          for (const [n, free] of steps.entries()) {
            const candidates = free.map((ok, i) => candidate(i, weight, ok));
            picked.push(await hold(store, candidates, n, NOW + (n + 1) * HOUR));
          }
          await store.close();
          expect(picked).toEqual(strictRoundRobin(steps));
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });
});

function candidate(i: number, weight: number, eligible = true): HoldCandidate {
  return {
    id: agentId(i),
    name: `Agent ${i + 1}`,
    email: `agent${i + 1}@example.com`,
    bufferAfterMs: 0,
    durationMs: 30 * MIN,
    provider: 'local',
    eligible,
    ...(eligible ? {} : { reason: 'busy' }),
    weight,
  };
}

async function hold(
  store: LowdbStore,
  candidates: HoldCandidate[],
  n: number,
  start: number,
): Promise<string | undefined> {
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
  return result.outcome === 'held' ? result.meeting.agentId : undefined;
}

/** Strict round robin written out: the first free agent after the last one assigned. */
function strictRoundRobin(steps: readonly boolean[][]): Array<string | undefined> {
  let last: number | undefined;
  return steps.map((free) => {
    const from = last === undefined ? 0 : last + 1;
    for (let step = 0; step < free.length; step += 1) {
      const i = (from + step) % free.length;
      if (free[i]) {
        last = i;
        return agentId(i);
      }
    }
    return undefined;
  });
}

/* Through bookMeeting: caps and out of office ---------------------------------------------- */

const ZONES = ['UTC', 'America/Los_Angeles', 'Asia/Tokyo', 'Europe/Berlin'];
/** Bookable slots: on the hour, from 1 to 240 hours after now (ten days, two ISO weeks). */
const SLOT_HOURS = 240;

interface AgentSetup {
  weight: number;
  zone: string;
  daily: number | null;
  weekly: number | null;
  away: ReadonlyArray<{ start: number; end: number }>;
}

function agentOf(i: number, setup: AgentSetup): Agent {
  return {
    ...agentInputSchema.parse({
      name: `Agent ${i + 1}`,
      email: `agent${i + 1}@example.com`,
      timeZone: setup.zone,
      availability: WEEKDAYS.map((day) => ({ day, start: '00:00', end: '24:00' })),
      meetingMinutes: 30,
      minimumNoticeMinutes: 0,
      weight: setup.weight,
      maxMeetingsPerDay: setup.daily,
      maxMeetingsPerWeek: setup.weekly,
      outOfOffice: [...setup.away],
    }),
    id: agentId(i),
    calendar: { provider: 'local', status: 'connected' },
    createdAt: NOW,
    updatedAt: NOW,
  };
}

const awayArb = fc.array(
  fc
    .record({
      from: fc.integer({ min: 0, max: SLOT_HOURS }),
      hours: fc.integer({ min: 1, max: 72 }),
    })
    .map(({ from, hours }) => ({ start: NOW + from * HOUR, end: NOW + (from + hours) * HOUR })),
  { maxLength: 2 },
);

function setupArb(options: { caps: boolean; away: boolean; weights: 'equal' | 'any' }) {
  return fc.integer({ min: 2, max: 4 }).chain((n) =>
    fc.record({
      agents: fc.array(
        fc.record({
          weight: options.weights === 'equal' ? fc.constant(1) : fc.integer({ min: 0, max: 3 }),
          zone: fc.constantFrom(...ZONES),
          daily: options.caps ? fc.option(fc.integer({ min: 1, max: 3 })) : fc.constant(null),
          weekly: options.caps ? fc.option(fc.integer({ min: 1, max: 6 })) : fc.constant(null),
          away: options.away ? awayArb : fc.constant([]),
        }),
        { minLength: n, maxLength: n },
      ),
      slots: fc.array(fc.integer({ min: 1, max: SLOT_HOURS }), { minLength: 1, maxLength: 30 }),
    }),
  );
}

interface Booked {
  start: number;
  /** Who could take it, by the rules written out here (weight > 0, not booked, away or capped). */
  free: string[];
  assigned: string | undefined;
}

async function runBookings(setup: { agents: AgentSetup[]; slots: number[] }): Promise<Booked[]> {
  const store = createMemoryStore();
  const agents = setup.agents.map((a, i) => agentOf(i, a));
  for (const agent of agents) await store.saveAgent(agent);
  const deps = createBookingDeps({ store, clock: createManualClock(NOW), cipher });
  const out: Booked[] = [];
  for (const [n, hours] of setup.slots.entries()) {
    const start = NOW + hours * HOUR;
    const meetings = (await store.listMeetings()).filter(isActiveMeeting);
    const free = agents.filter((a) => canTake(a, start, meetings)).map((a) => a.id);
    const request = bookingRequestSchema.parse({
      start: new Date(start).toISOString(),
      email: `visitor${n}@example.com`,
    });
    const assigned = await bookMeeting(deps, request).then(
      ({ meeting }) => meeting.agentId,
      (error: unknown) => {
        if (error instanceof AppError && error.code === 'SLOT_TAKEN') return undefined;
        throw error;
      },
    );
    out.push({ start, free, assigned });
  }
  const all = await store.listMeetings();
  for (const agent of agents) expectWithinCaps(agent, all);
  await store.close();
  return out;
}

/** The rules written out: weight above 0, no meeting then, not away, below both caps. */
function canTake(agent: Agent, start: number, meetings: readonly Meeting[]): boolean {
  const end = start + 30 * MIN;
  if (agent.weight === 0) return false;
  const mine = meetings.filter((m) => m.agentId === agent.id);
  if (mine.some((m) => m.start < end && start < m.end)) return false;
  if ((agent.outOfOffice ?? []).some((p) => p.start < end && start < p.end)) return false;
  const local = DateTime.fromMillis(start, { zone: agent.timeZone });
  const sameDay = mine.filter((m) => sameLocal(agent, m.start, local, 'day')).length;
  const sameWeek = mine.filter((m) => sameLocal(agent, m.start, local, 'week')).length;
  return (
    sameDay < (agent.maxMeetingsPerDay ?? Infinity) &&
    sameWeek < (agent.maxMeetingsPerWeek ?? Infinity)
  );
}

function sameLocal(agent: Agent, at: number, local: DateTime, unit: 'day' | 'week'): boolean {
  return DateTime.fromMillis(at, { zone: agent.timeZone }).hasSame(local, unit);
}

function expectWithinCaps(agent: Agent, meetings: readonly Meeting[]): void {
  const mine = meetings.filter((m) => m.agentId === agent.id && m.status !== 'cancelled');
  const per = (unit: 'day' | 'week') => {
    const counts = new Map<string, number>();
    for (const m of mine) {
      const key = DateTime.fromMillis(m.start, { zone: agent.timeZone }).startOf(unit).toISO()!;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return Math.max(0, ...counts.values());
  };
  expect(per('day')).toBeLessThanOrEqual(agent.maxMeetingsPerDay ?? Infinity);
  expect(per('week')).toBeLessThanOrEqual(agent.maxMeetingsPerWeek ?? Infinity);
}

describe('weighted rotation through bookMeeting: caps and out of office', () => {
  it('when agents have daily and weekly caps in their own time zones, then no agent is ever assigned past a cap, and a booking is refused only when nobody can take it', async () => {
    await fc.assert(
      fc.asyncProperty(setupArb({ caps: true, away: false, weights: 'any' }), async (setup) => {
        for (const { free, assigned } of await runBookings(setup)) {
          if (assigned === undefined) expect(free).toEqual([]);
          else expect(free).toContain(assigned);
        }
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('when agents are out of office at random with equal weights, then nobody is assigned while away and each turn is strict round robin’s (the absent keep their place)', async () => {
    await fc.assert(
      fc.asyncProperty(setupArb({ caps: false, away: true, weights: 'equal' }), async (setup) => {
        const booked = await runBookings(setup);
        const ids = setup.agents.map((_a, i) => agentId(i));
        const steps = booked.map(({ free }) => ids.map((id) => free.includes(id)));
        expect(booked.map((b) => b.assigned)).toEqual(strictRoundRobin(steps));
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('when weighted agents are out of office and capped at random, then nobody is assigned while away or past a cap, and an agent free for 2W bookings in a row gets one of them', async () => {
    await fc.assert(
      fc.asyncProperty(setupArb({ caps: true, away: true, weights: 'any' }), async (setup) => {
        const booked = await runBookings(setup);
        for (const { free, assigned } of booked) {
          if (assigned === undefined) expect(free).toEqual([]);
          else expect(free).toContain(assigned);
        }
        const total = setup.agents.reduce((sum, a) => sum + a.weight, 0);
        for (const [i, a] of setup.agents.entries()) {
          if (a.weight === 0) continue;
          const id = agentId(i);
          for (let from = 0; from + 2 * total <= booked.length; from += 1) {
            const window = booked.slice(from, from + 2 * total);
            if (window.every((b) => b.free.includes(id))) {
              expect(window.some((b) => b.assigned === id)).toBe(true);
            }
          }
        }
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});
