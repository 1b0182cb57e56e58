import type { Card } from '../../records/chat-cards.js';

/**
 * The pure rules of playing a dialogue, kept apart from the DOM so they run in node tests.
 * A dialogue is a graph of cards: message, goal, document and action cards play by themselves
 * and follow `next`; question, email, input, form and booking cards wait for the visitor; a
 * condition card waits for the service's verdict (POST /chat/branch); `next: null` ends a branch.
 */

/** A dialogue as POST /chat/resolve serves it, tokens already rendered by the server. */
export interface DialogueCards {
  id: string;
  version: number;
  name: string;
  start: string;
  cards: Card[];
}

export type AutoCard = Extract<Card, { type: 'message' | 'goal' | 'document' | 'action' }>;
export type AskCard = Extract<Card, { type: 'question' | 'email' | 'booking' | 'input' | 'form' }>;
export type ConditionCard = Extract<Card, { type: 'condition' }>;

const ASKS: ReadonlySet<Card['type']> = new Set(['question', 'email', 'booking', 'input', 'form']);

export const isAskCard = (card: Card | undefined): card is AskCard =>
  card !== undefined && ASKS.has(card.type);

export type WalkStop =
  /** The visitor has to answer this card before the dialogue goes on. */
  | { kind: 'ask'; card: AskCard }
  /** The service decides where this condition card leads. */
  | { kind: 'condition'; card: ConditionCard }
  /** The branch ended normally: the conversation is completed. */
  | { kind: 'end' }
  /** The graph is broken (unknown card id, or cards looping forever): stop quietly. */
  | { kind: 'broken' };

export interface Walk {
  /** Cards that play by themselves, in order. */
  steps: AutoCard[];
  stop: WalkStop;
}

/** Walks from `from` (a card id, or null at the end of a branch) to the next stop. */
export function walkDialogue(dialogue: DialogueCards, from: string | null): Walk {
  const byId = new Map(dialogue.cards.map((c) => [c.id, c] as const));
  const steps: AutoCard[] = [];
  const seen = new Set<string>();
  let at = from;
  while (at !== null) {
    const card = byId.get(at);
    if (!card) return { steps, stop: { kind: 'broken' } };
    if (isAskCard(card)) return { steps, stop: { kind: 'ask', card } };
    if (card.type === 'condition') return { steps, stop: { kind: 'condition', card } };
    // A loop through cards that need no answer would play forever; a loop through a question
    // (ask again) is fine because it stops at the question.
    if (seen.has(at)) return { steps, stop: { kind: 'broken' } };
    seen.add(at);
    steps.push(card);
    at = card.next;
  }
  return { steps, stop: { kind: 'end' } };
}

/** Where a question's button leads; an unknown index is treated as the end of the branch. */
export function nextAfterButton(
  card: Extract<Card, { type: 'question' }>,
  index: number,
): string | null {
  const button = card.buttons[index];
  return button ? button.next : null;
}
