import { describe, expect, it } from 'vitest';
import type { ActivityPage, LeadActivity } from '../../src/clients/marketo/types.js';
import { createManualClock } from '../../src/deps.js';
import {
  createActivityFinder,
  type ActivityLookup,
} from '../../src/marketo-activities/activity-finder.js';
import { OutboxHandlerError } from '../../src/outbox/outbox-handler.js';

const TYPE = 100_001;

/** An activity of ours, as Get Lead Activities returns it: the event key in an attribute. */
const activity = (leadId: number, eventKey: string, typeId = TYPE): LeadActivity => ({
  id: `${leadId}-${eventKey}`,
  leadId,
  activityDate: '2026-12-07T10:00:00Z',
  activityAt: Date.parse('2026-12-07T10:00:00Z'),
  activityTypeId: typeId,
  attributes: [{ name: 'Event Id', apiName: 'eventId', value: eventKey }],
});

/**
 * A Marketo whose activity stream is `pages` (each the matches of 300 activities read), with
 * every request recorded; `failAt` fails that page's call.
 */
function fakeMarketo(pages: LeadActivity[][], options: { failAt?: number } = {}) {
  const tokens: Date[] = [];
  const requests: Array<{ nextPageToken: string; activityTypeIds: number[]; leadIds?: number[] }> =
    [];
  return {
    tokens,
    requests,
    marketo: {
      getPagingToken: async (since: Date) => {
        tokens.push(since);
        return 'page-0';
      },
      getLeadActivities: async (args: {
        nextPageToken: string;
        activityTypeIds: number[];
        leadIds?: number[];
      }): Promise<ActivityPage<LeadActivity>> => {
        requests.push(args);
        const at = Number(args.nextPageToken.slice('page-'.length));
        if (at === options.failAt) throw new Error('Marketo away');
        const ids = args.leadIds === undefined ? undefined : new Set(args.leadIds);
        const items = (pages[at] ?? []).filter(
          (a) => args.activityTypeIds.includes(a.activityTypeId) && (ids?.has(a.leadId) ?? true),
        );
        const moreResult = at + 1 < pages.length;
        return { items, moreResult, nextPageToken: `page-${at + 1}`, serverTime: undefined };
      },
    },
  };
}

function finderOver(pages: LeadActivity[][], options: { failAt?: number; maxPages?: number } = {}) {
  const fake = fakeMarketo(pages, options);
  const clock = createManualClock(Date.UTC(2026, 11, 7, 12));
  const find = createActivityFinder(fake.marketo, {
    eventKeyOf: (a) => a.attributes.find((x) => x.apiName === 'eventId')?.value as string,
    clock,
    incompleteCode: 'CHAT_LOOKUP_INCOMPLETE',
    ...(options.maxPages === undefined ? {} : { maxPages: options.maxPages }),
  });
  return { ...fake, find, clock };
}

const lookup = (leadId: number, eventKey: string, since = 1_000): ActivityLookup => ({
  leadId,
  eventKey,
  activityTypeId: TYPE,
  since,
});

describe('createActivityFinder', () => {
  it('when look-ups arrive in one turn, then they share one paging token (at the earliest since) and one walk', async () => {
    const { find, tokens, requests } = finderOver([
      [activity(1, 'a')],
      [],
      [activity(2, 'b'), activity(3, 'other')],
    ]);

    const found = await Promise.all([
      find(lookup(1, 'a', 5_000)),
      find(lookup(2, 'b', 2_000)),
      find(lookup(3, 'c', 9_000)),
    ]);

    expect(found.map((f) => f.found)).toEqual([true, true, false]);
    expect(tokens).toEqual([new Date(2_000)]);
    expect(requests.map((r) => r.nextPageToken)).toEqual(['page-0', 'page-1', 'page-2']);
    expect(requests[0]).toMatchObject({ activityTypeIds: [TYPE], leadIds: [1, 2, 3] });
  });

  it('when the look-ups name more than 30 leads, then one walk names none (a page reads the same 300 activities either way) and keeps only ours', async () => {
    const leads = Array.from({ length: 150 }, (_, i) => i + 1);
    const { find, tokens, requests } = finderOver([
      leads.filter((id) => id % 2 === 0).map((id) => activity(id, `e${id}`)),
      [activity(999, 'e1'), activity(1, 'e1', TYPE + 1)],
    ]);

    const found = await Promise.all(leads.map((id) => find(lookup(id, `e${id}`))));

    expect(found.filter((f) => f.found)).toHaveLength(75);
    expect(found[0]!.found).toBe(false); // e1 is on another lead, or of another type
    expect(found[1]!.found).toBe(true);
    expect(tokens).toHaveLength(1);
    expect(requests).toHaveLength(2);
    expect(requests.every((r) => r.leadIds === undefined)).toBe(true);
  });

  it('when every look-up is answered before the end of the window, then the walk stops there', async () => {
    const { find, requests } = finderOver([[activity(1, 'a')], [activity(2, 'b')], [], []]);

    const found = await Promise.all([find(lookup(1, 'a')), find(lookup(2, 'b'))]);

    expect(found.every((f) => f.found)).toBe(true);
    expect(requests).toHaveLength(2);
  });

  it('when the look ends, then every look-up it answered gets the same time (they settle together)', async () => {
    const { find, clock } = finderOver([[]]);
    const looks = Promise.all([find(lookup(1, 'a')), find(lookup(2, 'b'))]);
    const [first, second] = await looks;
    expect(first!.lookedAt).toBe(clock.now());
    expect(second!.lookedAt).toBe(first!.lookedAt);
  });

  it('when the walk finds no end within its pages, then every look-up fails retryably with the feature code', async () => {
    const { find } = finderOver(
      Array.from({ length: 5 }, () => []),
      { maxPages: 3 },
    );
    const looks = await Promise.allSettled([find(lookup(1, 'a')), find(lookup(2, 'b'))]);
    for (const look of looks) {
      expect(look.status).toBe('rejected');
      const { reason } = look as PromiseRejectedResult;
      expect(reason).toBeInstanceOf(OutboxHandlerError);
      expect(reason).toMatchObject({ code: 'CHAT_LOOKUP_INCOMPLETE', retryable: true });
    }
  });

  it('when a page fails, then every look-up of the walk fails with it, and the next turn walks again', async () => {
    const { find, tokens } = finderOver([[], [activity(1, 'a')]], { failAt: 1 });
    const looks = await Promise.allSettled([find(lookup(1, 'a')), find(lookup(2, 'b'))]);
    expect(looks.map((look) => look.status)).toEqual(['rejected', 'rejected']);
    await expect(find(lookup(1, 'a'))).rejects.toThrow('Marketo away');
    expect(tokens).toHaveLength(2);
  });

  it('when one look-up is days older than a fresh batch, then it walks apart: the batch is answered and only the old one fails at the page cap', async () => {
    const NOW = Date.UTC(2026, 11, 7, 12);
    const TEN_MINUTES = 10 * 60_000;
    // From any token, a page of 300 activities per 10 minutes of Marketo time until now.
    let calls = 0;
    const marketo = {
      getPagingToken: async (since: Date) => String(since.getTime()),
      getLeadActivities: async ({
        nextPageToken,
      }: {
        nextPageToken: string;
      }): Promise<ActivityPage<LeadActivity>> => {
        calls += 1;
        const next = Number(nextPageToken) + TEN_MINUTES;
        return { items: [], moreResult: next < NOW, nextPageToken: String(next), serverTime: NOW };
      },
    };
    const find = createActivityFinder(marketo, {
      eventKeyOf: () => undefined,
      clock: createManualClock(NOW),
      incompleteCode: 'CHAT_LOOKUP_INCOMPLETE',
    });
    const fresh = Array.from({ length: 299 }, (_, i) => lookup(i + 1, `e${i}`, NOW - 20 * 60_000));
    const old = lookup(999, 'old', NOW - 2 * 24 * 3_600_000);

    const results = await Promise.allSettled([...fresh, old].map((l) => find(l)));

    expect(results.slice(0, 299).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results[299]).toMatchObject({
      status: 'rejected',
      reason: { code: 'CHAT_LOOKUP_INCOMPLETE' },
    });
    // The fresh walk: 2 pages; the old one: the 100-page cap.
    expect(calls).toBe(2 + 100);
  });
});
