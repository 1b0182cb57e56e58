import { describe, expect, it } from 'vitest';
import { conversationCardProblems } from '../../src/chat/publish-cards.js';
import { QUALIFY } from '../fixtures/chat/qualify-dialogue.js';
import type { DialogueContent } from '../../src/records/chat-dialogue.js';

describe('conversationCardProblems', () => {
  it('when the dialogue is sound, then there is no problem', () => {
    expect(conversationCardProblems(QUALIFY)).toEqual([]);
  });

  it.each<[string, (d: DialogueContent) => void, string]>([
    [
      'a form key used twice',
      (d) => {
        const form = d.cards.find((c) => c.type === 'form');
        if (form?.type === 'form') form.fields[1]!.key = form.fields[0]!.key;
      },
      'cards.7.fields.1.key',
    ],
    [
      'an inList answer condition without a list',
      (d) => {
        const route = d.cards.find((c) => c.id === 'route');
        if (route?.type === 'condition')
          route.branches[0]!.conditions[0] = {
            source: 'answer',
            answer: 'sector',
            operator: 'inList',
            value: 'Retail',
          };
      },
      'cards.6.branches.0.conditions.0.value',
    ],
    [
      'two options with one value',
      (d) => {
        const sector = d.cards.find((c) => c.id === 'sector');
        if (sector?.type === 'input' && sector.answer.kind === 'picklist')
          sector.answer.options.push({ label: 'Shops', value: 'Retail' });
      },
      'cards.5.answer.options.2.value',
    ],
    [
      'a translated text for a card without text',
      (d) => {
        d.translations = { de: { route: { text: 'Weiter' } } };
      },
      'translations.de.route.text',
    ],
  ])('when the dialogue has %s, then the problem names its path', (_what, spoil, field) => {
    const content = structuredClone(QUALIFY);
    spoil(content);
    expect(conversationCardProblems(content).map((p) => p.field)).toEqual([field]);
  });
});
