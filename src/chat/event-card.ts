import { ValidationError } from '../errors.js';
import type { Card } from '../records/chat-cards.js';
import type { Dialogue, DialogueContent } from '../records/chat-dialogue.js';
import type { ChatEvent } from '../records/chat-event.js';
import { isAnswerCard, type AnswerCard } from './answer-events.js';

export type EventCard =
  | { type: 'answered'; card: AnswerCard }
  | { type: 'document-opened'; card: Extract<Card, { type: 'document' }> }
  | { type: 'action-reached'; card: Extract<Card, { type: 'action' }> }
  | undefined;

/**
 * The card an `answered`, `document-opened` or `action-reached` event comes from, in the
 * published content: 400 naming `cardId` when it is missing, names no card, or names a card of
 * another kind (an answer for a message card, a document event for a form...).
 *
 * `content` is the version the event names (publishedContent below).
 */
export function eventCard(content: DialogueContent, event: ChatEvent): EventCard {
  if (
    event.type !== 'answered' &&
    event.type !== 'document-opened' &&
    event.type !== 'action-reached'
  ) {
    return undefined;
  }
  if (event.cardId === undefined) {
    throw new ValidationError(`cardId: a ${event.type} event names its card`, 'cardId');
  }
  const card = content.cards.find((c) => c.id === event.cardId);
  if (card === undefined) {
    throw new ValidationError('cardId: the published dialogue has no such card', 'cardId');
  }
  if (event.type === 'answered' && isAnswerCard(card)) return { type: event.type, card };
  if (event.type === 'document-opened' && card.type === 'document') {
    return { type: event.type, card };
  }
  if (event.type === 'action-reached' && card.type === 'action') return { type: event.type, card };
  throw new ValidationError(
    `cardId: card ${card.id} is ${/^[aeiou]/.test(card.type) ? 'an' : 'a'} ${card.type} card, which sends no ${event.type} event`,
    'cardId',
  );
}

/**
 * The content of the published version a conversation runs on: the current one, or one of the
 * few kept before it (dialogue-admin.ts). A version no longer kept (or published before they
 * were kept) falls back to the current one: its card of the same id and kind checks the event,
 * which is refused when that card is gone or changed kind.
 */
export function publishedContent(
  published: PublishedVersion,
  earlier: Dialogue['earlier'],
  version: number,
): DialogueContent {
  if (version === published.version) return published.content;
  return earlier?.find((e) => e.version === version)?.content ?? published.content;
}

type PublishedVersion = NonNullable<Dialogue['published']>;

/** Marketo string attributes hold 255; the activity's `value` at most 254 (chat-events-outbox). */
const MAX_VALUE = 254;

/** The document opened, for the activity's `value`: `Title <url>`, or the URL when too long. */
export function documentValue(document: { title: string; url: string }): string {
  const both = `${document.title} <${document.url}>`;
  if (both.length <= MAX_VALUE) return both;
  return document.url.slice(0, MAX_VALUE);
}
