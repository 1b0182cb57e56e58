import { describe, expect, it } from 'vitest';
import type { AnswerProblem } from '../../src/records/answer-check.js';
import type { Card } from '../../src/records/chat-cards.js';
import { pickLanguage, translateDialogue } from '../../src/chat/widget/dialogue-language.js';
import {
  fill,
  LANGUAGES,
  STRINGS,
  wordAnswerProblem,
} from '../../src/chat/widget/widget-strings.js';

describe('pickLanguage', () => {
  it.each([
    ['the page says French', ['fr', null, 'de-DE'], ['de-DE'], 'fr', 'fr', 'fr'],
    ['the page says Austrian German', ['de-AT', null, 'en'], ['en'], 'de', 'de-AT', 'de-AT'],
    ['the page speaks in lower case with _', ['pt_br', 'es_mx'], [], 'es', 'es-MX', 'es-MX'],
    ['the page has no lang, the script tag does', ['', 'nl', 'en-US'], ['en-US'], 'nl', 'nl', 'nl'],
    ['only the browser says', [null, null, 'ja-JP', 'en'], ['ja-JP', 'en'], 'ja', 'ja-JP', 'ja-JP'],
    // en from the page, en-GB from the browser: British dates, English words.
    ['the page says en and the browser en-GB', ['en', 'en-GB'], ['en-GB'], 'en', 'en', 'en-GB'],
    ['the page speaks Italian, the browser German', ['it', 'de'], ['de'], 'de', 'de', 'de'],
    ['nothing usable is said', ['xx-YY', '42', undefined], [], 'en', 'en', 'en'],
  ])('when %s, then the widget speaks that', (_l, candidates, browser, language, tag, locale) => {
    expect(pickLanguage(candidates, browser)).toEqual({ language, tag, locale });
  });
});

const CARDS: Card[] = [
  {
    id: 'ask',
    type: 'question',
    text: 'What brings you here?',
    buttons: [
      { label: 'Pricing', value: 'pricing', next: null },
      { label: 'A demo', next: null },
    ],
  },
  {
    id: 'size',
    type: 'input',
    text: 'How big is your team?',
    answer: { kind: 'picklist', options: [{ label: 'Small' }, { label: 'Large', value: 'L' }] },
    next: null,
  },
  {
    id: 'about',
    type: 'form',
    text: 'About you',
    fields: [
      {
        key: 'first',
        label: 'First name',
        answer: { kind: 'text', maxLength: 80 },
        required: true,
      },
    ],
    submitLabel: 'Send',
    next: null,
  },
  { id: 'bye', type: 'message', text: 'Goodbye', next: null },
];

const DIALOGUE = {
  id: 'd1',
  version: 1,
  name: 'Welcome',
  start: 'ask',
  cards: CARDS,
  translations: {
    fr: {
      ask: { text: 'Qu’est-ce qui vous amène ?', labels: ['Tarifs'] },
      size: { text: 'Quelle taille ?', labels: ['Petite', 'Grande'] },
      about: { labels: ['Prénom'] },
    },
    'fr-CA': { bye: { text: 'Bonne journée' } },
  },
};

describe('translateDialogue', () => {
  it('when the visitor reads fr-CA, then the regional text wins, French fills in and the rest stays', () => {
    const cards = translateDialogue(DIALOGUE, { language: 'fr', tag: 'fr-CA' }).cards;
    expect(cards[0]).toMatchObject({
      text: 'Qu’est-ce qui vous amène ?',
      // A label without a translation keeps the dialogue's; values never change.
      buttons: [
        { label: 'Tarifs', value: 'pricing' },
        { label: 'A demo', next: null },
      ],
    });
    expect(cards[1]).toMatchObject({
      text: 'Quelle taille ?',
      // The stored value stays the original (the service checks against the published card).
      answer: {
        options: [
          { label: 'Petite', value: 'Small' },
          { label: 'Grande', value: 'L' },
        ],
      },
    });
    expect(cards[2]).toMatchObject({ text: 'About you', fields: [{ label: 'Prénom' }] });
    expect(cards[3]).toMatchObject({ text: 'Bonne journée' });
  });

  it('when the dialogue has no translation for the language, then it is served as is', () => {
    expect(translateDialogue(DIALOGUE, { language: 'de', tag: 'de' }).cards).toEqual(CARDS);
  });
});

const PROBLEMS: AnswerProblem[] = [
  { code: 'required' },
  { code: 'too-long', max: 80 },
  { code: 'not-a-phone' },
  { code: 'not-a-number' },
  { code: 'not-an-integer' },
  { code: 'below-min', min: 3 },
  { code: 'above-max', max: 9 },
  { code: 'not-an-email' },
  { code: 'not-an-option' },
];

describe('widget strings', () => {
  it('when any language words any answer problem, then it says something of its own with the numbers filled in', () => {
    for (const language of LANGUAGES) {
      const words = PROBLEMS.map((p) => wordAnswerProblem(STRINGS[language], p));
      expect(words.every((w) => w.length > 0 && !/\{\w+\}/.test(w))).toBe(true);
      expect(new Set(words).size).toBe(words.length);
      expect(words[1]).toContain('80');
      expect(words[5]).toContain('3');
    }
    expect(wordAnswerProblem(STRINGS.de, { code: 'not-a-phone' })).toBe(
      'Bitte geben Sie eine Telefonnummer ein.',
    );
  });

  it('when a language is not English, then every string is its own translation or a shared word', () => {
    // Words the same in several languages (Name, E-mail, min) are fine; most must differ.
    for (const language of LANGUAGES.filter((l) => l !== 'en')) {
      const own = Object.entries(STRINGS[language]).filter(
        ([key, text]) => text !== STRINGS.en[key as keyof typeof STRINGS.en],
      );
      expect(own.length).toBeGreaterThan(Object.keys(STRINGS.en).length - 4);
    }
  });

  it('when a hole has no value, then it stays as it is', () => {
    expect(fill('{name} is typing {x}', { name: 'Ada' })).toBe('Ada is typing {x}');
  });
});
