import { z } from 'zod';
import {
  lookupSince as lookupSinceOf,
  settleCopy as settleCopyOf,
  unsentCopy as unsentCopyOf,
  verificationFields,
  verificationForCopy as verificationOf,
  type ActivityItemIdentity,
  type Verification,
} from '../marketo-activities/activity-verification.js';
import type { NewOutboxItem } from '../store/types.js';
import {
  MEETING_ACTIVITY_KIND,
  meetingActivityPayloadSchema,
  meetingEventId,
} from './meeting-events-outbox.js';

/**
 * The exactly-once rules (marketo-activities/activity-verification.ts) bound to the meeting
 * activity, table-tested in test/unit/meeting-activity-verification.test.ts. The stored payload
 * is the meetings feature's (meeting-events-outbox.ts) plus `verify` and `unsent`, which only
 * the verified delivery writes; items enqueued by the feature never carry them.
 */
export const meetingDeliverySchema = meetingActivityPayloadSchema.extend(verificationFields);
export type MeetingDelivery = z.infer<typeof meetingDeliverySchema>;
export type { Verification };

export {
  DEFAULT_SETTLE_MS,
  LOOKUP_MARGIN_MS,
  MAX_UNSENT_TRIES,
  mayRetryAsUnsent,
  mayTrustAbsence,
  mustLookFirst,
} from '../marketo-activities/activity-verification.js';

/** The meeting event's item: `meeting:<id>#<seq>` is both its dedupe key and its event id. */
export function meetingItemIdentity(delivery: MeetingDelivery): ActivityItemIdentity {
  return {
    kind: MEETING_ACTIVITY_KIND,
    dedupeKey: meetingEventId(delivery.meetingId, delivery.seq),
  };
}

/** What a quota deferral's copy must know (see the generic rule). */
export function verificationForCopy(attempt: number, delivery: MeetingDelivery): Verification {
  if (delivery.leadId === undefined) return undefined; // this step never sends an activity
  return verificationOf(attempt, delivery);
}

/** Where to start looking: before the event (the activity's date) and the first enqueue. */
export function lookupSince(delivery: MeetingDelivery, createdAt: number): number {
  return lookupSinceOf(delivery.occurredAt, createdAt);
}

/** The copy that looks again once Marketo has had `settleMs` to finish a lost call. */
export function settleCopy(
  delivery: MeetingDelivery,
  now: number,
  settleMs: number,
): NewOutboxItem {
  return settleCopyOf(meetingItemIdentity(delivery), delivery, now, settleMs);
}

/** The event again after an attempt that certainly wrote nothing (see the generic rule). */
export function unsentCopy(delivery: MeetingDelivery, tries: number, dueAt: number): NewOutboxItem {
  return unsentCopyOf(meetingItemIdentity(delivery), delivery, tries, dueAt);
}

/**
 * The event again, now with its lead: the item that sends it. One per event (the key has no
 * time in it), and fresh: no activity was sent for the event before, so it does not look.
 */
export function withResolvedLead(delivery: MeetingDelivery, leadId: number): NewOutboxItem {
  const { verify: _verify, ...event } = delivery;
  return {
    kind: MEETING_ACTIVITY_KIND,
    dedupeKey: `${meetingEventId(delivery.meetingId, delivery.seq)}~lead`,
    payload: { ...event, leadId } satisfies MeetingDelivery,
  };
}
