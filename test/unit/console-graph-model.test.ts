import { describe, expect, it } from 'vitest';
import {
  CARD_TYPES_ADDED,
  connectOutlet,
  edgesOf,
  newCard,
} from '../../src/console/designer/graph-model.js';
import { parseOptions, optionsText } from '../../src/console/designer/picklist-text.js';
import { cardSchema, type Card } from '../../src/records/chat-cards.js';

describe("the designer's graph model", () => {
  it.each(CARD_TYPES_ADDED)('when a %s card is added, then it is valid as it stands', (type) => {
    const card = newCard([], type);
    expect(cardSchema.safeParse(card).success).toBe(true);
    expect(card.id).toBe(`${type}-1`);
  });

  it('when ids are taken, then a new card takes the next free number', () => {
    const cards: Card[] = [newCard([], 'message'), { ...newCard([], 'message'), id: 'message-3' }];
    expect(newCard(cards, 'message').id).toBe('message-2');
  });

  it("when an outlet is connected, then the card's next, button or branch points there, and it is an edge", () => {
    const condition = newCard([], 'condition');
    const connected = connectOutlet(connectOutlet(condition, 'branch-0', 'a'), 'otherwise', 'b');
    expect(
      edgesOf([
        connected,
        newCard([], 'message'),
        { ...newCard([], 'goal'), id: 'a' },
        { ...newCard([], 'goal'), id: 'b' },
      ]),
    ).toEqual([
      {
        id: 'condition-1:branch-0',
        source: 'condition-1',
        sourceHandle: 'branch-0',
        target: 'a',
        label: 'Branch 1',
      },
      {
        id: 'condition-1:otherwise',
        source: 'condition-1',
        sourceHandle: 'otherwise',
        target: 'b',
        label: 'Otherwise',
      },
    ]);
  });
});

describe('picklist choices as text', () => {
  it.each([
    ['Small\nLarge', [{ label: 'Small' }, { label: 'Large' }]],
    ['  Small = s \n\n Large=', [{ label: 'Small', value: 's' }, { label: 'Large' }]],
    ['a=b=c', [{ label: 'a', value: 'b=c' }]],
  ])('when %j is typed, then the choices are %j and read back the same', (text, options) => {
    expect(parseOptions(text)).toEqual(options);
    expect(parseOptions(optionsText(parseOptions(text)))).toEqual(options);
  });
});
