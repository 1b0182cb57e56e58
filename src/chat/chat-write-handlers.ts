import type { MarketoApi, RecordResult } from '../clients/marketo/types.js';
import { createLeadFieldsBatcher } from '../marketo-activities/lead-fields-batcher.js';
import type { LeadUpsert } from '../marketo-activities/lead-upsert-batcher.js';
import { checkRecordResult, deliverToMarketo } from '../marketo-activities/marketo-delivery.js';
import { createRecordBatcher, type RecordBatcher } from '../marketo-activities/record-batcher.js';
import { OutboxHandlerError, type OutboxHandler } from '../outbox/outbox-handler.js';
import type { LeadStore } from '../store/types.js';
import {
  CHAT_ACTION_KIND,
  CHAT_LEAD_FIELDS_KIND,
  chatActionPayloadSchema,
  chatLeadFieldsPayloadSchema,
  type LeadRef,
} from './chat-write-items.js';

/** Add to List takes 300 lead ids per call, Request Campaign 100 (swagger-mapi). */
const LIST_BATCH = 300;
const CAMPAIGN_BATCH = 100;

export interface ChatWriteHandlerDeps {
  marketo: Pick<MarketoApi, 'syncLeads' | 'addLeadsToList' | 'requestCampaign'>;
  store: Pick<LeadStore, 'findLeadsByEmail'>;
  /** The chat's one lead upsert batcher: a new visitor's lead is created by one record. */
  upserts: RecordBatcher<string | LeadUpsert, RecordResult>;
}

/**
 * Handlers of the conversation cards' write-backs (chat-write-items.ts). Everything that the
 * relay delivers together is batched per Marketo call: field values by Sync Leads (300), list
 * additions per list (300), campaign requests per campaign (100). Every call goes through the
 * Marketo client, so within its call budget and daily quota (deliverToMarketo defers an item
 * to the quota's reset). An unknown list or campaign (1013), or a campaign that cannot be
 * requested (1003), fails the same way every time: dead letter, visible in the admin outbox.
 */
export function createChatWriteHandlers(
  deps: ChatWriteHandlerDeps,
): Readonly<Record<typeof CHAT_LEAD_FIELDS_KIND | typeof CHAT_ACTION_KIND, OutboxHandler>> {
  const { upserts } = deps;
  const fields = createLeadFieldsBatcher(deps.marketo, upserts);
  const lists = batchersBy((listId) =>
    createRecordBatcher<number, RecordResult>({
      maxBatch: LIST_BATCH,
      send: (ids) => deps.marketo.addLeadsToList(listId, ids),
    }),
  );
  const campaigns = batchersBy((campaignId) =>
    createRecordBatcher<number, RecordResult>({
      maxBatch: CAMPAIGN_BATCH,
      send: async (ids) => {
        await deps.marketo.requestCampaign(campaignId, ids);
        // No per-lead result: the whole call succeeded for every lead in it.
        return ids.map((id) => ({ status: 'added', id }));
      },
    }),
  );

  /** The lead's Marketo id: given, in the local copy, or from a createOrUpdate on its email. */
  const leadIdOf = async (lead: LeadRef): Promise<number> => {
    if ('leadId' in lead) return lead.leadId;
    const email = lead.email.toLowerCase();
    const local = (await deps.store.findLeadsByEmail(email))[0]?.id;
    if (local !== undefined) return local;
    const result = await upserts.submit(email);
    checkRecordResult(result, 'lead upsert');
    if (result.id === undefined) {
      throw new OutboxHandlerError('MARKETO_BAD_RESPONSE', 'Sync Leads gave no lead id', {
        retryable: true,
      });
    }
    return result.id;
  };

  return {
    [CHAT_LEAD_FIELDS_KIND]: (item) =>
      deliverToMarketo(item, async () => {
        const { lead, fields: values } = readPayload(chatLeadFieldsPayloadSchema, item.payload);
        const record =
          'email' in lead
            ? { email: lead.email.toLowerCase(), fields: values }
            : { id: lead.leadId, fields: values };
        checkRecordResult(await fields.submit(record), 'lead field update');
      }),

    [CHAT_ACTION_KIND]: (item, ctx) =>
      deliverToMarketo(item, async () => {
        const { lead, action, cardId } = readPayload(chatActionPayloadSchema, item.payload);
        const leadId = await leadIdOf(lead);
        if (action.kind === 'add-to-list') {
          const result = await lists(action.listId).submit(leadId);
          checkRecordResult(result, `add to list ${action.listId}`);
        } else {
          await campaigns(action.campaignId).submit(leadId);
        }
        ctx.logger.debug({ leadId, cardId, action: action.kind }, 'chat action done in Marketo');
      }),
  };
}

/** One batcher per list or campaign: a Marketo call names one of them. */
function batchersBy(
  create: (id: number) => RecordBatcher<number, RecordResult>,
): (id: number) => RecordBatcher<number, RecordResult> {
  const batchers = new Map<number, RecordBatcher<number, RecordResult>>();
  return (id) => {
    let batcher = batchers.get(id);
    if (batcher === undefined) batchers.set(id, (batcher = create(id)));
    return batcher;
  };
}

function readPayload<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  payload: unknown,
): T {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  throw new OutboxHandlerError('CHAT_PAYLOAD_INVALID', 'stored chat write-back is unreadable', {
    retryable: false,
  });
}
