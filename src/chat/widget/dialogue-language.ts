import type { Card } from '../../records/chat-cards.js';
import type { PublishedDialogue } from '../../records/chat-widget-api.js';
import type { DialogueCards } from './dialogue-walker.js';
import { LANGUAGES, type Language } from './widget-strings.js';

/**
 * Which language the visitor gets, and the dialogue in it. Pure: widget.ts passes what the page
 * and the browser say, node tests pass tables.
 */

export interface VisitorLanguage {
  /** The widget's own strings and the `language` sent with events. */
  language: Language;
  /** The tag that matched, e.g. `de-AT`: its translation wins over the plain language's. */
  tag: string;
  /** For Intl: the browser's own tag when it speaks that language (en-GB keeps 24 h clocks). */
  locale: string;
}

/** `de-at` -> `de-AT`; anything that is not a language tag -> null. */
function normalise(raw: string): string | null {
  const match = /^([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}|\d{3}|[A-Za-z]{4}))?/.exec(raw.trim());
  if (!match || !match[1]) return null;
  const language = match[1].toLowerCase();
  const region = match[2] && /^[A-Za-z]{2}$/.test(match[2]) ? `-${match[2].toUpperCase()}` : '';
  return language + region;
}

/**
 * The first candidate (the script tag's `data-language`, which a site sets on purpose, then the
 * page's `<html lang>`, then the browser's languages, in that order) whose language the widget speaks; a region falls back to
 * its language (de-AT -> de); nothing usable -> English.
 */
export function pickLanguage(
  candidates: Array<string | null | undefined>,
  browser: readonly string[] = [],
): VisitorLanguage {
  for (const raw of candidates) {
    const tag = raw ? normalise(raw) : null;
    const language = tag ? (tag.split('-')[0] as Language) : null;
    if (!tag || !language || !LANGUAGES.includes(language)) continue;
    const own = browser.map(normalise).find((b) => b && b.split('-')[0] === language);
    return { language, tag, locale: tag.includes('-') ? tag : own || tag };
  }
  return { language: 'en', tag: 'en', locale: 'en' };
}

type Translation = NonNullable<PublishedDialogue['translations']>[string][string];

/**
 * The dialogue with its text in the visitor's language: per card, the translation for the
 * matched tag, else for its language; what is missing keeps the dialogue's own text.
 */
export function translateDialogue(
  dialogue: DialogueCards & Pick<PublishedDialogue, 'translations'>,
  visitor: Pick<VisitorLanguage, 'language' | 'tag'>,
): DialogueCards {
  const all = dialogue.translations;
  if (!all) return dialogue;
  const exact = all[visitor.tag] || {};
  const plain = all[visitor.language] || {};
  const cards = dialogue.cards.map((card) => {
    const t = exact[card.id] || plain[card.id];
    return t ? translateCard(card, t) : card;
  });
  return { ...dialogue, cards };
}

function translateCard(card: Card, t: Translation): Card {
  const text = t.text;
  const label = (i: number, own: string) => (t.labels && t.labels[i]) || own;
  const withText = <C extends Card>(c: C): C => ('text' in c && text ? { ...c, text } : c);
  switch (card.type) {
    case 'question':
      return withText({
        ...card,
        buttons: card.buttons.map((b, i) => ({ ...b, label: label(i, b.label) })),
      });
    case 'input':
      if (card.answer.kind !== 'picklist') return withText(card);
      return withText({
        ...card,
        // Only the label: the value (or the original label) is what is stored and checked.
        answer: {
          ...card.answer,
          options: card.answer.options.map((o, i) => ({
            value: o.value ?? o.label,
            label: label(i, o.label),
          })),
        },
      });
    case 'form':
      return withText({
        ...card,
        fields: card.fields.map((f, i) => ({ ...f, label: label(i, f.label) })),
      });
    case 'document':
      return withText({
        ...card,
        document: { ...card.document, title: label(0, card.document.title) },
      });
    default:
      return withText(card);
  }
}
