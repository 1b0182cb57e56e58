import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CalendarGrantError,
  CalendarProviderError,
  type CalendarAccess,
  type CalendarClient,
} from '../../src/calendar/calendar-types.js';
import { createLocalCalendar } from '../../src/calendar/local-calendar.js';
import { createTokenCipher, tokenContext } from '../../src/calendar/token-cipher.js';
import { createManualClock } from '../../src/deps.js';
import { AppError } from '../../src/errors.js';
import { bookMeeting, type BookingDeps } from '../../src/meetings/book-meeting.js';
import { bookingRequestSchema, type BookingRequest } from '../../src/meetings/booking-contract.js';
import {
  agentInputSchema,
  isActiveMeeting,
  type Agent,
  type AgentInput,
  type Meeting,
} from '../../src/records/meeting-contract.js';
import type { Store } from '../../src/store/index.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';
import { createBookingDeps } from '../helpers/booking-deps.js';

/**
 * Booking under load, end to end through bookMeeting with the local calendar, against every
 * store implementation: the store's atomic hold is what keeps agents from being double-booked,
 * whatever the interleaving of the availability checks. The clock is manual (Tuesday 12:00
 * UTC); every slot is on Wednesday 2026-11-25, inside the agents' 09:00–17:00 UTC hours.
 */

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const at = (hhmm: string): string => `2026-11-25T${hhmm}:00Z`;
const AGENT_IDS = ['a1', 'a2', 'a3', 'a4', 'a5'];
const cipher = createTokenCipher(Buffer.alloc(32, 7));
/** No caching: every availability check reads the calendar, so the tests see every call. */

function agentRecord(n: number, settings: Partial<AgentInput> = {}, extra: Partial<Agent> = {}) {
  const agent: Agent = {
    ...agentInputSchema.parse({ name: `Agent ${n}`, email: `agent${n}@example.com`, ...settings }),
    id: `a${n}`,
    calendar: { provider: 'local', status: 'connected' },
    createdAt: NOW,
    updatedAt: NOW,
    ...extra,
  };
  return agent;
}

/** A Google agent whose refresh token is sealed as the OAuth callback would seal it. */
function googleAgent(n: number): Agent {
  const sealed = cipher.encrypt(`refresh-a${n}`, tokenContext(`a${n}`, 'google'));
  return agentRecord(
    n,
    {},
    {
      calendar: { provider: 'google', status: 'connected', encryptedRefreshToken: sealed },
    },
  );
}

const request = (start: string, visitor: string | number, extra: Record<string, unknown> = {}) =>
  bookingRequestSchema.parse({
    start,
    email: `visitor-${visitor}@example.com`,
    idempotencyKey: `booking-key-${visitor}`,
    ...extra,
  });

const describeError = (error: unknown): string =>
  error instanceof AppError ? `${error.code}/${error.httpStatus}/${error.field}` : String(error);

function settle<T>(results: Array<PromiseSettledResult<T>>) {
  const fulfilled: T[] = [];
  const rejected: string[] = [];
  for (const result of results) {
    if (result.status === 'fulfilled') fulfilled.push(result.value);
    else rejected.push(describeError(result.reason));
  }
  return { fulfilled, rejected };
}

/** Pairs of one agent's active meetings that overlap once each is extended by its buffer. */
function overlappingPairs(meetings: readonly Meeting[]): string[] {
  const active = meetings.filter(isActiveMeeting);
  const pairs: string[] = [];
  for (const [i, a] of active.entries()) {
    for (const b of active.slice(i + 1)) {
      if (
        a.agentId === b.agentId &&
        a.start < b.end + b.bufferAfterMs &&
        b.start < a.end + a.bufferAfterMs
      ) {
        pairs.push(`${a.agentId}: ${a.id} and ${b.id}`);
      }
    }
  }
  return pairs;
}

const countBy = (meetings: readonly Meeting[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const m of meetings) counts[m.agentId] = (counts[m.agentId] ?? 0) + 1;
  return counts;
};

/** Totals without agents at zero (a released hold leaves a 0 behind; it counts nothing). */
const nonZero = (totals: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(totals).filter(([, count]) => count !== 0));

describe.each(storeImplementations)('booking under concurrency: $kind store', (impl) => {
  let data: StoreTestData;
  let store: Store;
  let clock: ReturnType<typeof createManualClock>;

  beforeEach(async () => {
    data = await impl.createData();
    store = await data.open();
    clock = createManualClock(NOW);
  });

  afterEach(async () => {
    await data.remove();
  });

  async function addAgents(agents: Agent[]): Promise<void> {
    for (const agent of agents) await store.saveAgent(agent);
  }

  const depsWith = (clients: { local?: CalendarClient; google?: CalendarClient } = {}) =>
    createBookingDeps({ store, clock, cipher, clients });

  const bookAll = (deps: BookingDeps, requests: BookingRequest[]) =>
    Promise.allSettled(requests.map((r) => bookMeeting(deps, r)));

  it('when 120 visitors book one slot at once with 5 agents, then 5 get it, one per agent, and 115 get SLOT_TAKEN', async () => {
    await addAgents([1, 2, 3, 4, 5].map((n) => agentRecord(n)));
    const deps = depsWith();
    const slot = Date.parse(at('10:00'));

    const results = await bookAll(
      deps,
      Array.from({ length: 120 }, (_, i) => request(at('10:00'), i)),
    );

    const { fulfilled, rejected } = settle(results);
    expect(fulfilled.map((r) => r.meeting.agentId).sort()).toEqual(AGENT_IDS);
    expect(fulfilled.every((r) => !r.replayed && r.meeting.status === 'booked')).toBe(true);
    expect(rejected).toEqual(Array<string>(115).fill('SLOT_TAKEN/409/start'));

    const stored = await store.listMeetings();
    expect(stored.filter(isActiveMeeting)).toHaveLength(5);
    expect(
      countBy(await store.listMeetings({ from: slot, to: slot + 1, status: 'booked' })),
    ).toEqual({
      a1: 1,
      a2: 1,
      a3: 1,
      a4: 1,
      a5: 1,
    });
    expect(overlappingPairs(stored)).toEqual([]);
    expect((await store.routingState()).totals).toEqual({ a1: 1, a2: 1, a3: 1, a4: 1, a5: 1 });
    // Each booking's Marketo activity and its agent's email; nothing for the refused ones.
    expect((await store.listOutbox()).map((item) => item.dedupeKey).sort()).toEqual(
      fulfilled
        .flatMap((r) => [`meeting:${r.meeting.id}#1`, `notify:agent-booked:${r.meeting.id}#2`])
        .sort(),
    );
  });

  it('when 126 visitors book overlapping 45-minute slots at once, then no agent is double-booked (buffers included) and totals match the meetings', async () => {
    await addAgents(
      [1, 2, 3, 4, 5].map((n) => agentRecord(n, { meetingMinutes: 45, bufferAfterMinutes: 15 })),
    );
    const deps = depsWith();
    // 45-minute meetings sit on a 15-minute grid: each start overlaps the next three.
    const starts = ['10:00', '10:15', '10:30', '10:45', '11:00', '11:15', '11:30'].map(at);
    const requests = Array.from({ length: 126 }, (_, i) => request(starts[i % starts.length]!, i));

    const results = await bookAll(deps, requests);

    const { fulfilled, rejected } = settle(results);
    const stored = await store.listMeetings();
    expect(overlappingPairs(stored)).toEqual([]);
    expect(new Set(rejected)).toEqual(new Set(['SLOT_TAKEN/409/start']));
    expect(fulfilled.length).toBeGreaterThan(5);
    for (const { meeting } of fulfilled) {
      expect(await store.getMeeting(meeting.id)).toMatchObject({
        status: 'booked',
        agentId: meeting.agentId,
        start: meeting.start,
        end: meeting.start + 45 * MIN,
        bufferAfterMs: 15 * MIN,
      });
    }
    // Nothing else is held: no pending hold was left behind by a refused booking.
    expect(stored.map((m) => m.id).sort()).toEqual(fulfilled.map((r) => r.meeting.id).sort());
    expect(nonZero((await store.routingState()).totals)).toEqual(countBy(stored));
    // A visitor was refused only when every agent really was taken at that time.
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') continue;
      const start = Date.parse(requests[i]!.start);
      const booked = await Promise.all(
        AGENT_IDS.map((id) => store.agentMeetings(id, start, start + 60 * MIN)),
      );
      const free = AGENT_IDS.filter((_id, at) => booked[at]!.length === 0);
      expect(free, `refused at ${requests[i]!.start}`).toEqual([]);
    }
  });

  it('when one idempotency key is sent 20 times at once, then one meeting is made and every call gets it or BOOKING_IN_PROGRESS', async () => {
    await addAgents([1, 2, 3, 4, 5].map((n) => agentRecord(n)));
    const deps = depsWith();
    const same = request(at('10:00'), 'repeat');

    const results = await bookAll(deps, Array<BookingRequest>(20).fill(same));

    const { fulfilled, rejected } = settle(results);
    const stored = await store.listMeetings();
    expect(stored).toHaveLength(1);
    const [meeting] = stored;
    expect(meeting).toMatchObject({ status: 'booked', idempotencyKey: same.idempotencyKey });
    expect(fulfilled.length).toBeGreaterThanOrEqual(1);
    expect(fulfilled.map((r) => r.meeting)).toEqual(
      Array<Meeting>(fulfilled.length).fill(meeting!),
    );
    expect(fulfilled.filter((r) => !r.replayed)).toHaveLength(1);
    expect(rejected).toEqual(
      Array<string>(rejected.length).fill('BOOKING_IN_PROGRESS/409/idempotencyKey'),
    );
    expect((await store.routingState()).totals).toEqual({ a1: 1 });

    expect(await bookMeeting(deps, same)).toEqual({ meeting, replayed: true });
    const moved = { ...same, start: at('11:00') };
    await expect(bookMeeting(deps, moved)).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      httpStatus: 422,
      field: 'idempotencyKey',
    });
    expect(await store.listMeetings()).toEqual([meeting]);
    expect((await store.routingState()).totals).toEqual({ a1: 1 });
  });

  it('when every agent is booked at the slot, then a retry with the same key still returns the visitor’s meeting', async () => {
    await addAgents([1, 2].map((n) => agentRecord(n)));
    const deps = depsWith();
    const first = await bookMeeting(deps, request(at('10:00'), 1));
    await bookMeeting(deps, request(at('10:00'), 2));

    const retry = await bookMeeting(deps, request(at('10:00'), 1));

    expect(retry).toEqual({ meeting: first.meeting, replayed: true });
    expect(await store.listMeetings()).toHaveLength(2);
    expect((await store.routingState()).totals).toEqual({ a1: 1, a2: 1 });
  });

  it('when the calendar fails to create the event, then 503 CALENDAR_PROVIDER_UNAVAILABLE and the hold, turn and total are given back', async () => {
    await addAgents([1, 2, 3].map((n) => agentRecord(n)));
    const local = createLocalCalendar({ clock });
    let failing = false;
    const flaky: CalendarClient = {
      ...local,
      createEvent: (access, event) =>
        failing
          ? Promise.reject(
              new CalendarProviderError('local', 'the service answered 503', { status: 503 }),
            )
          : local.createEvent(access, event),
    };
    const deps = depsWith({ local: flaky });
    await bookMeeting(deps, request(at('10:00'), 1));
    const before = {
      meetings: await store.listMeetings(),
      outbox: await store.listOutbox(),
      routing: await store.routingState(),
    };

    failing = true;
    await expect(bookMeeting(deps, request(at('10:00'), 2))).rejects.toMatchObject({
      code: 'CALENDAR_PROVIDER_UNAVAILABLE',
      httpStatus: 503,
      retryable: true,
    });

    expect(await store.listMeetings()).toEqual(before.meetings);
    expect(await store.listOutbox()).toEqual(before.outbox);
    const routing = await store.routingState();
    expect(routing.lastAgentId).toBe(before.routing.lastAgentId);
    expect(routing.pointers).toEqual(before.routing.pointers);
    expect(nonZero(routing.totals)).toEqual(before.routing.totals);

    failing = false;
    const next = await bookMeeting(deps, request(at('10:00'), 2));
    expect(next.meeting.agentId).toBe('a2');
  });

  it.each(['createEvent', 'getBusy'] as const)(
    'when agent 1’s Google grant is revoked (%s), then the booking goes to agent 2, agent 1 is disconnected with a reason and skipped afterwards',
    async (failingCall) => {
      await addAgents([googleAgent(1), ...[2, 3, 4, 5].map((n) => agentRecord(n))]);
      const calls: Array<{ call: string; refreshToken: string }> = [];
      const revoked = () =>
        new CalendarGrantError('google', 'invalid_grant: Token has been expired or revoked.');
      const google: CalendarClient = {
        kind: 'google',
        getBusy: (access: CalendarAccess) => {
          calls.push({ call: 'getBusy', refreshToken: access.refreshToken });
          return failingCall === 'getBusy' ? Promise.reject(revoked()) : Promise.resolve([]);
        },
        createEvent: (access, event) => {
          calls.push({ call: 'createEvent', refreshToken: access.refreshToken });
          return failingCall === 'createEvent'
            ? Promise.reject(revoked())
            : Promise.resolve({ eventId: `g-${event.meetingId}` });
        },
        updateEvent: () => Promise.reject(new Error('not expected')),
        cancelEvent: () => Promise.reject(new Error('not expected')),
      };
      const deps = depsWith({ google });

      const booked = await bookMeeting(deps, request(at('10:00'), 1));

      expect(booked.meeting.agentId).toBe('a2');
      expect(booked.meeting.routing.skipped).toEqual([{ agentId: 'a1', reason: 'disconnected' }]);
      expect(calls.map((c) => c.call)).toContain(failingCall);
      expect(new Set(calls.map((c) => c.refreshToken))).toEqual(new Set(['refresh-a1']));
      expect((await store.getAgent('a1'))?.calendar).toMatchObject({
        provider: 'google',
        status: 'disconnected',
        disconnectedAt: NOW,
        disconnectedReason: expect.stringContaining('invalid_grant'),
      });
      expect((await store.listMeetings()).map((m) => m.agentId)).toEqual(['a2']);
      expect(nonZero((await store.routingState()).totals)).toEqual({ a2: 1 });

      const callsBefore = calls.length;
      const later: string[] = [];
      for (const [i, hhmm] of ['11:00', '12:00', '13:00', '14:00', '15:00'].entries()) {
        later.push((await bookMeeting(deps, request(at(hhmm), 10 + i))).meeting.agentId);
      }
      expect(later).toEqual(['a3', 'a4', 'a5', 'a2', 'a3']);
      expect(calls).toHaveLength(callsBefore);
    },
  );
});
