import { z } from 'zod';

/**
 * The chat's shared contract: the look and feel, the dialogues, and the wire shapes the
 * website widget exchanges with the service. Admin routes, the store, the public endpoints
 * and the widget all use these schemas; types are inferred from them.
 *
 * Modelled on Dynamic Chat (marketo-facts.md §7): priority-ordered dialogues targeted by
 * audience (known or anonymous visitors, person attributes, all/any groups) and page URLs
 * with `*` wildcards and exclusions; cards for message, question with buttons, email capture,
 * meeting booking and goal; lead tokens with defaults like `{{lead.firstName:"there"}}`.
 */

const hexColour = z
  .string()
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, { error: 'must be a hex colour like #1a73e8' });
const httpsUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);
const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/, {
    error: 'must be a host name such as example.com, *.example.com or localhost:3000',
  });

/* ------------------------------------- configuration ------------------------------------- */

export const chatConfigurationSchema = z.object({
  /** The global "Chat Enabled" switch: off, no dialogue is served. */
  chatEnabled: z.boolean(),
  style: z.object({
    fontFamily: z.string().trim().min(1).max(200),
    fontSizePx: z.number().int().min(10).max(24),
    colours: z.object({
      primary: hexColour,
      background: hexColour,
      text: hexColour,
      botBubble: hexColour,
      visitorBubble: hexColour,
    }),
    launcher: z.object({
      position: z.enum(['bottom-right', 'bottom-left']),
      paddingPx: z.number().int().min(0).max(200),
    }),
  }),
  bot: z.object({
    name: z.string().trim().min(1).max(60),
    headerLabel: z.string().trim().min(1).max(80),
    /** Square image, < 256 KB, < 200x200 px, jpg/png/gif/webp/svg (Dynamic Chat's rules). */
    avatar: z
      .object({
        url: httpsUrl,
        type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/svg+xml']),
        sizeBytes: z
          .number()
          .int()
          .positive()
          .max(256 * 1024 - 1),
        widthPx: z.number().int().positive().max(199),
        heightPx: z.number().int().positive().max(199),
      })
      .refine((a) => a.widthPx === a.heightPx, {
        error: 'avatar must be square',
        path: ['widthPx'],
      })
      .nullable(),
    /** The "typing" pause before each bot message. */
    responseDelaySeconds: z.number().min(0).max(10),
    notificationSound: z.boolean(),
  }),
  privacyPolicyUrl: httpsUrl.nullable(),
  /** The widget works only on these sites (and the service's own demo page). */
  allowedDomains: z.array(domain).max(50),
  /** Emails from these domains are refused by email capture (Dynamic Chat allows up to 50). */
  blockedEmailDomains: z.array(domain).max(50),
});
export type ChatConfiguration = z.infer<typeof chatConfigurationSchema>;

/* ---------------------------------------- dialogues --------------------------------------- */

export const conditionOperatorSchema = z.enum([
  'equals',
  'notEquals',
  'contains',
  'startsWith',
  'inList',
  'greaterThan',
  'lessThan',
  'isEmpty',
  'isNotEmpty',
]);

export const audienceConditionSchema = z.object({
  /** A synced lead field (SYNC_FIELDS), e.g. `country`. */
  field: z.string().trim().min(1).max(100),
  operator: conditionOperatorSchema,
  /** A string, a number, or a list for `inList`; absent for isEmpty/isNotEmpty. */
  value: z
    .union([z.string().max(500), z.number(), z.array(z.string().max(500)).max(200)])
    .optional(),
});
export type AudienceCondition = z.infer<typeof audienceConditionSchema>;

export const audienceSchema = z.object({
  visitors: z.enum(['all', 'known', 'anonymous']),
  /** How the groups combine; each group combines its own conditions with its own `match`. */
  match: z.enum(['all', 'any']),
  groups: z
    .array(
      z.object({
        match: z.enum(['all', 'any']),
        conditions: z.array(audienceConditionSchema).min(1).max(10),
      }),
    )
    .max(10),
});
export type Audience = z.infer<typeof audienceSchema>;

/** URL patterns: `https://example.com/pricing`, `https://*.example.com/*`; no query strings. */
export const urlPatternSchema = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .refine((p) => !p.includes('?'), { error: 'URL patterns cannot contain query parameters' });

/**
 * Which pages a dialogue shows on. `pattern` checks one pattern: the stored shape takes any
 * that passes `urlPatternSchema`, and what an admin saves is checked further
 * (publish-validation.ts `dialogueDraftSchema`), so an older store still loads.
 */
export const targetPagesSchema = (pattern: z.ZodType<string>) =>
  z.object({
    include: z.array(pattern).min(1).max(20),
    exclude: z.array(pattern).max(20),
  });

/** A BCP 47 primary language with an optional region: `fr`, `de-AT`, `ja`. */
export const languageTagSchema = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, { error: 'must be a language tag such as fr or de-AT' });

const cardId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, { error: 'card ids are 1-40 letters, digits, _ or -' });
const text = z.string().trim().min(1).max(1000);

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
    document: z.object({ title: z.string().trim().min(1).max(200), url: httpsUrl }),
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

export const dialogueContentSchema = z.object({
  name: z.string().trim().min(1).max(120),
  audience: audienceSchema,
  pages: targetPagesSchema(urlPatternSchema),
  /** Higher wins when a visitor qualifies for several dialogues. */
  priority: z.number().int().min(0).max(1000),
  /** The conversation: `start` is the first card. */
  start: cardId,
  cards: z.array(cardSchema).min(1).max(500),
  /**
   * Dialogue text per language (`fr`, `de`, `es`, `nl`, `ja`, ...): by card id, the card's
   * text and, in order, its button, option or form field labels. What is missing falls back to
   * the dialogue's own text.
   */
  translations: z
    .record(
      languageTagSchema,
      z.record(
        cardId,
        z.object({
          text: text.optional(),
          labels: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
        }),
      ),
    )
    .optional(),
});
export type DialogueContent = z.infer<typeof dialogueContentSchema>;

export interface Dialogue {
  id: string;
  /** The on/off switch of this dialogue. */
  enabled: boolean;
  draft: DialogueContent;
  /** What visitors get; a conversation keeps the version it started with. */
  published: { version: number; content: DialogueContent; publishedAt: string } | null;
  /**
   * The versions published before `published`, newest first, a few at most: conversations under
   * way keep their version, so their answers are checked against the cards they were shown.
   * Absent on dialogues stored before it existed, and until a second publish.
   */
  earlier?: Array<{ version: number; content: DialogueContent; publishedAt: string }>;
  createdAt: string;
  updatedAt: string;
}

/* ----------------------------------- widget wire shapes ----------------------------------- */

/** A published dialogue as the widget gets it. */
export interface PublishedDialogue {
  id: string;
  version: number;
  name: string;
  start: string;
  cards: Card[];
  translations?: DialogueContent['translations'];
}

/** GET /chat/config: everything published, one document with a strong ETag. */
export interface PublishedChatDocument {
  configuration: Omit<ChatConfiguration, 'blockedEmailDomains' | 'allowedDomains'>;
  /** Published, enabled dialogues, highest priority first; audiences are not exposed. */
  dialogues: PublishedDialogue[];
}

export const visitorSchema = z.object({
  /** The widget's own random id for this browser (localStorage). */
  anonymousId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/, { error: 'must be 8-64 letters, digits, _ or -' }),
  email: z.email().max(254).optional(),
  /** Value of the Munchkin `_mkto_trk` cookie, when the site runs Munchkin. */
  mktoTrk: z.string().max(200).optional(),
});

export const resolveRequestSchema = z.object({
  pageUrl: z.url({ protocol: /^https?$/ }).max(2048),
  visitor: visitorSchema,
  /**
   * A conversational flow: start this dialogue (window.MarketoChat.open(id), a link with
   * `data-marketo-chat`), when the visitor qualifies for it by the same targeting checks.
   */
  dialogueId: z.string().min(1).max(64).optional(),
});
export type ResolveRequest = z.infer<typeof resolveRequestSchema>;

/** POST /chat/resolve: which dialogue to show, with this visitor's tokens filled in. */
export interface ResolveResponse {
  dialogue: PublishedDialogue | null;
  /** Why nothing is shown, when nothing is. */
  reason?: string;
  known: boolean;
}

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

/* ------------------------------------ condition cards ------------------------------------ */

/** POST /chat/branch: which way a condition card goes for this visitor. */
export const branchRequestSchema = z.object({
  dialogueId: z.string().min(1).max(64),
  dialogueVersion: z.number().int().positive(),
  cardId: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  conversationId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  visitor: visitorSchema,
  /** Answers given so far in this conversation (the widget's copy). */
  answers: z.record(z.string().regex(/^[A-Za-z0-9_-]{1,40}$/), z.string().max(1000)).default({}),
});
export type BranchRequest = z.infer<typeof branchRequestSchema>;
export interface BranchResponse {
  /** The next card id, or null when the conversation ends here. */
  next: string | null;
}
