import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Meeting } from '../../src/records/meeting-contract.js';
import type { HoldMeetingArgs, SlotProbe } from '../../src/store/meeting-store-types.js';
import type { Store } from '../../src/store/index.js';
import { at, counted, MIN, pendingMeeting, T0 } from '../helpers/store-decisions.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

/**
 * Meetings marked `reassigning` (a reschedule giving the meeting to another agent; the mark
 * stays when a crash interrupts the move): the store keeps the mark as written, drops it when
 * a write leaves it out, and `meetingsReassigning` finds the marks older than a time, oldest
 * first, at most a limit, on every store (PostgreSQL through the partial index of migration 7).
 */

const probe = (agentId: string, time: string): SlotProbe => ({
  agentId,
  start: at(time),
  end: at(time) + 30 * MIN,
  bufferAfterMs: 0,
});

function hold(id: string, agentId: string, time: string): HoldMeetingArgs<null> {
  const p = probe(agentId, time);
  return {
    visitorEmail: `visitor-${id}@example.com`,
    now: T0,
    probes: [p],
    decide: (facts) => ({
      result: null,
      meeting: { ...pendingMeeting(id, p), status: 'booked' },
      rotation: counted(facts.rotation, agentId),
    }),
  };
}

/** The mark a move at `since` from agent a1 (its event evt-<id>) leaves. */
const marked = (current: Meeting, since: number): Meeting => ({
  ...current,
  agentId: 'a2',
  reassigning: {
    since,
    from: {
      status: 'booked',
      agentId: current.agentId,
      agentName: current.agentName,
      agentEmail: current.agentEmail,
      start: current.start,
      end: current.end,
      bufferAfterMs: current.bufferAfterMs,
      provider: 'google',
      providerEventId: `evt-${current.id}`,
      routing: current.routing,
    },
  },
  updatedAt: since,
});

describe.each(storeImplementations)('meetings store contract, reassigning: $kind', (impl) => {
  let data: StoreTestData;
  let store: Store;

  beforeEach(async () => {
    data = await impl.createData();
    store = await data.open();
    for (const [id, time] of [
      ['m1', '09:00'],
      ['m2', '10:00'],
      ['m3', '11:00'],
      ['m4', '12:00'],
    ] as const) {
      await store.holdMeeting(hold(id, 'a1', time));
    }
  });

  afterEach(() => data.remove());

  const ids = (meetings: Meeting[]) => meetings.map((m) => m.id);
  const mark = (id: string, since: number) =>
    store.updateMeeting(id, (current) => ({ meeting: marked(current, since) }), since);

  it('when meetings are marked, then the mark is kept as written, also after reopening', async () => {
    const written = await mark('m2', T0 + MIN);
    store = await data.reopen(store);

    const stored = await store.getMeeting('m2');
    expect(stored?.reassigning).toEqual(written.reassigning);
    expect(stored?.reassigning?.from).toMatchObject({ agentId: 'a1', providerEventId: 'evt-m2' });
  });

  it('when marks of several ages are asked for, then those before the time come, oldest first, at most the limit', async () => {
    await mark('m3', T0 + 3 * MIN);
    await mark('m1', T0 + 1 * MIN);
    await mark('m4', T0 + 2 * MIN);

    expect(ids(await store.meetingsReassigning(T0 + 10 * MIN, 10))).toEqual(['m1', 'm4', 'm3']);
    expect(ids(await store.meetingsReassigning(T0 + 3 * MIN, 10))).toEqual(['m1', 'm4']);
    expect(ids(await store.meetingsReassigning(T0 + MIN, 10))).toEqual([]);
    expect(ids(await store.meetingsReassigning(T0 + 10 * MIN, 2))).toEqual(['m1', 'm4']);
  });

  it('when a write leaves the mark out, then the meeting is no longer found, also after reopening', async () => {
    await mark('m1', T0 + MIN);
    await mark('m2', T0 + MIN);
    await store.updateMeeting(
      'm1',
      (current) => {
        const { reassigning: _done, ...meeting } = current;
        return { meeting };
      },
      T0 + 2 * MIN,
    );
    store = await data.reopen(store);

    expect((await store.getMeeting('m1'))?.reassigning).toBeUndefined();
    expect(ids(await store.meetingsReassigning(T0 + 10 * MIN, 10))).toEqual(['m2']);
  });
});
