import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Meeting } from '../../src/records/meeting-contract.js';
import type {
  HoldMeetingArgs,
  MeetingCountQuery,
  SlotProbe,
} from '../../src/store/meeting-store-types.js';
import type { Store } from '../../src/store/index.js';
import { at, counted, MIN, pendingMeeting, T0 } from '../helpers/store-decisions.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

/**
 * Two store facts of issue 11 on every store: the account list (replaced whole, read in upload
 * order, refused whole when invalid), and the count of an agent's meetings in a time range
 * (not cancelled, one excluded), answered by itself and under a hold's or a change's lock, so
 * caps of meetings a day or a week can be decided there (routing/agent-limits.ts).
 */

const DAY = { from: at('00:00'), to: at('00:00') + 24 * 60 * MIN };

const probe = (agentId: string, time: string): SlotProbe => ({
  agentId,
  start: at(time),
  end: at(time) + 30 * MIN,
  bufferAfterMs: 0,
});

/** Stores the probe's meeting whatever the facts say, and answers the counts it saw. */
function holdCounting(
  id: string,
  where: SlotProbe,
  counts: MeetingCountQuery[] = [],
): HoldMeetingArgs<readonly number[] | undefined> {
  return {
    visitorEmail: `visitor-${id}@example.com`,
    now: T0,
    probes: [where],
    ...(counts.length === 0 ? {} : { counts }),
    decide: (facts) => ({
      result: facts.counts,
      meeting: pendingMeeting(id, where),
      rotation: counted(facts.rotation, where.agentId),
    }),
  };
}

const withStatus = (status: Meeting['status']) => (current: Meeting) => ({
  meeting: { ...current, status, updatedAt: current.updatedAt + 1 },
});

describe.each(storeImplementations)('account list and meeting counts contract: $kind', (impl) => {
  let data: StoreTestData;
  let store: Store;

  beforeEach(async () => {
    data = await impl.createData();
    store = await data.open();
  });

  afterEach(() => data.remove());

  describe('the account list', () => {
    it('when nothing was uploaded, then the list is empty', async () => {
      expect(await store.listAccountRoutes()).toEqual([]);
    });

    it('when a list is uploaded, then it is read in its order, also after reopening', async () => {
      const routes = [
        { match: 'zeta.com', agentId: 'a2' },
        { match: '2024', agentId: 'a1' },
        { match: 'acme corporation', agentId: 'a1' },
      ];
      await store.replaceAccountRoutes(routes);
      expect(await store.listAccountRoutes()).toEqual(routes);
      store = await data.reopen(store);
      expect(await store.listAccountRoutes()).toEqual(routes);
    });

    it('when another list is uploaded, then it replaces the first whole; an empty one clears it', async () => {
      await store.replaceAccountRoutes([
        { match: 'acme.com', agentId: 'a1' },
        { match: 'globex.com', agentId: 'a2' },
      ]);
      await store.replaceAccountRoutes([{ match: 'acme.com', agentId: 'a3' }]);
      expect(await store.listAccountRoutes()).toEqual([{ match: 'acme.com', agentId: 'a3' }]);
      await store.replaceAccountRoutes([]);
      expect(await store.listAccountRoutes()).toEqual([]);
    });

    it.each([
      [
        'a match listed twice',
        [
          { match: 'acme.com', agentId: 'a1' },
          { match: 'acme.com', agentId: 'a2' },
        ],
      ],
      ['a match not normalised', [{ match: 'Acme.com', agentId: 'a1' }]],
      ['a bad domain', [{ match: 'acme..com', agentId: 'a1' }]],
      ['an empty agent', [{ match: 'acme.com', agentId: '' }]],
    ])(
      'when the list holds %s, then STORE_INVALID_RECORD and the old list stays',
      async (_what, routes) => {
        const kept = [{ match: 'kept.com', agentId: 'a1' }];
        await store.replaceAccountRoutes(kept);
        await expect(store.replaceAccountRoutes(routes)).rejects.toMatchObject({
          code: 'STORE_INVALID_RECORD',
        });
        expect(await store.listAccountRoutes()).toEqual(kept);
      },
    );

    it('when two lists are uploaded at once, then one of them is read after, whole', async () => {
      const first = Array.from({ length: 50 }, (_, i) => ({
        match: `first${i}.com`,
        agentId: 'a1',
      }));
      const second = Array.from({ length: 50 }, (_, i) => ({
        match: `second${i}.com`,
        agentId: 'a2',
      }));
      await Promise.all([store.replaceAccountRoutes(first), store.replaceAccountRoutes(second)]);
      expect([first, second]).toContainEqual(await store.listAccountRoutes());
    });
  });

  describe('counting meetings', () => {
    it('when meetings are held, booked, completed, no-show and cancelled, then the count is of those not cancelled that start in the range, less the one excluded', async () => {
      await store.holdMeeting(holdCounting('m1', probe('a1', '09:00')));
      await store.holdMeeting(holdCounting('m2', probe('a1', '10:00')));
      await store.holdMeeting(holdCounting('m3', probe('a1', '11:00')));
      await store.holdMeeting(holdCounting('m4', probe('a1', '12:00')));
      await store.holdMeeting(holdCounting('m5', probe('a2', '09:00')));
      await store.updateMeeting('m2', withStatus('booked'), T0);
      await store.updateMeeting('m3', withStatus('completed'), T0);
      await store.updateMeeting('m4', withStatus('cancelled'), T0);
      const a1 = { agentId: 'a1', ...DAY };
      expect(
        await store.countMeetings([
          a1,
          { ...a1, excludeId: 'm1' },
          { ...a1, from: at('10:00') },
          { ...a1, to: at('10:00') },
          { agentId: 'a2', ...DAY },
          { agentId: 'a9', ...DAY },
        ]),
      ).toEqual([3, 2, 2, 1, 1, 0]);
      expect(await store.countMeetings([])).toEqual([]);
    });

    it('when a hold asks for counts, then its decision sees them as they are under the lock, in order', async () => {
      const a1 = { agentId: 'a1', ...DAY };
      expect(await store.holdMeeting(holdCounting('m1', probe('a1', '09:00'), [a1]))).toEqual([0]);
      expect(
        await store.holdMeeting(
          holdCounting('m2', probe('a1', '10:00'), [a1, { agentId: 'a2', ...DAY }, a1]),
        ),
      ).toEqual([1, 0, 1]);
      expect(await store.holdMeeting(holdCounting('m3', probe('a2', '10:00')))).toBeUndefined();
    });

    it('when a meeting change asks for counts, then its change sees them', async () => {
      await store.holdMeeting(holdCounting('m1', probe('a1', '09:00')));
      await store.holdMeeting(holdCounting('m2', probe('a1', '10:00')));
      let seen: readonly number[] | undefined;
      await store.updateMeeting(
        'm1',
        (current, facts) => {
          seen = facts.counts;
          return { meeting: current };
        },
        T0,
        { counts: [{ agentId: 'a1', ...DAY, excludeId: 'm1' }] },
      );
      expect(seen).toEqual([1]);
    });

    it('when 12 holds race, each storing its meeting only below a cap of 5 counted under the lock, then exactly 5 are stored', async () => {
      const cap = { agentId: 'a1', ...DAY };
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, n) =>
          store.holdMeeting<boolean>({
            visitorEmail: `visitor-${n}@example.com`,
            now: T0,
            probes: [],
            counts: [cap],
            decide: (facts) =>
              (facts.counts?.[0] ?? 0) >= 5
                ? { result: false }
                : {
                    result: true,
                    meeting: pendingMeeting(
                      `m${n}`,
                      probe('a1', `${String(8 + n).padStart(2, '0')}:00`),
                    ),
                  },
          }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(5);
      expect(await store.countMeetings([cap])).toEqual([5]);
    });

    it('when a count query is invalid, then STORE_INVALID_RECORD', async () => {
      await expect(
        store.countMeetings([{ agentId: 'a1', from: 'x' as unknown as number, to: 1 }]),
      ).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });
    });
  });
});
