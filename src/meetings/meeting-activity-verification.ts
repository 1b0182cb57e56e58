import { z } from 'zod';
import type { NewOutboxItem } from '../store/types.js';
import {
  MEETING_ACTIVITY_KIND,
  meetingActivityPayloadSchema,
  meetingEventId,
} from './meeting-events-outbox.js';

/**
 * The rules that make a meeting activity land in Marketo exactly once, as pure functions
 * (table-tested in test/unit/meeting-activity-verification.test.ts).
 *
 * Add Custom Activities has no idempotency key, and an attempt may have written the activity
 * without us learning it: the answer was lost (time-out, dropped connection, 502 after the
 * write) or the process died before the outbox recorded the success. So an attempt that may
 * follow such a one looks in Marketo first (Get Lead Activities, by the `eventId` attribute)
 * and completes without sending when the activity is there.
 *
 * A look that finds nothing is not trusted at once: the lost call may still be running in
 * Marketo (Add Custom Activities may take 90 s there, longer than our time-out) or not be
 * readable yet. The item completes with a copy of itself due `settleMs` later that remembers
 * when nothing was found (`verify.absentSince`); that copy looks again and only then sends.
 * The copy's first attempt may trust the earlier look because nothing was sent in between;
 * any later attempt starts the settling afresh.
 *
 * The stored payload is the meetings feature's (meeting-events-outbox.ts) plus `verify`, which
 * only this module writes; items enqueued by the feature never carry it.
 */
export const meetingDeliverySchema = meetingActivityPayloadSchema.extend({
  /** Present: a send may have happened before; look in Marketo first. */
  verify: z.object({ absentSince: z.number().optional() }).optional(),
  /** Attempts so far that certainly sent nothing (see unsentCopy). */
  unsent: z.number().int().positive().optional(),
});
export type MeetingDelivery = z.infer<typeof meetingDeliverySchema>;
export type Verification = MeetingDelivery['verify'];

/** Marketo's time and ours may differ; look this far back beyond the event. */
export const LOOKUP_MARGIN_MS = 15 * 60_000;
/** Add Custom Activities runs up to 90 s in Marketo (activities.md), plus room. */
export const DEFAULT_SETTLE_MS = 120_000;

/** Before sending on attempt `attempt` (1-based) of this item: look in Marketo first? */
export function mustLookFirst(attempt: number, delivery: MeetingDelivery): boolean {
  return attempt > 1 || delivery.verify !== undefined;
}

/** After a look that found nothing: may we send now, or must Marketo be given time first? */
export function mayTrustAbsence(
  attempt: number,
  delivery: MeetingDelivery,
  now: number,
  settleMs: number,
): boolean {
  const since = delivery.verify?.absentSince;
  return attempt === 1 && since !== undefined && now - since >= settleMs;
}

/**
 * What a copy of this item (a quota deferral, see deferUntil) must know. Nothing was executed
 * in this attempt (the quota is checked before sending, and 607 means "not executed"), so on
 * a first attempt the item's own knowledge still holds; after a retry a send may have
 * happened, so the copy looks first and settles afresh.
 */
export function verificationForCopy(attempt: number, delivery: MeetingDelivery): Verification {
  if (delivery.leadId === undefined) return undefined; // this step never sends an activity
  return attempt > 1 ? {} : delivery.verify;
}

/** Where to start looking: before the event (the activity's date) and the first enqueue. */
export function lookupSince(delivery: MeetingDelivery, createdAt: number): number {
  return Math.min(delivery.occurredAt, createdAt) - LOOKUP_MARGIN_MS;
}

/** The copy that looks again once Marketo has had `settleMs` to finish a lost call. */
export function settleCopy(
  delivery: MeetingDelivery,
  now: number,
  settleMs: number,
): NewOutboxItem {
  const eventId = meetingEventId(delivery.meetingId, delivery.seq);
  return {
    kind: MEETING_ACTIVITY_KIND,
    dedupeKey: `${eventId}~settle@${now}`,
    payload: { ...delivery, verify: { absentSince: now } } satisfies MeetingDelivery,
    nextAttemptAt: now + settleMs,
  };
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

/** Attempts that certainly sent nothing are retried this many times before the dead letters. */
export const MAX_UNSENT_TRIES = 15;

/**
 * The event again, due at `dueAt`, after an attempt that certainly wrote nothing to Marketo
 * (it failed before sending, e.g. Marketo unreachable, or Marketo refused the call as a whole
 * with an error it documents as "not executed"), when no earlier attempt can have sent it
 * either. The copy sends directly, without the look and the settling an ambiguous failure
 * needs: after an outage the events go out as soon as Marketo is back.
 */
export function unsentCopy(delivery: MeetingDelivery, tries: number, dueAt: number): NewOutboxItem {
  const eventId = meetingEventId(delivery.meetingId, delivery.seq);
  const { verify: _verify, ...event } = delivery;
  return {
    kind: MEETING_ACTIVITY_KIND,
    dedupeKey: `${eventId}~unsent@${tries}`,
    payload: { ...event, unsent: tries } satisfies MeetingDelivery,
    nextAttemptAt: dueAt,
  };
}

/** Whether a failed attempt may be retried as an unsent copy (see unsentCopy). */
export function mayRetryAsUnsent(args: {
  attempt: number;
  delivery: MeetingDelivery;
  /** The failure is transient and wrote nothing: before the send, or a refusal by Marketo. */
  notExecuted: boolean;
}): boolean {
  return (
    args.attempt === 1 &&
    args.delivery.verify === undefined &&
    args.notExecuted &&
    (args.delivery.unsent ?? 0) < MAX_UNSENT_TRIES
  );
}
