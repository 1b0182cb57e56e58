import type { Card } from '../records/chat-cards.js';
import type { PublishedChatDocument } from '../records/chat-widget-api.js';
import type { VisitorLead } from './audience.js';
import { renderLeadTokens } from './lead-tokens.js';

/*
 * A published dialogue with one visitor's lead tokens filled in: card texts, button and form
 * labels, and the same in every translation. Picklist option labels are left as written: an
 * option without a value is answered by its label, which the server checks as published.
 */

type PublicDialogue = PublishedChatDocument['dialogues'][number];

/** The texts of a card that may hold lead tokens. */
export function cardTexts(card: Card): string[] {
  switch (card.type) {
    case 'question':
      return [card.text, ...card.buttons.map((b) => b.label)];
    case 'form':
      return [card.text, ...card.fields.map((f) => f.label)];
    case 'goal':
    case 'condition':
    case 'action':
      return [];
    default:
      return [card.text];
  }
}

type Translations = NonNullable<PublicDialogue['translations']>;

export function hasTranslatedTokens(translations: PublicDialogue['translations']): boolean {
  if (translations === undefined) return false;
  return Object.values(translations).some((cards) =>
    Object.values(cards).some(
      (t) => t.text?.includes('{{') === true || (t.labels ?? []).some((l) => l.includes('{{')),
    ),
  );
}

/** Each language's texts and labels with the visitor's lead tokens, as the cards get them. */
function personaliseTranslations(translations: Translations, lead: VisitorLead): Translations {
  return Object.fromEntries(
    Object.entries(translations).map(([language, cards]) => [
      language,
      Object.fromEntries(
        Object.entries(cards).map(([cardId, t]) => [
          cardId,
          {
            ...(t.text === undefined ? {} : { text: renderLeadTokens(t.text, lead) }),
            ...(t.labels === undefined
              ? {}
              : { labels: t.labels.map((label) => renderLeadTokens(label, lead)) }),
          },
        ]),
      ),
    ]),
  );
}

/**
 * The dialogue with its texts' lead tokens filled in from `lead` (defaults when undefined);
 * cards without a token (`tokenCards[i]` false) are shared, not copied.
 */
export function personalise(
  dialogue: PublicDialogue,
  lead: VisitorLead,
  tokenCards: readonly boolean[],
): PublicDialogue {
  const cards = dialogue.cards.map((card, i) =>
    tokenCards[i] === false ? card : personaliseCard(card, lead),
  );
  const { translations } = dialogue;
  return hasTranslatedTokens(translations)
    ? { ...dialogue, cards, translations: personaliseTranslations(translations!, lead) }
    : { ...dialogue, cards };
}

function personaliseCard(card: Card, lead: VisitorLead): Card {
  switch (card.type) {
    case 'goal':
    case 'condition':
    case 'action':
      return card;
    case 'question':
      return {
        ...card,
        text: renderLeadTokens(card.text, lead),
        buttons: card.buttons.map((b) => ({ ...b, label: renderLeadTokens(b.label, lead) })),
      };
    case 'form':
      return {
        ...card,
        text: renderLeadTokens(card.text, lead),
        fields: card.fields.map((f) => ({ ...f, label: renderLeadTokens(f.label, lead) })),
      };
    default:
      return { ...card, text: renderLeadTokens(card.text, lead) };
  }
}
