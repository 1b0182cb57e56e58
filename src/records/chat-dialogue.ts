import { z } from 'zod';
import { cardIdSchema, cardSchema, cardTextSchema } from './chat-cards.js';
import { audienceSchema, targetPagesSchema, urlPatternSchema } from './chat-targeting.js';

/**
 * A dialogue as the admin edits and publishes it. Modelled on Dynamic Chat (marketo-facts.md
 * §7): priority-ordered dialogues targeted by audience and page URLs (chat-targeting.ts), a
 * conversation of cards (chat-cards.ts), translations per language. Admin routes, the store,
 * the public endpoints and the widget all use these schemas; types are inferred from them.
 */

/** A BCP 47 primary language with an optional region: `fr`, `de-AT`, `ja`. */
export const languageTagSchema = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, { error: 'must be a language tag such as fr or de-AT' });

export const dialogueContentSchema = z.object({
  name: z.string().trim().min(1).max(120),
  audience: audienceSchema,
  pages: targetPagesSchema(urlPatternSchema),
  /** Higher wins when a visitor qualifies for several dialogues. */
  priority: z.number().int().min(0).max(1000),
  /** The conversation: `start` is the first card. */
  start: cardIdSchema,
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
        cardIdSchema,
        z.object({
          text: cardTextSchema.optional(),
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
