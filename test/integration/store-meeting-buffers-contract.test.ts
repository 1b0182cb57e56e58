import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Meeting } from '../../src/records/meeting-contract.js';
import type {
  HoldMeetingArgs,
  MeetingChangeFacts,
  SlotProbe,
} from '../../src/store/meeting-store-types.js';
import type { Store } from '../../src/store/index.js';
import { at, counted, MIN, pendingMeeting, T0 } from '../helpers/store-decisions.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

/**
 * The store's overlap rule with a buffer before (meeting-store-types.ts HoldFacts): a meeting
 * holds [start - bufferBeforeMs, end + bufferAfterMs), on every store; PostgreSQL's exclusion
 * constraint (migration 5) compares the same range. And a change's `probes` (a reassignment's
 * candidates) are answered like a hold's.
 */

const probeAt = (
  agentId: string,
  time: string,
  buffers: { before?: number; after?: number } = {},
  minutes = 30,
): SlotProbe => ({
  agentId,
  start: at(time),
  end: at(time) + minutes * MIN,
  bufferAfterMs: (buffers.after ?? 0) * MIN,
  ...(buffers.before === undefined ? {} : { bufferBeforeMs: buffers.before * MIN }),
});

/** A hold that stores `probe` as the meeting whatever the facts say, and reports them. */
function holdBlind(
  id: string,
  probe: SlotProbe,
  saw: string[] = [],
): HoldMeetingArgs<{ overlapping: string[] }> {
  return {
    visitorEmail: `visitor-${id}@example.com`,
    now: T0,
    probes: [probe],
    decide: (facts) => {
      saw.push(...facts.overlapping);
      const meeting: Meeting = {
        ...pendingMeeting(id, probe),
        ...(probe.bufferBeforeMs === undefined ? {} : { bufferBeforeMs: probe.bufferBeforeMs }),
      };
      return {
        result: { overlapping: [...facts.overlapping] },
        meeting,
        rotation: counted(facts.rotation, probe.agentId),
      };
    },
  };
}

/** A hold that only reads the facts: which of `probes` overlap. */
function overlapsOf(probes: SlotProbe[]): HoldMeetingArgs<string[]> {
  return {
    visitorEmail: 'reader@example.com',
    now: T0,
    probes,
    decide: (facts) => ({ result: [...facts.overlapping].sort() }),
  };
}

describe.each(storeImplementations)('meetings store contract, buffers before: $kind', (impl) => {
  let data: StoreTestData;
  let store: Store;

  beforeEach(async () => {
    data = await impl.createData();
    store = await data.open();
  });

  afterEach(() => data.remove());

  it('when a meeting holds 15 minutes before it, then a probe ending inside that buffer overlaps and one ending at its edge does not, also after reopening', async () => {
    // 10:00-10:30 with 15 minutes before: it holds 09:45-10:30.
    await store.holdMeeting(holdBlind('m1', probeAt('a1', '10:00', { before: 15 })));
    store = await data.reopen(store);

    expect((await store.getMeeting('m1'))?.bufferBeforeMs).toBe(15 * MIN);
    // 09:20-09:50 ends inside the buffer; 09:15-09:45 ends at its edge; 10:30 starts at its end.
    const answer = await store.holdMeeting(
      overlapsOf([probeAt('a1', '09:20'), probeAt('a2', '09:20')]),
    );
    expect(answer).toEqual(['a1']);
    expect(await store.holdMeeting(overlapsOf([probeAt('a1', '09:15')]))).toEqual([]);
    expect(await store.holdMeeting(overlapsOf([probeAt('a1', '10:30')]))).toEqual([]);
    // The probe's own buffer before reaches back into the meeting.
    expect(await store.holdMeeting(overlapsOf([probeAt('a1', '10:40', { before: 15 })]))).toEqual([
      'a1',
    ]);
  });

  it('when a meeting is stored over another’s buffer before, then SLOT_TAKEN (409) and only the first is stored', async () => {
    await store.holdMeeting(holdBlind('m1', probeAt('a1', '10:00', { before: 20 })));

    // 09:15-09:45 with 0 buffers meets 09:40-10:30 (m1 with its buffer before).
    await expect(store.holdMeeting(holdBlind('m2', probeAt('a1', '09:15')))).rejects.toMatchObject({
      code: 'SLOT_TAKEN',
      httpStatus: 409,
    });
    // Its buffer after reaching m1's buffer before is an overlap too.
    await expect(
      store.holdMeeting(holdBlind('m3', probeAt('a1', '09:00', { after: 15 }))),
    ).rejects.toMatchObject({ code: 'SLOT_TAKEN' });
    await store.holdMeeting(holdBlind('m4', probeAt('a1', '09:00', { after: 10 })));

    expect((await store.listMeetings()).map((m) => m.id).sort()).toEqual(['m1', 'm4']);
  });

  it('when a meeting stored without a buffer before is read, then it has none and holds from its start', async () => {
    await store.holdMeeting(holdBlind('m1', probeAt('a1', '10:00', { after: 15 })));

    const meeting = await store.getMeeting('m1');
    expect(meeting).not.toHaveProperty('bufferBeforeMs');
    expect(await store.holdMeeting(overlapsOf([probeAt('a1', '09:30')]))).toEqual([]);
    expect(await store.holdMeeting(overlapsOf([probeAt('a1', '09:31')]))).toEqual(['a1']);
  });

  it('when an agent’s meetings are read for a range, then one whose buffer before reaches into it comes', async () => {
    await store.holdMeeting(holdBlind('m1', probeAt('a1', '10:00', { before: 30 })));

    expect((await store.agentMeetings('a1', at('09:00'), at('09:31'))).map((m) => m.id)).toEqual([
      'm1',
    ]);
    expect(await store.agentMeetings('a1', at('09:00'), at('09:30'))).toEqual([]);
  });

  it('when a change asks with probes, then its facts list the agents whose probe overlaps another active meeting, not the excluded one; without probes there is no list', async () => {
    await store.holdMeeting(holdBlind('m1', probeAt('a1', '10:00')));
    await store.holdMeeting(holdBlind('m2', probeAt('a2', '11:00', { before: 30 })));
    const seen: Array<MeetingChangeFacts['overlapping']> = [];
    const look = (current: Meeting, facts: MeetingChangeFacts) => {
      seen.push(facts.overlapping);
      return { meeting: current };
    };

    await store.updateMeeting('m1', look, T0, {
      probes: [
        { ...probeAt('a1', '10:00'), excludeId: 'm1' },
        probeAt('a2', '10:15'),
        probeAt('a3', '10:00'),
      ],
    });
    await store.updateMeeting('m1', look, T0, { probes: [probeAt('a1', '10:00')] });
    await store.updateMeeting('m1', look, T0);

    expect(seen.map((set) => (set === undefined ? undefined : [...set].sort()))).toEqual([
      ['a2'],
      ['a1'],
      undefined,
    ]);
  });

  it('when a change’s probes are invalid, then STORE_INVALID_RECORD and the change is not asked', async () => {
    await store.holdMeeting(holdBlind('m1', probeAt('a1', '10:00')));
    let asked = false;

    await expect(
      store.updateMeeting(
        'm1',
        (current) => {
          asked = true;
          return { meeting: current };
        },
        T0,
        { probes: [{ ...probeAt('a1', '10:00'), bufferBeforeMs: -1 }] },
      ),
    ).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });
    expect(asked).toBe(false);
  });
});
