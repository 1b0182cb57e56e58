import type { LeadActivity, MarketoApi } from '../clients/marketo/types.js';
import { OutboxHandlerError } from '../outbox/outbox-handler.js';
import { createRecordBatcher } from './record-batcher.js';

/** One question: has Marketo got the activity `eventKey` of type `activityTypeId` on `leadId`? */
export interface ActivityLookup {
  leadId: number;
  /** What `eventKeyOf` reads back from the activity we wrote for this event. */
  eventKey: string;
  activityTypeId: number;
  /** Epoch ms: no earlier than this can the activity have been written. */
  since: number;
}

export type ActivityFinder = (lookup: ActivityLookup) => Promise<boolean>;

export interface ActivityFinderOptions {
  /** The event key an activity read back carries (its event id attributes); undefined: none. */
  eventKeyOf: (activity: LeadActivity) => string | undefined;
  /** The error code of a scan that found no end (each feature names its own). */
  incompleteCode?: string;
  maxPages?: number;
}

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
 * event keys (`eventKeyOf`). Look-ups made in the same turn of the event loop (the relay's
 * lanes) share one scan of up to 30 leads, so a burst of retries costs a token and a few pages,
 * not that for each item. Failures reject every look-up of the scan; each caller retries.
 */
export function createActivityFinder(
  marketo: Pick<MarketoApi, 'getPagingToken' | 'getLeadActivities'>,
  options: ActivityFinderOptions,
): ActivityFinder {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const key = (leadId: number, eventKey: string) => `${leadId} ${eventKey}`;

  const scan = async (activityTypeId: number, lookups: ActivityLookup[]) => {
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
        const eventKey = options.eventKeyOf(activity);
        if (eventKey !== undefined) found.add(key(activity.leadId, eventKey));
      }
      if (!result.moreResult) return found;
      nextPageToken = result.nextPageToken;
    }
    throw new OutboxHandlerError(
      options.incompleteCode ?? 'ACTIVITY_LOOKUP_INCOMPLETE',
      `no end to Get Lead Activities after ${maxPages} pages: not resending blindly`,
      { retryable: true },
    );
  };

  const batcher = createRecordBatcher<ActivityLookup, boolean>({
    // 30 look-ups name at most 30 leads.
    maxBatch: MAX_LEADS_PER_SCAN,
    send: async (lookups) => {
      const byType = new Map<number, ActivityLookup[]>();
      for (const lookup of lookups) {
        byType.set(lookup.activityTypeId, [...(byType.get(lookup.activityTypeId) ?? []), lookup]);
      }
      const found = new Set<string>();
      for (const [activityTypeId, group] of byType) {
        for (const hit of await scan(activityTypeId, group)) found.add(hit);
      }
      return lookups.map((lookup) => found.has(key(lookup.leadId, lookup.eventKey)));
    },
  });
  return (lookup) => batcher.submit(lookup);
}

/**
 * One attribute's value on an activity read back with Get Lead Activities, as a string. The
 * spec's `Attribute` requires only `name` (the display name) and `value`; `apiName` is
 * optional, so either one identifies the attribute.
 */
export function activityAttributeOf(
  activity: LeadActivity,
  attribute: { apiName: string; name: string },
): string | undefined {
  const found = activity.attributes.find((a) =>
    a.apiName === undefined ? a.name === attribute.name : a.apiName === attribute.apiName,
  );
  return found === undefined ? undefined : String(found.value);
}
