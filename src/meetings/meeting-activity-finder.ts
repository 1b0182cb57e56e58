import type { MarketoApi } from '../clients/marketo/types.js';
import { createRecordBatcher } from '../marketo-activities/record-batcher.js';
import { OutboxHandlerError } from '../outbox/outbox-handler.js';
import { meetingEventIdOf } from './meeting-activity-type.js';

/** One question: has Marketo got the activity `eventId` of type `activityTypeId` on `leadId`? */
export interface MeetingActivityLookup {
  leadId: number;
  eventId: string;
  activityTypeId: number;
  /** Epoch ms: no earlier than this can the activity have been written. */
  since: number;
}

export type MeetingActivityFinder = (lookup: MeetingActivityLookup) => Promise<boolean>;

/** Get Lead Activities takes at most 30 lead ids (help/rest-api/activities.md). */
const MAX_LEADS_PER_SCAN = 30;
/**
 * Pages per scan before giving up. A page may be short or empty while `moreResult` is true, so
 * a busy instance needs several; a scan this long means the window is far too wide, and the
 * caller must not resend blindly: the item is retried and in the end dead-lettered.
 */
const DEFAULT_MAX_PAGES = 100;

/**
 * Looks activities up in Marketo: Get Paging Token at the earliest `since`, then Get Lead
 * Activities of our type and leads, page by page until `moreResult` is false, collecting the
 * event ids (meetingEventIdOf). Look-ups made in the same turn of the event loop (the relay's
 * lanes) share one scan of up to 30 leads, so a burst of retries costs a token and a few pages,
 * not that for each item. Failures reject every look-up of the scan; each caller retries.
 */
export function createMeetingActivityFinder(
  marketo: Pick<MarketoApi, 'getPagingToken' | 'getLeadActivities'>,
  options: { maxPages?: number } = {},
): MeetingActivityFinder {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const key = (leadId: number, eventId: string) => `${leadId} ${eventId}`;

  const scan = async (activityTypeId: number, lookups: MeetingActivityLookup[]) => {
    const found = new Set<string>();
    const leadIds = [...new Set(lookups.map((lookup) => lookup.leadId))];
    const since = Math.min(...lookups.map((lookup) => lookup.since));
    let nextPageToken = await marketo.getPagingToken(new Date(since));
    for (let page = 0; page < maxPages; page += 1) {
      const result = await marketo.getLeadActivities({
        nextPageToken,
        activityTypeIds: [activityTypeId],
        leadIds,
      });
      for (const activity of result.items) {
        const eventId = meetingEventIdOf(activity);
        if (eventId !== undefined) found.add(key(activity.leadId, eventId));
      }
      if (!result.moreResult) return found;
      nextPageToken = result.nextPageToken;
    }
    throw new OutboxHandlerError(
      'MEETING_LOOKUP_INCOMPLETE',
      `no end to Get Lead Activities after ${maxPages} pages: not resending blindly`,
      { retryable: true },
    );
  };

  const batcher = createRecordBatcher<MeetingActivityLookup, boolean>({
    // 30 look-ups name at most 30 leads.
    maxBatch: MAX_LEADS_PER_SCAN,
    send: async (lookups) => {
      const byType = new Map<number, MeetingActivityLookup[]>();
      for (const lookup of lookups) {
        byType.set(lookup.activityTypeId, [...(byType.get(lookup.activityTypeId) ?? []), lookup]);
      }
      const found = new Set<string>();
      for (const [activityTypeId, group] of byType) {
        for (const hit of await scan(activityTypeId, group)) found.add(hit);
      }
      return lookups.map((lookup) => found.has(key(lookup.leadId, lookup.eventId)));
    },
  });
  return (lookup) => batcher.submit(lookup);
}
