import { ValidationError } from '../errors.js';
import type { Card, ChatEvent, DialogueContent } from '../records/chat-contract.js';
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
 * The store keeps the published version only, not each version a conversation may have
 * started with: an event of an older version is checked against the current version's card of
 * the same id and kind, and refused when that card is gone or changed kind.
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
    `cardId: card ${card.id} is a ${card.type} card, which sends no ${event.type} event`,
    'cardId',
  );
}

/** Marketo string attributes hold 255; the activity's `value` at most 254 (chat-events-outbox). */
const MAX_VALUE = 254;

/** The document opened, for the activity's `value`: `Title <url>`, or the URL when too long. */
export function documentValue(document: { title: string; url: string }): string {
  const both = `${document.title} <${document.url}>`;
  if (both.length <= MAX_VALUE) return both;
  return document.url.slice(0, MAX_VALUE);
}
