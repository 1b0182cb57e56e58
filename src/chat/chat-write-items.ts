import { z } from 'zod';
import type { NewOutboxItem } from '../store/types.js';
import { leadFieldNameSchema } from '../records/chat-cards.js';

/**
 * The Marketo write-backs of conversation cards, beside the chat activity (chat-events-outbox.ts):
 *
 * - `marketo-chat-lead-fields`: answers mapped to lead fields, written by Sync Leads
 *   (createOrUpdate by email, batched: chat-write-handlers.ts). Keyed by event: an event is
 *   recorded once, so its fields are written once.
 * - `marketo-chat-action`: an action card's add-to-list or request-campaign for the lead. Keyed by
 *   conversation and card, not event: a visitor who reaches the same action twice in one
 *   conversation (a restart, a step back) gets it once.
 *
 * The lead is named by its Marketo id when known (a cookie), else by email (typed, or the
 * cookie lead's email for an upsert), exactly as the chat activity is.
 */
export const CHAT_LEAD_FIELDS_KIND = 'marketo-chat-lead-fields';
export const CHAT_ACTION_KIND = 'marketo-chat-action';

const leadRefSchema = z.union([
  z.object({ email: z.email().max(254) }),
  z.object({ leadId: z.number().int().positive() }),
]);
export type LeadRef = z.infer<typeof leadRefSchema>;

export const leadFieldValuesSchema = z.record(leadFieldNameSchema, z.string().max(1000));

export const chatLeadFieldsPayloadSchema = z.object({
  lead: leadRefSchema,
  fields: leadFieldValuesSchema,
});
export type ChatLeadFieldsPayload = z.infer<typeof chatLeadFieldsPayloadSchema>;

export const chatActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('add-to-list'), listId: z.number().int().positive() }),
  z.object({ kind: z.literal('request-campaign'), campaignId: z.number().int().positive() }),
]);
export type ChatAction = z.infer<typeof chatActionSchema>;

export const chatActionPayloadSchema = z.object({
  lead: leadRefSchema,
  action: chatActionSchema,
  conversationId: z.string().min(1).max(64),
  cardId: z.string().min(1).max(40),
});
export type ChatActionPayload = z.infer<typeof chatActionPayloadSchema>;

export function chatLeadFieldsItem(
  lead: LeadRef,
  fields: Record<string, string>,
  eventKey: string,
): NewOutboxItem {
  const payload: ChatLeadFieldsPayload = { lead, fields };
  return { kind: CHAT_LEAD_FIELDS_KIND, dedupeKey: `chat-lead-fields:${eventKey}`, payload };
}

export function chatActionItem(
  lead: LeadRef,
  action: ChatAction,
  conversationId: string,
  cardId: string,
): NewOutboxItem {
  const payload: ChatActionPayload = { lead, action, conversationId, cardId };
  return {
    kind: CHAT_ACTION_KIND,
    dedupeKey: `chat-action:${conversationId}:${cardId}`,
    payload,
  };
}
