import { isMarketoApiError, type MarketoApiError } from '../clients/marketo/index.js';
import {
  OutboxHandlerError,
  type OutboxHandlerContext,
  type OutboxHandlerResult,
} from '../outbox/outbox-handler.js';
import { outboxBackoffMs } from '../outbox/outbox-backoff.js';
import type { OutboxItem } from '../store/types.js';
import type { ActivityFinder } from './activity-finder.js';
import {
  attemptForRules,
  LOST_ANSWER_LOOK_MS,
  lookupSince,
  mayRetryAsUnsent,
  mayTrustAbsence,
  mustLookFirst,
  settleCopy,
  unsentCopy,
  type ActivityItemIdentity,
  type VerifiedDelivery,
} from './activity-verification.js';

export interface VerifiedActivityDeliveryDeps {
  /** Looks for the event's activity in Marketo (activity-finder.ts). */
  findActivity: ActivityFinder;
  /** How long Marketo is given to finish a call whose answer we lost (activity-verification.ts). */
  settleMs: number;
  /** Names the activity in log lines ("meeting", "chat"). */
  label: string;
}

/** One event's activity, as the feature knows it. */
export interface VerifiedActivity<D extends VerifiedDelivery> {
  /** The item being delivered, as claimed (its creation time and lease are read). */
  item: OutboxItem;
  /** Its parsed payload, `verify` and `unsent` included. */
  delivery: D;
  /** The event's item kind and dedupe key, for the settle and unsent copies. */
  identity: ActivityItemIdentity;
  leadId: number;
  /** What the finder reads back from the activity (its event id attributes). */
  eventKey: string;
  /** The event's time: the activity's date. */
  occurredAt: number;
  /** Our activity type's id in Marketo, ensured on first use. */
  activityTypeId: () => Promise<number>;
  /** Writes the activity (Add Custom Activities) and throws unless the record was added. */
  send: (activityTypeId: number) => Promise<void>;
}

/**
 * Sends one custom activity under the exactly-once rules of activity-verification.ts: look in
 * Marketo first when an earlier attempt may have written it, settle before trusting a look that
 * found nothing, and retry an attempt that certainly sent nothing as an unsent copy (no look).
 *
 * The items of one batch call come back together: a failed call rejects all its records with
 * one error object (record-batcher.ts), so the retry time is computed once per error and
 * shared (`sameTimeFor`); a look's time is shared by every item it answered (activity-finder).
 * Were the error not shared, each item would get its own time: slower, never less safe.
 */
export function createVerifiedActivityDelivery(deps: VerifiedActivityDeliveryDeps) {
  const { findActivity, settleMs, label } = deps;
  const sameTimeFor = createSharedTimes();

  const deliver = async <D extends VerifiedDelivery>(
    activity: VerifiedActivity<D>,
    ctx: OutboxHandlerContext,
    state: { sent: boolean },
  ): Promise<OutboxHandlerResult | void> => {
    const { item, delivery, leadId, eventKey } = activity;
    const attempt = attemptForRules(ctx.attempt, item.lastError);
    const typeId = await activity.activityTypeId();
    if (mustLookFirst(attempt, delivery)) {
      const since = lookupSince(activity.occurredAt, item.createdAt);
      const look = await findActivity({ leadId, eventKey, activityTypeId: typeId, since });
      if (look.found) {
        ctx.logger.info(
          { leadId, eventId: eventKey },
          `${label} activity already in Marketo: not resent`,
        );
        return;
      }
      if (!mayTrustAbsence(attempt, delivery, ctx.now(), settleMs)) {
        ctx.logger.info(
          { leadId, eventId: eventKey, settleMs },
          `${label} activity not found yet: settling`,
        );
        // From the look's time, shared by the items it answered: they come back as one.
        const copy = settleCopy(activity.identity, delivery, look.lookedAt, settleMs);
        return { followUps: [copy] };
      }
    }
    // A claim that ran out may have been taken over, and the new holder may be looking right
    // now: sending from here could make the second copy. Leave it to the holder.
    if (item.lease !== undefined && ctx.now() >= item.lease.until) {
      throw new OutboxHandlerError('OUTBOX_LEASE_EXPIRED', 'claim ran out before sending', {
        retryable: true,
      });
    }
    state.sent = true;
    await activity.send(typeId);
  };

  /** `deliver`, with a failure that certainly wrote nothing retried without the look. */
  return async <D extends VerifiedDelivery>(
    activity: VerifiedActivity<D>,
    ctx: OutboxHandlerContext,
  ): Promise<OutboxHandlerResult | void> => {
    const state = { sent: false };
    try {
      return await deliver(activity, ctx, state);
    } catch (error) {
      const { delivery } = activity;
      const notExecuted = certainlyNotExecuted(error, state.sent);
      if (state.sent && !notExecuted && isLostAnswer(error)) {
        // The whole batch may have been written: its items look again together, at one time.
        throw new OutboxHandlerError(error.code, error.message, {
          retryable: true,
          retryAt: sameTimeFor(error, 'lost', () => ctx.now() + LOST_ANSWER_LOOK_MS),
        });
      }
      const retry = mayRetryAsUnsent({
        attempt: attemptForRules(ctx.attempt, activity.item.lastError),
        delivery,
        notExecuted,
      });
      if (!retry) throw error;
      const tries = (delivery.unsent ?? 0) + 1;
      // The batch's copies are due together, so they go out again as one call.
      const dueAt = sameTimeFor(error, `unsent ${tries}`, () => ctx.now() + outboxBackoffMs(tries));
      ctx.logger.info(
        { leadId: activity.leadId, tries, dueAt },
        `${label} activity not sent (Marketo failed first): retrying`,
      );
      return { followUps: [unsentCopy(activity.identity, delivery, tries, dueAt)] };
    }
  };
}

/** A write whose answer was lost (time-out, dropped connection, 502): it may have run. */
function isLostAnswer(error: unknown): error is MarketoApiError {
  return isMarketoApiError(error) && error.details?.['outcomeUnknown'] === true;
}

/**
 * One time per failure and purpose, computed by the first item that asks: the items of one
 * batch call share its error object. Weakly held, so it goes with the error.
 */
function createSharedTimes() {
  const times = new WeakMap<object, Map<string, number>>();
  return (error: unknown, purpose: string, compute: () => number): number => {
    if (typeof error !== 'object' || error === null) return compute();
    let byPurpose = times.get(error);
    if (byPurpose === undefined) times.set(error, (byPurpose = new Map()));
    let time = byPurpose.get(purpose);
    if (time === undefined) byPurpose.set(purpose, (time = compute()));
    return time;
  };
}

/**
 * A transient failure that wrote nothing: before the record was handed over, any transient
 * error (but not the daily quota, which has its own deferral); after, only an answer in which
 * Marketo refused the call or the record (a code, not a lost answer: `outcomeUnknown` is how the
 * client marks those).
 */
function certainlyNotExecuted(error: unknown, sent: boolean): boolean {
  if (isMarketoApiError(error, 'MARKETO_DAILY_QUOTA')) return false;
  if (isMarketoApiError(error))
    return error.retryable && error.details?.['outcomeUnknown'] !== true;
  if (!(error instanceof OutboxHandlerError) || error.code === 'OUTBOX_LEASE_EXPIRED') return false;
  return error.retryable && (!sent || error.code === 'MARKETO_RECORD_REJECTED');
}
