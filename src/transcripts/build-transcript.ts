import type { Card } from '../records/chat-cards.js';
import type { DialogueContent } from '../records/chat-dialogue.js';
import type { ConversationEntry, ConversationLog } from '../records/conversation-log.js';

/**
 * A conversation as a marketer reads it: the cards the visitor saw (with the texts of the
 * published version the conversation ran, in its language), what they answered, opened,
 * reached and booked, and how it ended. Built from the store's log; nothing here is stored.
 */

export type TranscriptStep =
  | { at: string; kind: 'card'; cardId: string; cardType: Card['type'] | null; text: string | null }
  | {
      at: string;
      kind: 'answered';
      cardId: string | null;
      answers: Array<{ key: string; label: string | null; value: string }>;
    }
  | { at: string; kind: 'email-given'; email: string | null }
  | {
      at: string;
      kind: 'document-opened';
      cardId: string | null;
      title: string | null;
      url: string | null;
    }
  | { at: string; kind: 'action-requested'; cardId: string | null; action: string | null }
  | {
      at: string;
      kind: 'meeting-booked';
      meetingId: string | null;
      /** The meeting as it is now (load-transcript.ts), when the store still has it. */
      meeting?: { start: string; end: string; agentName: string; status: string };
    }
  | { at: string; kind: 'goal-reached'; goal: string | null }
  | { at: string; kind: 'triggered' | 'engaged' | 'completed'; pageUrl: string | null };

/** booked: a meeting was booked; completed: the dialogue reached its end; else abandoned. */
export type TranscriptOutcome = 'booked' | 'completed' | 'abandoned';

export interface Transcript {
  conversationId: string;
  dialogue: { id: string; name: string | null; version: number };
  visitor: { anonymousId: string; email?: string };
  language: string | null;
  startedAt: string;
  endedAt: string;
  outcome: TranscriptOutcome;
  /**
   * `version`: card texts come from the published version the conversation ran;
   * `unavailable`: that version was published before versions were kept, so cards show ids.
   */
  texts: 'version' | 'unavailable';
  steps: TranscriptStep[];
}

export function transcriptOutcome(types: readonly string[]): TranscriptOutcome {
  if (types.includes('meeting-booked')) return 'booked';
  return types.includes('completed') ? 'completed' : 'abandoned';
}

const iso = (ms: number) => new Date(ms).toISOString();

export function buildTranscript(
  log: ConversationLog,
  content: DialogueContent | undefined,
): Transcript {
  const { summary, entries } = log;
  const language = entries.find((e) => e.language !== undefined)?.language ?? null;
  const cards = new Map((content?.cards ?? []).map((card) => [card.id, card] as const));
  const say = textsIn(content, language);
  const steps: TranscriptStep[] = [];
  for (const entry of entries) {
    const at = iso(entry.at);
    for (const cardId of entry.cardsSeen ?? []) {
      const card = cards.get(cardId);
      steps.push({ at, kind: 'card', cardId, cardType: card?.type ?? null, text: say(card) });
    }
    steps.push(stepOf(entry, at, cards, language, content));
  }
  return {
    conversationId: summary.conversationId,
    dialogue: {
      id: summary.dialogueId,
      name: content?.name ?? null,
      version: summary.dialogueVersion,
    },
    visitor: {
      anonymousId: summary.anonymousId,
      ...(summary.email === undefined ? {} : { email: summary.email }),
    },
    language,
    startedAt: iso(summary.startedAt),
    endedAt: iso(summary.lastEventAt),
    outcome: transcriptOutcome(summary.types),
    texts: content === undefined ? 'unavailable' : 'version',
    steps,
  };
}

function stepOf(
  entry: ConversationEntry,
  at: string,
  cards: ReadonlyMap<string, Card>,
  language: string | null,
  content: DialogueContent | undefined,
): TranscriptStep {
  const cardId = entry.cardId ?? null;
  const card = entry.cardId === undefined ? undefined : cards.get(entry.cardId);
  const value = entry.value ?? null;
  switch (entry.type) {
    case 'answered':
      return {
        at,
        kind: 'answered',
        cardId,
        answers: Object.entries(entry.answers ?? {}).map(([key, answer]) => ({
          key,
          label: answerLabel(card, key, textsIn(content, language), labelsIn(content, language)),
          value: answer,
        })),
      };
    case 'email-given':
      return { at, kind: 'email-given', email: value };
    case 'document-opened':
      return {
        at,
        kind: 'document-opened',
        cardId,
        title: card?.type === 'document' ? card.document.title : null,
        url: card?.type === 'document' ? card.document.url : null,
      };
    case 'action-reached':
      return {
        at,
        kind: 'action-requested',
        cardId,
        action: card?.type === 'action' ? describeAction(card) : null,
      };
    case 'meeting-booked':
      return { at, kind: 'meeting-booked', meetingId: value };
    case 'goal-reached':
      return {
        at,
        kind: 'goal-reached',
        goal: value ?? (card?.type === 'goal' ? card.name : null),
      };
    default:
      return { at, kind: entry.type, pageUrl: entry.pageUrl ?? null };
  }
}

function describeAction(card: Extract<Card, { type: 'action' }>): string {
  return card.action.kind === 'add-to-list'
    ? `add to list ${card.action.listId}`
    : `request campaign ${card.action.campaignId}`;
}

/** A form field's label (translated where the visitor's language has it), else the card's text. */
function answerLabel(
  card: Card | undefined,
  key: string,
  say: (card: Card | undefined) => string | null,
  labels: (card: Card) => readonly string[] | undefined,
): string | null {
  if (card?.type !== 'form') return say(card);
  const at = card.fields.findIndex((field) => field.key === key);
  if (at === -1) return null;
  return labels(card)?.[at] ?? card.fields[at]!.label;
}

/** A card's translated labels (buttons, options, form fields, in order) in the language. */
function labelsIn(content: DialogueContent | undefined, language: string | null) {
  const translated = language === null ? undefined : content?.translations?.[language];
  return (card: Card): readonly string[] | undefined => translated?.[card.id]?.labels;
}

/** A card's text as the visitor saw it: the translation for the language, else the text. */
function textsIn(content: DialogueContent | undefined, language: string | null) {
  const translated = language === null ? undefined : content?.translations?.[language];
  return (card: Card | undefined): string | null => {
    if (card === undefined) return null;
    if (card.type === 'goal') return card.name;
    if (card.type === 'condition' || card.type === 'action') return null;
    return translated?.[card.id]?.text ?? card.text;
  };
}
