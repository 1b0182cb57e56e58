import { describe, expect, it } from 'vitest';
import type { Card } from '../../src/records/chat-cards.js';
import {
  nextAfterButton,
  walkDialogue,
  type DialogueCards,
} from '../../src/chat/widget/dialogue-walker.js';
import { isEmailAddress } from '../../src/chat/widget/email-address.js';
import { readableOn } from '../../src/chat/widget/widget-styles.js';

const dialogue = (cards: Card[]): DialogueCards => ({
  id: 'd1',
  version: 1,
  name: 'Test',
  start: cards[0]!.id,
  cards,
});

const message = (id: string, next: string | null): Card => ({
  id,
  type: 'message',
  text: id,
  next,
});
const goal = (id: string, next: string | null): Card => ({ id, type: 'goal', name: id, next });
const question: Card = {
  id: 'q',
  type: 'question',
  text: 'Which?',
  buttons: [
    { label: 'A', next: 'a' },
    { label: 'B', next: null },
  ],
};
const email: Card = { id: 'e', type: 'email', text: 'Email?', field: 'email', next: null };

describe('walkDialogue', () => {
  it.each([
    [
      'a message chain to the end',
      [message('m1', 'm2'), message('m2', null)],
      'm1',
      ['m1', 'm2'],
      { kind: 'end' },
    ],
    [
      'a goal on the way',
      [message('m1', 'g'), goal('g', null)],
      'm1',
      ['m1', 'g'],
      { kind: 'end' },
    ],
    [
      'a question after a message',
      [message('m1', 'q'), question],
      'm1',
      ['m1'],
      { kind: 'ask', card: question },
    ],
    ['an email card at once', [email], 'e', [], { kind: 'ask', card: email }],
    ['the end of a branch (null)', [message('m1', null)], null, [], { kind: 'end' }],
    ['an unknown next card', [message('m1', 'nope')], 'm1', ['m1'], { kind: 'broken' }],
    [
      'a loop of messages',
      [message('m1', 'm2'), message('m2', 'm1')],
      'm1',
      ['m1', 'm2'],
      { kind: 'broken' },
    ],
  ])(
    'when it walks %s, then it plays the automatic cards and stops right',
    (_label, cards, from, steps, stop) => {
      const walk = walkDialogue(dialogue(cards), from);
      expect(walk.steps.map((c) => c.id)).toEqual(steps);
      expect(walk.stop).toEqual(stop);
    },
  );

  it('when a question loops back to itself, then that is a stop, not a broken loop', () => {
    const again: Card = { ...question, buttons: [{ label: 'Again', next: 'm1' }] } as Card;
    const walk = walkDialogue(dialogue([message('m1', 'q'), again]), 'm1');
    expect(walk.stop).toEqual({ kind: 'ask', card: again });
  });

  it.each([
    [0, 'a'],
    [1, null],
    [7, null],
  ])('when button %i is chosen, then the dialogue goes to %s', (index, next) => {
    expect(nextAfterButton(question as Extract<Card, { type: 'question' }>, index)).toBe(next);
  });
});

describe('isEmailAddress', () => {
  it.each([
    ['jane@acme.com', true],
    ['jane.doe+chat@mail.acme.co.uk', true],
    ['  jane@acme.com', false],
    ['jane@acme', false],
    ['jane@@acme.com', false],
    ['jane acme@acme.com', false],
    ['@acme.com', false],
    ['jane@acme.c', false],
    [`${'a'.repeat(250)}@acme.com`, false],
  ])('when the visitor types %s, then it is %s', (value, ok) => {
    expect(isEmailAddress(value)).toBe(ok);
  });
});

describe('readableOn', () => {
  it.each([
    ['#ffffff', '#000000'],
    ['#fff', '#000000'],
    ['#000000', '#ffffff'],
    // Adobe blue: black reads slightly better (4.8:1) than white (4.4:1).
    ['#1473e6', '#000000'],
    ['#0b5cad', '#ffffff'],
    ['#0f6e56', '#ffffff'],
    ['#f5c518', '#000000'],
  ])('when the background is %s, then the text is %s', (background, text) => {
    expect(readableOn(background)).toBe(text);
  });
});
