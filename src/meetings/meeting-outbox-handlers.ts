import { z } from 'zod';
import type { CustomActivityInput, MarketoApi, RecordResult } from '../clients/marketo/types.js';
import type { Clock } from '../deps.js';
import type { Logger } from '../logger.js';
import { createActivityFinder } from '../marketo-activities/activity-finder.js';
import { attemptForRules } from '../marketo-activities/activity-verification.js';
import { createActivityTypeResolver } from '../marketo-activities/ensure-activity-type.js';
import { checkRecordResult, deliverToMarketo } from '../marketo-activities/marketo-delivery.js';
import { createLeadUpsertBatcher } from '../marketo-activities/lead-upsert-batcher.js';
import { createRecordBatcher } from '../marketo-activities/record-batcher.js';
import { createVerifiedActivityDelivery } from '../marketo-activities/verified-activity-delivery.js';
import {
  OutboxHandlerError,
  type OutboxHandler,
  type OutboxHandlerContext,
  type OutboxHandlerResult,
} from '../outbox/outbox-handler.js';
import type { LeadStore, OutboxItem } from '../store/types.js';
import {
  MEETING_ACTIVITY_TYPE,
  meetingEventIdOf,
  toMeetingActivityInput,
} from './meeting-activity-type.js';
import {
  DEFAULT_SETTLE_MS,
  meetingDeliverySchema,
  meetingItemIdentity,
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
   * nothing lets us send again (default 2 min; see activity-verification.ts).
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
 *   marketo-activities/activity-verification.ts, applied by verified-activity-delivery.ts).
 * - A spent daily quota defers the item to the reset, remembering whether it must look first;
 *   transient failures are retried with backoff; data errors (1004) go to the dead letters.
 *
 * The activity type is ensured once per process on the first delivery (created as a draft,
 * its attributes added, approved).
 */
export function createMeetingOutboxHandlers(deps: MeetingOutboxHandlerDeps): MeetingOutboxHandlers {
  const settleMs = deps.settleMs ?? DEFAULT_SETTLE_MS;
  const activityType = createActivityTypeResolver(deps.marketo, MEETING_ACTIVITY_TYPE);
  const deliverVerified = createVerifiedActivityDelivery({
    findActivity: createActivityFinder(deps.marketo, {
      eventKeyOf: meetingEventIdOf,
      clock: deps.clock,
      incompleteCode: 'MEETING_LOOKUP_INCOMPLETE',
    }),
    settleMs,
    label: 'meeting',
  });
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

  const sendActivity = async (
    item: OutboxItem,
    delivery: MeetingDelivery,
    leadId: number,
    ctx: OutboxHandlerContext,
  ): Promise<OutboxHandlerResult | void> => {
    const eventId = meetingEventId(delivery.meetingId, delivery.seq);
    return deliverVerified(
      {
        item,
        delivery,
        identity: meetingItemIdentity(delivery),
        leadId,
        eventKey: eventId,
        occurredAt: delivery.occurredAt,
        activityTypeId: async () => (await activityType()).id,
        send: async (typeId) => {
          const result = await activities.submit(toMeetingActivityInput(leadId, typeId, delivery));
          checkRecordResult(result, `meeting activity for lead ${leadId}`);
          ctx.logger.debug(
            { leadId, eventId, status: delivery.status },
            'meeting activity written',
          );
        },
      },
      ctx,
    );
  };

  return {
    [MEETING_ACTIVITY_KIND]: (item, ctx) => {
      const delivery = readPayload(item.payload);
      // A quota deferral copies `item`: give the copy what it must know (look first or not).
      const verify = verificationForCopy(attemptForRules(ctx.attempt, item.lastError), delivery);
      const copyable = { ...item, payload: { ...delivery, verify } };
      return deliverToMarketo(copyable, () =>
        delivery.leadId === undefined
          ? resolveLead(delivery, ctx)
          : sendActivity(item, delivery, delivery.leadId, ctx),
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
