import type { LeadActivity, MarketoApi } from '../clients/marketo/types.js';
import type { Clock } from '../deps.js';
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

/** The answer to one look-up, and when the look that answered it ended. */
export interface ActivityFinding {
  found: boolean;
  /**
   * The finder's clock when the shared look ended: the same for every look-up it answered, so
   * the items that found nothing settle from one moment and come back together.
   */
  lookedAt: number;
}

export type ActivityFinder = (lookup: ActivityLookup) => Promise<ActivityFinding>;

export interface ActivityFinderOptions {
  /** The event key an activity read back carries (its event id attributes); undefined: none. */
  eventKeyOf: (activity: LeadActivity) => string | undefined;
  /** The outbox's clock (`lookedAt`). */
  clock: Clock;
  /** The error code of a scan that found no end (each feature names its own). */
  incompleteCode?: string;
  maxPages?: number;
}

/** Get Lead Activities filters by at most 30 lead ids (swagger-mapi `leadIds`). */
const MAX_LEADS_PER_CALL = 30;
/** Look-ups answered by one look: a relay pass (the Marketo relay claims 300 items). */
const MAX_LOOKUPS_PER_LOOK = 300;
/**
 * Pages per walk before giving up. A page may be short or empty while `moreResult` is true, so
 * a busy instance needs several; a walk this long means the window is far too wide, and the
 * caller must not resend blindly: the item is retried and in the end dead-lettered.
 */
const DEFAULT_MAX_PAGES = 100;
/**
 * Look-ups whose `since` lie within this span share a walk; an older one walks apart. A walk
 * starts at its oldest `since`, so one item hours old (a replayed dead letter, an item held
 * through a long refusal) would otherwise stretch the walk of a fresh batch past `maxPages`
 * and fail all of it. The items of one lost batch fall within minutes of each other.
 */
const WALK_SPAN_MS = 15 * 60_000;

/**
 * Looks activities up in Marketo. The look-ups made in the same turn of the event loop (the
 * relay's lanes: every retry of a pass, so every item of a batch whose answer was lost) share
 * one look per activity type: one Get Paging Token at the earliest `since`, then one walk of
 * Get Lead Activities, page by page until `moreResult` is false or every look-up is answered.
 *
 * One walk, whatever the number of leads. Each Get Lead Activities call reads the next 300
 * activities of all types from the token's position and returns those that match (Adobe KB
 * ka-29362, "Get Lead Activities REST API Is Not Returning Any Activities"), so the pages of a
 * walk are set by the window, not by the leads named. `leadIds` is optional and takes at most
 * 30 ids (swagger-mapi getLeadActivitiesUsingGET); walking once per 30 leads would read the
 * same window once per 30 leads. So up to 30 leads are named (smaller answers, the same
 * pages), and beyond that the walk names none and keeps the activities of our leads. A lost
 * batch of 300 costs a token and one walk, not a walk per 30 items.
 *
 * Look-ups far apart in time walk apart (WALK_SPAN_MS), and a walk that fails rejects only its
 * own look-ups; each caller retries.
 */
export function createActivityFinder(
  marketo: Pick<MarketoApi, 'getPagingToken' | 'getLeadActivities'>,
  options: ActivityFinderOptions,
): ActivityFinder {
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  const key = (typeId: number, leadId: number, eventKey: string) =>
    `${typeId} ${leadId} ${eventKey}`;

  /** The keys of `lookups` (all of one type) that Marketo has. */
  const walk = async (activityTypeId: number, lookups: ActivityLookup[]) => {
    const wanted = new Set(
      lookups.map((lookup) => key(activityTypeId, lookup.leadId, lookup.eventKey)),
    );
    const found = new Set<string>();
    const leadIds = [...new Set(lookups.map((lookup) => lookup.leadId))].sort((a, b) => a - b);
    const filter = leadIds.length <= MAX_LEADS_PER_CALL ? { leadIds } : {};
    const since = Math.min(...lookups.map((lookup) => lookup.since));
    let nextPageToken = await marketo.getPagingToken(new Date(since));
    for (let page = 0; page < maxPages; page += 1) {
      const result = await marketo.getLeadActivities({
        nextPageToken,
        activityTypeIds: [activityTypeId],
        ...filter,
      });
      for (const activity of result.items) {
        const eventKey = options.eventKeyOf(activity);
        const hit =
          eventKey === undefined ? undefined : key(activityTypeId, activity.leadId, eventKey);
        if (hit !== undefined && wanted.has(hit)) found.add(hit);
      }
      // Every look-up answered: the rest of the window cannot change an answer.
      if (!result.moreResult || found.size === wanted.size) return found;
      nextPageToken = result.nextPageToken;
    }
    throw new OutboxHandlerError(
      options.incompleteCode ?? 'ACTIVITY_LOOKUP_INCOMPLETE',
      `no end to Get Lead Activities after ${maxPages} pages: not resending blindly`,
      { retryable: true },
    );
  };

  const batcher = createRecordBatcher<ActivityLookup, ActivityFinding | { failed: unknown }>({
    maxBatch: MAX_LOOKUPS_PER_LOOK,
    send: async (lookups) => {
      const found = new Set<string>();
      const failed = new Map<ActivityLookup, unknown>();
      for (const group of walkGroups(lookups)) {
        try {
          for (const hit of await walk(group[0]!.activityTypeId, group)) found.add(hit);
        } catch (error) {
          // Only this walk's look-ups fail: the others' answers stand.
          for (const lookup of group) failed.set(lookup, error);
        }
      }
      const lookedAt = options.clock.now();
      return lookups.map((lookup) =>
        failed.has(lookup)
          ? { failed: failed.get(lookup) }
          : {
              found: found.has(key(lookup.activityTypeId, lookup.leadId, lookup.eventKey)),
              lookedAt,
            },
      );
    },
  });
  return async (lookup) => {
    const answer = await batcher.submit(lookup);
    if ('failed' in answer) throw answer.failed;
    return answer;
  };
}

/**
 * The walks a look makes: one per activity type and span of `since` (WALK_SPAN_MS), the
 * newest first, so fresh look-ups are answered before an old one's long walk.
 */
function walkGroups(lookups: readonly ActivityLookup[]): ActivityLookup[][] {
  const sorted = [...lookups].sort(
    (a, b) => a.activityTypeId - b.activityTypeId || b.since - a.since,
  );
  const groups: ActivityLookup[][] = [];
  for (const lookup of sorted) {
    const group = groups[groups.length - 1];
    const head = group?.[0];
    if (
      head !== undefined &&
      head.activityTypeId === lookup.activityTypeId &&
      head.since - lookup.since <= WALK_SPAN_MS
    ) {
      group!.push(lookup);
    } else {
      groups.push([lookup]);
    }
  }
  return groups;
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
