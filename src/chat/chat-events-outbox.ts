import { z } from 'zod';
import {
  verificationFields,
  type ActivityItemIdentity,
} from '../marketo-activities/activity-verification.js';
import type { NewOutboxItem } from '../store/types.js';
import { chatEventTypeSchema } from '../records/chat-event.js';

/**
 * The Marketo write-backs of widget events, as outbox items (research B1: stored in the same
 * write as the event, delivered later by the relay). Both payloads are parsed again by the
 * handlers in chat-outbox-handlers.ts when they read them back.
 *
 * - `marketo-chat-activity`: one "Interact with Chat Dialogue" activity on a lead whose Marketo
 *   id we know (from the local copy, or from the upsert below).
 * - `marketo-lead-upsert`: the visitor gave an email we have no lead for: Sync Leads
 *   (createOrUpdate by email) creates or finds the lead, and the activity follows up with the
 *   id Marketo returned.
 */
export const CHAT_ACTIVITY_KIND = 'marketo-chat-activity';
export const CHAT_LEAD_UPSERT_KIND = 'marketo-lead-upsert';

/** What happened, as written into the activity's attributes. */
export const chatActivitySchema = z.object({
  /**
   * The id the event was recorded under: with conversationId it recognises a duplicate in
   * Marketo, which has no idempotency key.
   */
  eventId: z.string().min(1).max(100),
  type: chatEventTypeSchema,
  dialogueId: z.string().min(1).max(64),
  dialogueVersion: z.number().int().positive(),
  /** The activity's primary attribute. */
  dialogueName: z.string().min(1).max(255),
  conversationId: z.string().min(1).max(64),
  pageUrl: z.string().min(1).max(2048),
  value: z.string().max(254).optional(),
  /**
   * How the visitor is known (visitor-identity.ts): `cookie`, Marketo's own association of their
   * Munchkin cookie; `typed`, an email they typed, not verified. Items stored before this existed
   * were all typed.
   */
  identity: z.enum(['cookie', 'typed']).default('typed'),
  /** When the service received the event, epoch ms. */
  occurredAt: z.number(),
});
export type ChatActivity = z.infer<typeof chatActivitySchema>;

/**
 * `verify` and `unsent` are written only by the exactly-once delivery
 * (marketo-activities/activity-verification.ts) on its own copies of the item; items enqueued
 * here, and those stored before the fields existed, have neither.
 */
export const chatActivityPayloadSchema = z.object({
  leadId: z.number().int().positive(),
  activity: chatActivitySchema,
  ...verificationFields,
});
export type ChatActivityPayload = z.infer<typeof chatActivityPayloadSchema>;

export const chatLeadUpsertPayloadSchema = z.object({
  email: z.email().max(254),
  activity: chatActivitySchema,
});
export type ChatLeadUpsertPayload = z.infer<typeof chatLeadUpsertPayloadSchema>;

/**
 * The event's key, `<conversationId>:<eventId>`: its outbox items' dedupe keys end with it, and
 * its activity in Marketo carries both parts as attributes (chatEventKeyOf reads them back).
 */
export const chatEventKey = (activity: Pick<ChatActivity, 'conversationId' | 'eventId'>) =>
  `${activity.conversationId}:${activity.eventId}`;

/** The item that sends the event's activity, as the settle and unsent copies name it. */
export function chatActivityIdentity(activity: ChatActivity): ActivityItemIdentity {
  return { kind: CHAT_ACTIVITY_KIND, dedupeKey: `chat-activity:${chatEventKey(activity)}` };
}

/**
 * One activity per event, whichever way it is reached. Events are unique per conversation (the
 * store records `<conversationId>:<eventId>` once), so the keys are too.
 */
export function chatActivityItem(leadId: number, activity: ChatActivity): NewOutboxItem {
  const payload: ChatActivityPayload = { leadId, activity };
  return { ...chatActivityIdentity(activity), payload };
}

export function chatLeadUpsertItem(email: string, activity: ChatActivity): NewOutboxItem {
  const payload: ChatLeadUpsertPayload = { email, activity };
  return {
    kind: CHAT_LEAD_UPSERT_KIND,
    dedupeKey: `chat-lead-upsert:${chatEventKey(activity)}`,
    payload,
  };
}
