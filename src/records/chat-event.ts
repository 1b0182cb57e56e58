import { z } from 'zod';
import { languageTagSchema } from './chat-dialogue.js';
import { visitorSchema } from './chat-widget-api.js';

/**
 * What the widget reports of a conversation (POST /chat/events), each event once by its id:
 * stored for the transcript and the dialogue's counters, and written back to Marketo as chat
 * activities and lead fields through the outbox.
 */

export const chatEventTypeSchema = z.enum([
  'triggered',
  'engaged',
  'email-given',
  'goal-reached',
  'meeting-booked',
  'completed',
  /** Answers of an input, question (with a field), form or picklist card. */
  'answered',
  /** The visitor opened a document card's document. */
  'document-opened',
  /** An action card was reached: its Marketo action is requested for the lead. */
  'action-reached',
]);

export const chatEventSchema = z.object({
  type: chatEventTypeSchema,
  dialogueId: z.string().min(1).max(64),
  dialogueVersion: z.number().int().positive(),
  /** The widget's conversation id: one per visitor and dialogue. */
  conversationId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  /** Unique per event; a retried event with the same id is counted once. */
  eventId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  pageUrl: z.url({ protocol: /^https?$/ }).max(2048),
  visitor: visitorSchema,
  /** email-given: the email; goal-reached: the goal name; meeting-booked: the meeting id. */
  value: z.string().max(254).optional(),
  /** The card the event comes from (answered, document-opened, action-reached). */
  cardId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/)
    .optional(),
  /** answered: by card id or form field key, the visitor's answers as typed or chosen. */
  answers: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/), z.string().max(1000)).optional(),
  /** Cards shown since the previous event, in order (for the transcript). */
  cardsSeen: z
    .array(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/))
    .max(100)
    .optional(),
  /** The widget language the conversation ran in. */
  language: languageTagSchema.optional(),
});
export type ChatEvent = z.infer<typeof chatEventSchema>;

/** Counters per dialogue, as Dynamic Chat reports them. */
export interface DialogueStats {
  triggered: number;
  engaged: number;
  completed: number;
  peopleAcquired: number;
  meetingsBooked: number;
  goalsReached: number;
}
