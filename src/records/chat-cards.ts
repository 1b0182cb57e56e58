import { z } from 'zod';
import { httpUrlSchema } from './chat-configuration.js';
import { audienceConditionSchema, conditionOperatorSchema } from './chat-targeting.js';

/**
 * A dialogue's cards (Dynamic Chat's, marketo-facts.md §7): message, question with buttons,
 * email capture, typed input, form, condition, document, Marketo action, meeting booking and
 * goal, and what a visitor's answer may be.
 */

/** A card's id, unique in its dialogue: what `next`, `start` and translations refer to. */
export const cardIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, { error: 'card ids are 1-40 letters, digits, _ or -' });
/** A card's text as the visitor reads it (lead tokens like `{{lead.firstName:"there"}}`). */
export const cardTextSchema = z.string().trim().min(1).max(1000);
// Short names for the many card shapes below.
const cardId = cardIdSchema;
const text = cardTextSchema;

/** A Marketo lead field's REST name (e.g. `phone`, `company`, `jobTitle`), written on capture. */
export const leadFieldNameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, {
  error: 'must be a Marketo field REST name such as phone',
});

/**
 * What a visitor may answer and how it is checked, in the widget and again on the server
 * (src/chat/answer-validation.ts). Dynamic Chat's question card answer types.
 */
export const answerSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), maxLength: z.number().int().min(1).max(1000).default(255) }),
  /** Digits with an optional leading +, spaces, dots, dashes and brackets; 6 to 15 digits. */
  z.object({ kind: z.literal('phone') }),
  z.object({
    kind: z.literal('number'),
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().default(false),
  }),
  /** Checked like the email card: syntax and the blocked domains. */
  z.object({ kind: z.literal('email') }),
  z.object({
    kind: z.literal('picklist'),
    options: z
      .array(
        z.object({
          label: z.string().trim().min(1).max(100),
          /** What is stored and written to the field; the label when absent. */
          value: z.string().trim().min(1).max(255).optional(),
        }),
      )
      .min(1)
      .max(50),
  }),
]);
export type AnswerSpec = z.infer<typeof answerSpecSchema>;

/** One field of a form card; its answer is kept under `key` (unique in the dialogue). */
export const formFieldSchema = z.object({
  key: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, { error: 'keys are 1-40 letters, digits, _ or -' }),
  label: z.string().trim().min(1).max(100),
  answer: answerSpecSchema,
  /** The lead field the answer is written to; kept in the conversation only when absent. */
  field: leadFieldNameSchema.optional(),
  required: z.boolean().default(true),
});
export type FormField = z.infer<typeof formFieldSchema>;

/**
 * What a condition card tests. `lead`: a synced field of the visitor's lead (audience
 * operators; only for a visitor Marketo knows by cookie, as audiences). `answer`: an answer
 * given earlier in this conversation, by card id (input, question) or form field key.
 * `known`: whether the visitor is a known lead.
 */
export const branchConditionSchema = z.discriminatedUnion('source', [
  z.object({
    source: z.literal('lead'),
    field: z.string().trim().min(1).max(100),
    operator: conditionOperatorSchema,
    value: audienceConditionSchema.shape.value,
  }),
  z.object({
    source: z.literal('answer'),
    answer: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
    operator: conditionOperatorSchema,
    value: audienceConditionSchema.shape.value,
  }),
  z.object({ source: z.literal('known'), known: z.boolean() }),
]);
export type BranchCondition = z.infer<typeof branchConditionSchema>;

export const cardSchema = z.discriminatedUnion('type', [
  z.object({ id: cardId, type: z.literal('message'), text, next: cardId.nullable() }),
  z.object({
    id: cardId,
    type: z.literal('question'),
    text,
    buttons: z
      .array(
        z.object({
          label: z.string().trim().min(1).max(60),
          value: z.string().max(200).optional(),
          next: cardId.nullable(),
        }),
      )
      .min(1)
      .max(10),
    /** The lead field the chosen button's value (or label) is written to. */
    field: leadFieldNameSchema.optional(),
  }),
  z.object({
    id: cardId,
    type: z.literal('email'),
    text,
    /** Lead field the answer is written to. */
    field: z.literal('email').default('email'),
    next: cardId.nullable(),
  }),
  /** One typed answer (free text, phone, number, email, picklist), kept under the card id. */
  z.object({
    id: cardId,
    type: z.literal('input'),
    text,
    answer: answerSpecSchema,
    field: leadFieldNameSchema.optional(),
    next: cardId.nullable(),
  }),
  /** A short form: several answers in one step. */
  z.object({
    id: cardId,
    type: z.literal('form'),
    text,
    fields: z.array(formFieldSchema).min(1).max(10),
    submitLabel: z.string().trim().min(1).max(40).default('Send'),
    next: cardId.nullable(),
  }),
  /** Invisible: the first branch whose conditions hold (by its `match`) wins, else `otherwise`. */
  z.object({
    id: cardId,
    type: z.literal('condition'),
    branches: z
      .array(
        z.object({
          match: z.enum(['all', 'any']),
          conditions: z.array(branchConditionSchema).min(1).max(10),
          next: cardId.nullable(),
        }),
      )
      .min(1)
      .max(10),
    otherwise: cardId.nullable(),
  }),
  /** A document offered as a link; opening it is recorded as an activity on the lead. */
  z.object({
    id: cardId,
    type: z.literal('document'),
    text,
    document: z.object({ title: z.string().trim().min(1).max(200), url: httpUrlSchema }),
    next: cardId.nullable(),
  }),
  /** Invisible: a Marketo action for the visitor's lead, through the outbox. */
  z.object({
    id: cardId,
    type: z.literal('action'),
    action: z.discriminatedUnion('kind', [
      /** Add the lead to a static list (POST /rest/v1/lists/{listId}/leads.json). */
      z.object({ kind: z.literal('add-to-list'), listId: z.number().int().positive() }),
      /** Request a smart campaign for the lead (POST /rest/v1/campaigns/{id}/trigger.json). */
      z.object({ kind: z.literal('request-campaign'), campaignId: z.number().int().positive() }),
    ]),
    next: cardId.nullable(),
  }),
  z.object({
    id: cardId,
    type: z.literal('booking'),
    text,
    routing: z.enum(['round-robin', 'agent']),
    agentEmail: z.email().optional(),
    /** Meeting types the visitor picks from (agent meeting type ids); the agent's default when absent. */
    meetingTypes: z
      .array(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/))
      .max(10)
      .optional(),
    next: cardId.nullable(),
  }),
  z.object({
    id: cardId,
    type: z.literal('goal'),
    name: z.string().trim().min(1).max(100),
    next: cardId.nullable(),
  }),
]);
export type Card = z.infer<typeof cardSchema>;
