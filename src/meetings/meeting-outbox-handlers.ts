import { z } from 'zod';
import { isMarketoApiError } from '../clients/marketo/index.js';
import type { CustomActivityInput, MarketoApi, RecordResult } from '../clients/marketo/types.js';
import type { Clock } from '../deps.js';
import type { Logger } from '../logger.js';
import { createActivityTypeResolver } from '../marketo-activities/ensure-activity-type.js';
import { checkRecordResult, deliverToMarketo } from '../marketo-activities/marketo-delivery.js';
import { createLeadUpsertBatcher } from '../marketo-activities/lead-upsert-batcher.js';
import { createRecordBatcher } from '../marketo-activities/record-batcher.js';
import {
  OutboxHandlerError,
  type OutboxHandler,
  type OutboxHandlerContext,
  type OutboxHandlerResult,
} from '../outbox/outbox-handler.js';
import { outboxBackoffMs } from '../outbox/outbox-backoff.js';
import type { LeadStore, OutboxItem } from '../store/types.js';
import { createMeetingActivityFinder } from './meeting-activity-finder.js';
import { MEETING_ACTIVITY_TYPE, toMeetingActivityInput } from './meeting-activity-type.js';
import {
  DEFAULT_SETTLE_MS,
  lookupSince,
  mayRetryAsUnsent,
  mayTrustAbsence,
  meetingDeliverySchema,
  mustLookFirst,
  settleCopy,
  unsentCopy,
  verificationForCopy,
  withResolvedLead,
  type MeetingDelivery,
} from './meeting-activity-verification.js';
import { MEETING_ACTIVITY_KIND, meetingEventId } from './meeting-events-outbox.js';

export interface MeetingOutboxHandlerDeps {
  marketo: MarketoApi;
  store: LeadStore;
  clock: Clock;
  logger: Logger;
  /**
   * How long Marketo is given to finish a call whose answer we lost before a look that found
   * nothing lets us send again (default 2 min; see meeting-activity-verification.ts).
   */
  settleMs?: number;
}

export type MeetingOutboxHandlers = Readonly<Record<typeof MEETING_ACTIVITY_KIND, OutboxHandler>>;

/**
 * The outbox handler of the meeting write-back: each booking or status change becomes one
 * "Schedule Chat Meeting" activity on the visitor's lead, exactly once.
 *
 * - No lead id in the event: the lead is found in the local copy by email, or created (or
 *   found) in Marketo with Sync Leads (createOrUpdate by email, one record per email of the
 *   batch). The item then completes with the event as a follow-up that carries the lead id,
 *   in the same store write: the lead is settled once, and the item that sends the activity
 *   always names the same lead, which the look-up before a resend relies on.
 * - With a lead id: Add Custom Activities, batched with the other deliveries of the pass (up to
 *   300 per call, record-batcher.ts). A retry looks in Marketo first (the rules are in
 *   meeting-activity-verification.ts).
 * - A spent daily quota defers the item to the reset, remembering whether it must look first;
 *   transient failures are retried with backoff; data errors (1004) go to the dead letters.
 *
 * The activity type is ensured once per process on the first delivery (created as a draft,
 * its attributes added, approved).
 */
export function createMeetingOutboxHandlers(deps: MeetingOutboxHandlerDeps): MeetingOutboxHandlers {
  const settleMs = deps.settleMs ?? DEFAULT_SETTLE_MS;
  const activityType = createActivityTypeResolver(deps.marketo, MEETING_ACTIVITY_TYPE);
  const findActivity = createMeetingActivityFinder(deps.marketo);
  const activities = createRecordBatcher<CustomActivityInput, RecordResult>({
    send: (records) => deps.marketo.addCustomActivities(records),
  });
  const upserts = createLeadUpsertBatcher(deps.marketo);

  const resolveLead = async (
    delivery: MeetingDelivery,
    ctx: OutboxHandlerContext,
  ): Promise<OutboxHandlerResult> => {
    const email = delivery.email.trim().toLowerCase();
    let leadId = email === '' ? undefined : (await deps.store.findLeadsByEmail(email))[0]?.id;
    if (leadId === undefined) {
      if (!z.email().safeParse(email).success) {
        throw new OutboxHandlerError('MEETING_NO_LEAD', 'no lead id and no usable email', {
          retryable: false,
        });
      }
      const result = await upserts.submit(email);
      checkRecordResult(result, 'lead upsert');
      if (result.id === undefined) {
        throw new OutboxHandlerError('MARKETO_BAD_RESPONSE', 'Sync Leads gave no lead id', {
          retryable: true,
        });
      }
      leadId = result.id;
      ctx.logger.info({ leadId, status: result.status }, 'meeting visitor upserted in Marketo');
    }
    return { followUps: [withResolvedLead(delivery, leadId)] };
  };

  const deliver = async (
    item: OutboxItem,
    delivery: MeetingDelivery,
    leadId: number,
    ctx: OutboxHandlerContext,
    state: { sent: boolean },
  ): Promise<OutboxHandlerResult | void> => {
    const type = await activityType();
    const eventId = meetingEventId(delivery.meetingId, delivery.seq);
    if (mustLookFirst(ctx.attempt, delivery)) {
      const since = lookupSince(delivery, item.createdAt);
      const lookup = { leadId, eventId, activityTypeId: type.id, since };
      if (await findActivity(lookup)) {
        ctx.logger.info({ leadId, eventId }, 'meeting activity already in Marketo: not resent');
        return;
      }
      if (!mayTrustAbsence(ctx.attempt, delivery, ctx.now(), settleMs)) {
        ctx.logger.info({ leadId, eventId, settleMs }, 'meeting activity not found yet: settling');
        return { followUps: [settleCopy(delivery, ctx.now(), settleMs)] };
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
    const result = await activities.submit(toMeetingActivityInput(leadId, type.id, delivery));
    checkRecordResult(result, `meeting activity for lead ${leadId}`);
    ctx.logger.debug({ leadId, eventId, status: delivery.status }, 'meeting activity written');
  };

  /** `deliver`, with a failure that certainly wrote nothing retried without the look. */
  const deliverOrRetryUnsent = async (
    item: OutboxItem,
    delivery: MeetingDelivery,
    leadId: number,
    ctx: OutboxHandlerContext,
  ): Promise<OutboxHandlerResult | void> => {
    const state = { sent: false };
    try {
      return await deliver(item, delivery, leadId, ctx, state);
    } catch (error) {
      const retry = mayRetryAsUnsent({
        attempt: ctx.attempt,
        delivery,
        notExecuted: certainlyNotExecuted(error, state.sent),
      });
      if (!retry) throw error;
      const tries = (delivery.unsent ?? 0) + 1;
      const dueAt = ctx.now() + outboxBackoffMs(tries);
      ctx.logger.info(
        { leadId, tries, dueAt },
        'meeting activity not sent (Marketo failed first): retrying',
      );
      return { followUps: [unsentCopy(delivery, tries, dueAt)] };
    }
  };

  return {
    [MEETING_ACTIVITY_KIND]: (item, ctx) => {
      const delivery = readPayload(item.payload);
      // A quota deferral copies `item`: give the copy what it must know (look first or not).
      const verify = verificationForCopy(ctx.attempt, delivery);
      const copyable = { ...item, payload: { ...delivery, verify } };
      return deliverToMarketo(copyable, () =>
        delivery.leadId === undefined
          ? resolveLead(delivery, ctx)
          : deliverOrRetryUnsent(item, delivery, delivery.leadId, ctx),
      );
    },
  };
}

function readPayload(payload: unknown): MeetingDelivery {
  const parsed = meetingDeliverySchema.safeParse(payload);
  if (parsed.success) return parsed.data;
  throw new OutboxHandlerError('MEETING_PAYLOAD_INVALID', 'stored meeting event is unreadable', {
    retryable: false,
  });
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
