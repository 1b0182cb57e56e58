import { describe, expect, it } from 'vitest';
import { evaluateConditionCard, type ConditionCard } from '../../src/chat/branch-conditions.js';

const card: ConditionCard = {
  id: 'c',
  type: 'condition',
  branches: [
    {
      match: 'all',
      conditions: [
        { source: 'lead', field: 'country', operator: 'inList', value: ['DE', 'AT'] },
        { source: 'lead', field: 'numberOfEmployees', operator: 'greaterThan', value: 100 },
      ],
      next: 'dach-big',
    },
    {
      match: 'any',
      conditions: [
        { source: 'answer', answer: 'budget', operator: 'greaterThan', value: 5000 },
        { source: 'answer', answer: 'plan', operator: 'equals', value: 'enterprise' },
      ],
      next: 'sales',
    },
    { match: 'all', conditions: [{ source: 'known', known: false }], next: 'anon' },
  ],
  otherwise: null,
};

describe('evaluateConditionCard', () => {
  it.each([
    ['a big DACH lead', { country: 'de', numberOfEmployees: '250' }, true, {}, 'dach-big'],
    ['a small DACH lead', { country: 'DE', numberOfEmployees: 20 }, true, {}, null],
    ['a budget answer above the bar', undefined, false, { budget: '7500' }, 'sales'],
    ['an enterprise answer, any case', undefined, true, { plan: 'Enterprise ' }, 'sales'],
    ['a budget that is no number', undefined, false, { budget: 'lots' }, 'anon'],
    ['an anonymous visitor with no answers', undefined, false, {}, 'anon'],
    ['a known visitor with nothing matching', { country: 'FR' }, true, {}, null],
    ['an answer key in another case', undefined, true, { PLAN: 'enterprise' }, null],
  ])('when %s, then the card goes where it should', (_what, lead, known, answers, next) => {
    expect(evaluateConditionCard(card, { lead, known, answers })).toBe(next);
  });
});
