import type { z } from 'zod';
import type { MarketoApi, RecordResult } from '../clients/marketo/types.js';
import type { Clock } from '../deps.js';
import type { Logger } from '../logger.js';
import { createActivityFinder } from '../marketo-activities/activity-finder.js';
import {
  attemptForRules,
  DEFAULT_SETTLE_MS,
  verificationForCopy,
} from '../marketo-activities/activity-verification.js';
import { createActivityTypeResolver } from '../marketo-activities/ensure-activity-type.js';
import { checkRecordResult, deliverToMarketo } from '../marketo-activities/marketo-delivery.js';
import { createLeadUpsertBatcher } from '../marketo-activities/lead-upsert-batcher.js';
import { createRecordBatcher } from '../marketo-activities/record-batcher.js';
import { createVerifiedActivityDelivery } from '../marketo-activities/verified-activity-delivery.js';
import { OutboxHandlerError, type OutboxHandler } from '../outbox/outbox-handler.js';
import type { CustomActivityInput } from '../clients/marketo/types.js';
import type { LeadStore } from '../store/types.js';
import type { TranscriptLinks } from '../transcripts/transcript-links.js';
import { createChatActivitySender } from './chat-activity-attributes.js';
import { CHAT_ACTIVITY_TYPE, chatEventKeyOf } from './chat-activity-type.js';
import {
  CHAT_ACTIVITY_KIND,
  CHAT_LEAD_UPSERT_KIND,
  chatActivityIdentity,
  chatActivityItem,
  chatActivityPayloadSchema,
  chatEventKey,
  chatLeadUpsertPayloadSchema,
  type ChatActivity,
} from './chat-events-outbox.js';
import { createChatWriteHandlers } from './chat-write-handlers.js';
import { CHAT_ACTION_KIND, CHAT_LEAD_FIELDS_KIND } from './chat-write-items.js';

export interface ChatOutboxHandlerDeps {
  marketo: MarketoApi;
  store: LeadStore;
  clock: Clock;
  logger: Logger;
  /**
   * How long Marketo is given to finish a call whose answer we lost before a look that found
   * nothing lets us send again (default 2 min: activity-verification.ts DEFAULT_SETTLE_MS).
   */
  settleMs?: number;
  /** Signs the transcript link each activity carries (transcripts/transcript-links.ts). */
  transcriptLinks?: Pick<TranscriptLinks, 'url'> | undefined;
}

export type ChatOutboxHandlers = Readonly<
  Record<
    | typeof CHAT_ACTIVITY_KIND
    | typeof CHAT_LEAD_UPSERT_KIND
    | typeof CHAT_LEAD_FIELDS_KIND
    | typeof CHAT_ACTION_KIND,
    OutboxHandler
  >
>;

/**
 * The outbox handlers of the chat's Marketo write-backs (see chat-events-outbox.ts).
 *
 * The activity type is ensured once per process, on the first delivery (list; create, add the
 * attributes and approve if missing). Records that the relay delivers together are sent as one
 * Add Custom Activities or Sync Leads call of up to 300 (record-batcher.ts); the Marketo relay
 * claims 300 items a pass, each in a lane of its own (MARKETO_RELAY in service-outbox.ts).
 *
 * Each event's activity is written exactly once, as the meetings' are: Marketo has no
 * idempotency key, and a call that reached Marketo may have lost its answer (502 after the
 * write, time-out, dropped connection) or its completion may not have been recorded (the
 * process died). So an attempt that may follow such a one looks in Marketo first (Get Lead
 * Activities by the `conversationId` and `eventId` attributes) and sends only when, after a
 * settle time, the activity is still not there; an attempt that certainly sent nothing is
 * retried without the look (marketo-activities/activity-verification.ts, applied by
 * verified-activity-delivery.ts). The items of a batch whose answer was lost come back
 * together and share one look and one settling: a few calls for up to 300 items.
 */
export function createChatOutboxHandlers(deps: ChatOutboxHandlerDeps): ChatOutboxHandlers {
  const activityType = createActivityTypeResolver(deps.marketo, CHAT_ACTIVITY_TYPE);
  const deliverVerified = createVerifiedActivityDelivery({
    findActivity: createActivityFinder(deps.marketo, {
      eventKeyOf: chatEventKeyOf,
      clock: deps.clock,
      incompleteCode: 'CHAT_LOOKUP_INCOMPLETE',
    }),
    settleMs: deps.settleMs ?? DEFAULT_SETTLE_MS,
    label: 'chat',
  });
  const activities = createRecordBatcher<CustomActivityInput, RecordResult>({
    send: (records) => deps.marketo.addCustomActivities(records),
  });
  const upserts = createLeadUpsertBatcher(deps.marketo);
  // Attributes a type approved earlier lacks are added or left out (chat-activity-attributes.ts).
  const addActivity = createChatActivitySender({
    marketo: deps.marketo,
    logger: deps.logger,
    submit: (record) => activities.submit(record),
    transcriptUrl: deps.transcriptLinks
      ? (activity: ChatActivity) =>
          deps.transcriptLinks!.url(activity.conversationId, activity.occurredAt)
      : undefined,
  });

  return {
    // Captured answers and action cards (chat-write-handlers.ts).
    ...createChatWriteHandlers({ ...deps, upserts }),
    [CHAT_ACTIVITY_KIND]: (item, ctx) => {
      const delivery = readPayload(chatActivityPayloadSchema, item.payload);
      const { leadId, activity } = delivery;
      // A quota deferral copies `item`: give the copy what it must know (look first or not).
      const verify = verificationForCopy(attemptForRules(ctx.attempt, item.lastError), delivery);
      const copyable = { ...item, payload: { ...delivery, verify } };
      return deliverToMarketo(copyable, () =>
        deliverVerified(
          {
            item,
            delivery,
            identity: chatActivityIdentity(activity),
            leadId,
            eventKey: chatEventKey(activity),
            occurredAt: activity.occurredAt,
            activityTypeId: async () => (await activityType()).id,
            send: async (typeId) => {
              const result = await addActivity(leadId, typeId, activity);
              checkRecordResult(result, `activity for lead ${leadId}`);
              ctx.logger.debug(
                { leadId, event: activity.type },
                'chat activity written to Marketo',
              );
            },
          },
          ctx,
        ),
      );
    },

    [CHAT_LEAD_UPSERT_KIND]: (item, ctx) =>
      deliverToMarketo(item, async () => {
        const { email, activity } = readPayload(chatLeadUpsertPayloadSchema, item.payload);
        const normalised = email.toLowerCase();
        // The sync may have brought the lead since the event: then no call is needed.
        let leadId = (await deps.store.findLeadsByEmail(normalised))[0]?.id;
        if (leadId === undefined) {
          const result = await upserts.submit(normalised);
          checkRecordResult(result, 'lead upsert');
          if (result.id === undefined) {
            throw new OutboxHandlerError('MARKETO_BAD_RESPONSE', 'Sync Leads gave no lead id', {
              retryable: true,
            });
          }
          leadId = result.id;
          ctx.logger.info({ leadId, status: result.status }, 'chat visitor upserted in Marketo');
        }
        // Stored with this item's completion, in one write: the activity cannot be lost.
        return { followUps: [chatActivityItem(leadId, activity)] };
      }),
  };
}

function readPayload<S extends z.ZodType>(schema: S, payload: unknown): z.output<S> {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  throw new OutboxHandlerError('CHAT_PAYLOAD_INVALID', 'stored chat write-back is unreadable', {
    retryable: false,
  });
}
