import { z } from 'zod';
import type { Card } from './chat-cards.js';
import type { ChatConfiguration } from './chat-configuration.js';
import type { DialogueContent } from './chat-dialogue.js';

/**
 * What the website widget and the service exchange, besides the events (chat-event.ts): the
 * published document (GET /chat/config), which dialogue to show (POST /chat/resolve) and which
 * way a condition card goes (POST /chat/branch), with the visitor as the widget knows it.
 */

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
