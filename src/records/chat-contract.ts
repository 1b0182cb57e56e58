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

const cardId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, { error: 'card ids are 1-40 letters, digits, _ or -' });
const text = z.string().trim().min(1).max(1000);

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
  }),
  z.object({
    id: cardId,
    type: z.literal('email'),
    text,
    /** Lead field the answer is written to. */
    field: z.literal('email').default('email'),
    next: cardId.nullable(),
  }),
  z.object({
    id: cardId,
    type: z.literal('booking'),
    text,
    routing: z.enum(['round-robin', 'agent']),
    agentEmail: z.email().optional(),
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
});
export type DialogueContent = z.infer<typeof dialogueContentSchema>;

export interface Dialogue {
  id: string;
  /** The on/off switch of this dialogue. */
  enabled: boolean;
  draft: DialogueContent;
  /** What visitors get; a conversation keeps the version it started with. */
  published: { version: number; content: DialogueContent; publishedAt: string } | null;
  createdAt: string;
  updatedAt: string;
}

/* ----------------------------------- widget wire shapes ----------------------------------- */

/** GET /chat/config: everything published, one document with a strong ETag. */
export interface PublishedChatDocument {
  configuration: Omit<ChatConfiguration, 'blockedEmailDomains' | 'allowedDomains'>;
  /** Published, enabled dialogues, highest priority first; audiences are not exposed. */
  dialogues: Array<{ id: string; version: number; name: string; start: string; cards: Card[] }>;
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
});
export type ResolveRequest = z.infer<typeof resolveRequestSchema>;

/** POST /chat/resolve: which dialogue to show, with this visitor's tokens filled in. */
export interface ResolveResponse {
  dialogue: { id: string; version: number; name: string; start: string; cards: Card[] } | null;
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
