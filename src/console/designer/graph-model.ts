import type { Card } from '../../records/chat-cards.js';
import type { DialogueContent } from '../../records/chat-dialogue.js';

/**
 * The dialogue as a graph and back, with no React in it: a node per card, an edge per way on
 * (`next`, a question's buttons, a condition's branches and `otherwise`), each leaving from a
 * named handle of its card. Connecting or removing an edge is a change to the cards.
 */

export interface Outlet {
  /** The handle id: `next`, `button-0`, `branch-1`, `otherwise`. */
  handle: string;
  label: string;
  target: string | null;
}

export function outletsOf(card: Card): Outlet[] {
  switch (card.type) {
    case 'question':
      return card.buttons.map((b, i) => ({
        handle: `button-${i}`,
        label: b.label,
        target: b.next,
      }));
    case 'condition':
      return [
        ...card.branches.map((b, i) => ({
          handle: `branch-${i}`,
          label: `Branch ${i + 1}`,
          target: b.next,
        })),
        { handle: 'otherwise', label: 'Otherwise', target: card.otherwise },
      ];
    default:
      return [{ handle: 'next', label: 'Next', target: card.next }];
  }
}

/** The card's field an outlet's problems are named by: `next`, `buttons.0.next`, `otherwise`. */
export function outletField(handle: string): string {
  const [kind, index] = handle.split('-');
  if (kind === 'button') return `buttons.${index}.next`;
  if (kind === 'branch') return `branches.${index}.next`;
  return handle;
}

/** The card with one outlet pointed at `target` (null: the conversation ends there). */
export function connectOutlet(card: Card, handle: string, target: string | null): Card {
  if (card.type === 'question') {
    const index = Number(handle.replace('button-', ''));
    return {
      ...card,
      buttons: card.buttons.map((b, i) => (i === index ? { ...b, next: target } : b)),
    };
  }
  if (card.type === 'condition') {
    if (handle === 'otherwise') return { ...card, otherwise: target };
    const index = Number(handle.replace('branch-', ''));
    return {
      ...card,
      branches: card.branches.map((b, i) => (i === index ? { ...b, next: target } : b)),
    };
  }
  return { ...card, next: target };
}

export interface GraphEdge {
  id: string;
  source: string;
  sourceHandle: string;
  target: string;
  label: string;
}

export function edgesOf(cards: Card[]): GraphEdge[] {
  const ids = new Set(cards.map((c) => c.id));
  return cards.flatMap((card) =>
    outletsOf(card)
      .filter((o) => o.target !== null && ids.has(o.target))
      .map((o) => ({
        id: `${card.id}:${o.handle}`,
        source: card.id,
        sourceHandle: o.handle,
        target: o.target as string,
        label: o.handle === 'next' ? '' : o.label,
      })),
  );
}

/** Columns by distance from the start card, rows in card order; cards no path reaches go last. */
export function layoutCards(
  content: Pick<DialogueContent, 'start' | 'cards'>,
): Map<string, { x: number; y: number }> {
  const byId = new Map(content.cards.map((c) => [c.id, c]));
  const depth = new Map<string, number>();
  const queue = [content.start];
  depth.set(content.start, 0);
  while (queue.length > 0) {
    const id = queue.shift() as string;
    const card = byId.get(id);
    if (!card) continue;
    for (const o of outletsOf(card)) {
      if (o.target !== null && !depth.has(o.target)) {
        depth.set(o.target, (depth.get(id) ?? 0) + 1);
        queue.push(o.target);
      }
    }
  }
  const maxDepth = Math.max(0, ...depth.values());
  const rows = new Map<number, number>();
  const positions = new Map<string, { x: number; y: number }>();
  for (const card of content.cards) {
    const column = depth.get(card.id) ?? maxDepth + 1;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    positions.set(card.id, { x: column * 280, y: row * 170 });
  }
  return positions;
}

/** A card id not yet in the dialogue: `message-2`, `question-3`… */
export function newCardId(cards: Card[], type: Card['type']): string {
  const ids = new Set(cards.map((c) => c.id));
  for (let n = 1; ; n += 1) {
    const id = `${type}-${n}`;
    if (!ids.has(id)) return id;
  }
}

export const CARD_TYPES_ADDED = [
  'message',
  'question',
  'email',
  'input',
  'form',
  'condition',
  'document',
  'action',
  'booking',
  'goal',
] as const;
export type AddedCardType = (typeof CARD_TYPES_ADDED)[number];

/** A new card of a type, valid as it stands (so a draft with it saves). */
export function newCard(cards: Card[], type: AddedCardType): Card {
  const id = newCardId(cards, type);
  switch (type) {
    case 'message':
      return { id, type, text: 'A new message.', next: null };
    case 'question':
      return {
        id,
        type,
        text: 'A new question?',
        buttons: [
          { label: 'Yes', next: null },
          { label: 'No', next: null },
        ],
      };
    case 'email':
      return { id, type, text: 'What is your email?', field: 'email', next: null };
    case 'condition':
      return {
        id,
        type,
        branches: [{ match: 'all', conditions: [{ source: 'known', known: true }], next: null }],
        otherwise: null,
      };
    case 'input':
      return {
        id,
        type,
        text: 'What is your phone number?',
        answer: { kind: 'phone' },
        field: 'phone',
        next: null,
      };
    case 'form':
      return {
        id,
        type,
        text: 'A few details, please.',
        fields: [
          {
            key: `${id}-company`,
            label: 'Company',
            answer: { kind: 'text', maxLength: 255 },
            field: 'company',
            required: true,
          },
        ],
        submitLabel: 'Send',
        next: null,
      };
    case 'document':
      return {
        id,
        type,
        text: 'Here is our guide.',
        document: { title: 'The guide', url: 'https://www.example.com/guide.pdf' },
        next: null,
      };
    case 'action':
      return { id, type, action: { kind: 'add-to-list', listId: 1 }, next: null };
    case 'booking':
      return { id, type, text: 'Pick a time that suits you.', routing: 'round-robin', next: null };
    case 'goal':
      return { id, type, name: 'New goal', next: null };
  }
}

/** Publish problems by card id: `cards.3.text` is the fourth card's `text`. */
export function problemsByCard(
  cards: Card[],
  issues: Array<{ field: string; message: string }>,
): Map<string, Array<{ field: string; message: string }>> {
  const found = new Map<string, Array<{ field: string; message: string }>>();
  for (const issue of issues) {
    const match = /^cards\.(\d+)(?:\.(.*))?$/.exec(issue.field);
    const card = match ? cards[Number(match[1])] : undefined;
    if (!card) continue;
    const list = found.get(card.id) ?? [];
    list.push({ field: match?.[2] ?? '', message: issue.message });
    found.set(card.id, list);
  }
  return found;
}

/** What a card shows on the graph: its text, or what it does. */
export function cardSummary(card: Card): string {
  switch (card.type) {
    case 'condition':
      return `${card.branches.length} branch(es) and otherwise`;
    case 'goal':
      return `Goal: ${card.name}`;
    case 'action':
      return card.action.kind === 'add-to-list'
        ? `Add to list ${card.action.listId}`
        : `Request campaign ${card.action.campaignId}`;
    default:
      return card.text;
  }
}
