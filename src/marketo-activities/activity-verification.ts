import { z } from 'zod';
import type { NewOutboxItem } from '../store/types.js';

/**
 * The rules that make a custom activity land in Marketo exactly once, as pure functions shared
 * by every feature that writes one (meetings: meeting-activity-verification.ts; chat:
 * chat-activity-verification.ts; table-tested through test/unit/meeting-activity-verification
 * and activity-verification tests).
 *
 * Add Custom Activities has no idempotency key, and an attempt may have written the activity
 * without us learning it: the answer was lost (time-out, dropped connection, 502 after the
 * write) or the process died before the outbox recorded the success. So an attempt that may
 * follow such a one looks in Marketo first (Get Lead Activities, by the event's key attributes:
 * activity-finder.ts) and completes without sending when the activity is there.
 *
 * A look that finds nothing is not trusted at once: the lost call may still be running in
 * Marketo (Add Custom Activities may take 90 s there, longer than our time-out) or not be
 * readable yet. The item completes with a copy of itself due `settleMs` later that remembers
 * when nothing was found (`verify.absentSince`); that copy looks again and only then sends.
 * The copy's first attempt may trust the earlier look because nothing was sent in between;
 * any later attempt starts the settling afresh.
 *
 * The items of one batch call (up to 300 records) go through this together: after a lost
 * answer they all come back at one time (LOST_ANSWER_LOOK_MS), their look-ups are one look
 * (activity-finder.ts), and those that found nothing settle from that look's time, so they
 * look again as one and are resent in one call. The cost of a lost answer is a few calls.
 *
 * A feature's stored payload gains the two fields below, which only this machinery writes;
 * items enqueued by the feature never carry them, and items stored before them still parse.
 */
export const verificationFields = {
  /** Present: a send may have happened before; look in Marketo first. */
  verify: z.object({ absentSince: z.number().optional() }).optional(),
  /** Attempts so far that certainly sent nothing (see unsentCopy). */
  unsent: z.number().int().positive().optional(),
};
/** What the rules read of a payload: the feature's own fields are carried along untouched. */
export type VerifiedDelivery = z.infer<z.ZodObject<typeof verificationFields>>;
export type Verification = VerifiedDelivery['verify'];

/** Which outbox item a copy belongs to: its kind and the dedupe key of the event's item. */
export interface ActivityItemIdentity {
  kind: string;
  /** The event's own key (no suffix): each copy's key is this plus its own suffix. */
  dedupeKey: string;
}

/** Marketo's time and ours may differ; look this far back beyond the event. */
export const LOOKUP_MARGIN_MS = 15 * 60_000;
/** Add Custom Activities runs up to 90 s in Marketo (activities.md), plus room. */
export const DEFAULT_SETTLE_MS = 120_000;
/**
 * The items of a call whose answer was lost look for their activities this long after it,
 * all at once (the relay's first backoff, without its jitter, which would spread them over
 * several passes and so over several look-ups).
 */
export const LOST_ANSWER_LOOK_MS = 1_000;
/** Attempts that certainly sent nothing are retried this many times before the dead letters. */
export const MAX_UNSENT_TRIES = 15;

/**
 * The attempt number the rules below go by. An operator's replay of a dead letter
 * (outbox/dead-letters.ts) resets the store's count to 0 but keeps `lastError`: its earlier
 * attempts may have written the activity, so its first claim after the replay counts as a
 * retry (look first, settle afresh, no unsent copy), never as a first attempt. Fresh items and
 * this machinery's copies have no `lastError`.
 */
export function attemptForRules(attempt: number, lastError: string | undefined): number {
  return attempt <= 1 && lastError !== undefined ? 2 : attempt;
}

/** Before sending on attempt `attempt` (1-based) of this item: look in Marketo first? */
export function mustLookFirst(attempt: number, delivery: VerifiedDelivery): boolean {
  return attempt > 1 || delivery.verify !== undefined;
}

/** After a look that found nothing: may we send now, or must Marketo be given time first? */
export function mayTrustAbsence(
  attempt: number,
  delivery: VerifiedDelivery,
  now: number,
  settleMs: number,
): boolean {
  const since = delivery.verify?.absentSince;
  return attempt === 1 && since !== undefined && now - since >= settleMs;
}

/**
 * What a copy of an item that sends an activity (a quota deferral, see deferUntil) must know.
 * Nothing was executed in this attempt (the quota is checked before sending, and 607 means
 * "not executed"), so on a first attempt the item's own knowledge still holds; after a retry a
 * send may have happened, so the copy looks first and settles afresh.
 */
export function verificationForCopy(attempt: number, delivery: VerifiedDelivery): Verification {
  return attempt > 1 ? {} : delivery.verify;
}

/** Where to start looking: before the event (the activity's date) and the first enqueue. */
export function lookupSince(occurredAt: number, createdAt: number): number {
  return Math.min(occurredAt, createdAt) - LOOKUP_MARGIN_MS;
}

/** The copy that looks again once Marketo has had `settleMs` to finish a lost call. */
export function settleCopy<D extends VerifiedDelivery>(
  identity: ActivityItemIdentity,
  delivery: D,
  now: number,
  settleMs: number,
): NewOutboxItem {
  const payload: D = { ...delivery, verify: { absentSince: now } };
  return {
    kind: identity.kind,
    dedupeKey: `${identity.dedupeKey}~settle@${now}`,
    payload,
    nextAttemptAt: now + settleMs,
  };
}

/**
 * The event again, due at `dueAt`, after an attempt that certainly wrote nothing to Marketo
 * (it failed before sending, e.g. Marketo unreachable, or Marketo refused the call as a whole
 * with an error it documents as "not executed"), when no earlier attempt can have sent it
 * either. The copy sends directly, without the look and the settling an ambiguous failure
 * needs: after an outage the events go out as soon as Marketo is back.
 */
export function unsentCopy<D extends VerifiedDelivery>(
  identity: ActivityItemIdentity,
  delivery: D,
  tries: number,
  dueAt: number,
): NewOutboxItem {
  const { verify: _verify, ...event } = delivery;
  return {
    kind: identity.kind,
    dedupeKey: `${identity.dedupeKey}~unsent@${tries}`,
    payload: { ...event, unsent: tries },
    nextAttemptAt: dueAt,
  };
}

/** Whether a failed attempt may be retried as an unsent copy (see unsentCopy). */
export function mayRetryAsUnsent(args: {
  attempt: number;
  delivery: VerifiedDelivery;
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
