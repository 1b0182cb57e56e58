import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTokenCipher } from '../../src/calendar/token-cipher.js';
import { createManualClock } from '../../src/deps.js';
import { AppError } from '../../src/errors.js';
import { bookMeeting } from '../../src/meetings/book-meeting.js';
import { bookingRequestSchema } from '../../src/meetings/booking-contract.js';
import {
  agentInputSchema,
  isActiveMeeting,
  WEEKDAYS,
  type Agent,
  type AgentInput,
} from '../../src/records/meeting-contract.js';
import type { Store } from '../../src/store/index.js';
import { createBookingDeps } from '../helpers/booking-deps.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

/**
 * Caps under concurrency, end to end through bookMeeting on every store: the count of an
 * agent's meetings that day and week is read under the same lock as the hold that prevents
 * double booking (meetings/hold-decision.ts), so concurrent bookings can never pass a cap.
 * Wednesday 2026-11-25, agents working all day in UTC, 30-minute meetings.
 */

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const WEDNESDAY = Date.UTC(2026, 10, 25, 0, 0, 0);
const cipher = createTokenCipher(Buffer.alloc(32, 5));

function agentRecord(n: number, settings: Partial<AgentInput>): Agent {
  return {
    ...agentInputSchema.parse({
      name: `Agent ${n}`,
      email: `agent${n}@example.com`,
      availability: WEEKDAYS.map((day) => ({ day, start: '00:00', end: '24:00' })),
      minimumNoticeMinutes: 0,
      ...settings,
    }),
    id: `a${n}`,
    calendar: { provider: 'local', status: 'connected' },
    createdAt: NOW,
    updatedAt: NOW,
  };
}

describe.each(storeImplementations)('caps under concurrency: $kind store', (impl) => {
  let data: StoreTestData;
  let store: Store;

  beforeEach(async () => {
    data = await impl.createData();
    store = await data.open();
  });

  afterEach(() => data.remove());

  it('when 100 visitors book at once and the caps allow 12 meetings that day, then exactly 12 are booked, none past a cap, and 88 get SLOT_TAKEN', async () => {
    await store.saveAgent(agentRecord(1, { maxMeetingsPerDay: 3 }));
    await store.saveAgent(agentRecord(2, { maxMeetingsPerDay: 5, weight: 2 }));
    await store.saveAgent(agentRecord(3, { maxMeetingsPerWeek: 4 }));
    const deps = createBookingDeps({ store, clock: createManualClock(NOW), cipher });
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, n) =>
        bookMeeting(
          deps,
          bookingRequestSchema.parse({
            // 40 half-hour slots from 02:00: several visitors per slot, all on Wednesday.
            start: new Date(WEDNESDAY + (120 + (n % 40) * 30) * MIN).toISOString(),
            email: `visitor-${n}@example.com`,
            idempotencyKey: `caps-key-${n}`,
          }),
        ),
      ),
    );
    const refused = results.flatMap((r) =>
      r.status === 'rejected'
        ? [r.reason instanceof AppError ? r.reason.code : String(r.reason)]
        : [],
    );
    expect(refused).toEqual(Array<string>(88).fill('SLOT_TAKEN'));
    const meetings = (await store.listMeetings()).filter(isActiveMeeting);
    const per = (agentId: string) => meetings.filter((m) => m.agentId === agentId).length;
    expect([per('a1'), per('a2'), per('a3')]).toEqual([3, 5, 4]);
    expect(
      await store.countMeetings(
        ['a1', 'a2', 'a3'].map((agentId) => ({
          agentId,
          from: WEDNESDAY,
          to: WEDNESDAY + 24 * 60 * MIN,
        })),
      ),
    ).toEqual([3, 5, 4]);
  });
});
