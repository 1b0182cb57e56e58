import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokenCipher } from '../../src/calendar/token-cipher.js';
import { createManualClock } from '../../src/deps.js';
import { AppError } from '../../src/errors.js';
import { bookMeeting } from '../../src/meetings/book-meeting.js';
import { bookingRequestSchema } from '../../src/meetings/booking-contract.js';
import {
  agentInputSchema,
  isActiveMeeting,
  type Agent,
  type Meeting,
} from '../../src/records/meeting-contract.js';
import type { Store } from '../../src/store/index.js';
import { createBookingDeps } from '../helpers/booking-deps.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

/**
 * Meeting types and both buffers under load, on every store: 120 visitors book 15-minute
 * intros and 45-minute demos at overlapping times at once, with agents who keep 10 minutes
 * before and 5 after each meeting. No agent may hold two meetings whose times with their
 * buffers meet, each meeting is its type's length, and a visitor is refused only when every
 * agent was taken then. Wednesday 2026-11-25, UTC agents 09:00-17:00; now is Tuesday noon.
 */

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const TYPES = [
  { id: 'intro', name: 'Intro', minutes: 15 },
  { id: 'demo', name: 'Demo', minutes: 45 },
];
const AGENT_IDS = ['a1', 'a2', 'a3', 'a4', 'a5'];

const agentRecord = (n: number): Agent => ({
  ...agentInputSchema.parse({
    name: `Agent ${n}`,
    email: `agent${n}@example.com`,
    bufferBeforeMinutes: 10,
    bufferAfterMinutes: 5,
    meetingTypes: TYPES,
  }),
  id: `a${n}`,
  calendar: { provider: 'local', status: 'connected' },
  createdAt: NOW,
  updatedAt: NOW,
});

/** What a meeting holds: its time widened by its own buffers. */
const held = (m: Pick<Meeting, 'start' | 'end' | 'bufferAfterMs' | 'bufferBeforeMs'>) => ({
  from: m.start - (m.bufferBeforeMs ?? 0),
  until: m.end + m.bufferAfterMs,
});

function overlappingPairs(meetings: readonly Meeting[]): string[] {
  const active = meetings.filter(isActiveMeeting);
  const pairs: string[] = [];
  for (const [i, a] of active.entries()) {
    for (const b of active.slice(i + 1)) {
      const [x, y] = [held(a), held(b)];
      if (a.agentId === b.agentId && x.from < y.until && y.from < x.until) {
        pairs.push(`${a.agentId}: ${a.id} and ${b.id}`);
      }
    }
  }
  return pairs;
}

describe.each(storeImplementations)(
  'typed bookings with buffers under concurrency: $kind',
  (impl) => {
    let data: StoreTestData;
    let store: Store;

    beforeEach(async () => {
      data = await impl.createData();
      store = await data.open();
    });

    afterEach(() => data.remove());

    it('when 120 visitors book intros and demos at overlapping times at once, then no agent’s meetings meet with their buffers, each is its type’s length, and refusals are real', async () => {
      for (const n of [1, 2, 3, 4, 5]) await store.saveAgent(agentRecord(n));
      const deps = createBookingDeps({
        store,
        clock: createManualClock(NOW),
        cipher: createTokenCipher(Buffer.alloc(32, 7)),
      });
      const starts = ['10:00', '10:15', '10:30', '10:45', '11:00', '11:15'];
      const requests = Array.from({ length: 120 }, (_, i) =>
        bookingRequestSchema.parse({
          start: `2026-11-25T${starts[i % starts.length]}:00Z`,
          email: `visitor-${i}@example.com`,
          idempotencyKey: `typed-key-${i}`,
          meetingType: TYPES[i % 2]!.id,
        }),
      );

      const results = await Promise.allSettled(requests.map((r) => bookMeeting(deps, r)));

      const stored = await store.listMeetings();
      expect(overlappingPairs(stored)).toEqual([]);
      const booked = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.meeting] : []));
      expect(booked.length).toBeGreaterThan(5);
      expect(stored.map((m) => m.id).sort()).toEqual(booked.map((m) => m.id).sort());
      for (const meeting of stored) {
        const type = TYPES.find((t) => t.id === meeting.meetingType?.id)!;
        expect(meeting.end - meeting.start).toBe(type.minutes * MIN);
        expect(meeting).toMatchObject({ bufferBeforeMs: 10 * MIN, bufferAfterMs: 5 * MIN });
      }
      for (const [i, result] of results.entries()) {
        if (result.status === 'fulfilled') continue;
        const reason = result.reason as AppError;
        expect(reason.code).toBe('SLOT_TAKEN');
        // Every agent held something that meets the refused request's time with its buffers.
        const start = Date.parse(requests[i]!.start);
        const wanted = {
          from: start - 10 * MIN,
          until: start + TYPES[i % 2]!.minutes * MIN + 5 * MIN,
        };
        for (const agentId of AGENT_IDS) {
          const theirs = stored.filter((m) => m.agentId === agentId).map(held);
          expect(
            theirs.some((h) => h.from < wanted.until && wanted.from < h.until),
            `${agentId} free for request ${i}`,
          ).toBe(true);
        }
      }
    });
  },
);
