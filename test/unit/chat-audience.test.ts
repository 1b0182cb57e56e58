import { describe, expect, it } from 'vitest';
import {
  describeCondition,
  explainAudience,
  isKnownVisitor,
  matchesAudience,
  matchesCondition,
} from '../../src/chat/audience.js';
import type { Audience, AudienceCondition } from '../../src/records/chat-targeting.js';

const ANNA = {
  email: 'anna@example.de',
  firstName: 'Anna',
  country: 'DE',
  company: 'Acme GmbH',
  numberOfEmployees: 250,
  leadScore: '80',
  industry: '',
  createdAt: '2025-06-01T10:00:00Z',
  isCustomer: true,
};
const NO_EMAIL = { firstName: 'Bob', country: 'US' };

describe('isKnownVisitor (Dynamic Chat: anonymous = "Person Email Is Empty")', () => {
  it.each([
    ['a lead with an email', ANNA, true],
    ['a lead without an email', NO_EMAIL, false],
    ['a lead with a blank email', { email: '  ' }, false],
    ['nobody', undefined, false],
  ])('%s → known %s', (_label, lead, known) => {
    expect(isKnownVisitor(lead)).toBe(known);
  });
});

describe('matchesCondition', () => {
  const c = (
    field: string,
    operator: AudienceCondition['operator'],
    value?: AudienceCondition['value'],
  ): AudienceCondition => ({ field, operator, value });

  it.each<[AudienceCondition, Record<string, unknown> | undefined, boolean]>([
    // equals: text case-insensitively and trimmed, numbers numerically
    [c('country', 'equals', 'de'), ANNA, true],
    [c('country', 'equals', ' DE '), ANNA, true],
    [c('country', 'equals', 'AT'), ANNA, false],
    [c('Country', 'equals', 'DE'), ANNA, true],
    [c('numberOfEmployees', 'equals', 250), ANNA, true],
    [c('numberOfEmployees', 'equals', '250.0'), ANNA, true],
    [c('leadScore', 'equals', 80), ANNA, true],
    [c('isCustomer', 'equals', 'TRUE'), ANNA, true],
    [c('country', 'equals', 'DE'), undefined, false],
    // notEquals: an empty field is "not DE", as Marketo's "is not"
    [c('country', 'notEquals', 'DE'), ANNA, false],
    [c('country', 'notEquals', 'US'), ANNA, true],
    [c('industry', 'notEquals', 'Retail'), ANNA, true],
    [c('country', 'notEquals', 'DE'), undefined, true],
    // contains / startsWith
    [c('company', 'contains', 'gmbh'), ANNA, true],
    [c('company', 'contains', 'inc'), ANNA, false],
    [c('company', 'startsWith', 'ACME'), ANNA, true],
    [c('company', 'startsWith', 'GmbH'), ANNA, false],
    [c('company', 'contains', 'acme'), undefined, false],
    // inList
    [c('country', 'inList', ['AT', 'de', 'CH']), ANNA, true],
    [c('country', 'inList', ['AT', 'CH']), ANNA, false],
    [c('numberOfEmployees', 'inList', ['100', '250']), ANNA, true],
    [c('industry', 'inList', ['']), ANNA, false],
    // greater / less than: numbers numerically ("80" > "9" although "80" < "9" as text)
    [c('leadScore', 'greaterThan', 9), ANNA, true],
    [c('leadScore', 'greaterThan', '79.5'), ANNA, true],
    [c('leadScore', 'lessThan', 80), ANNA, false],
    [c('numberOfEmployees', 'lessThan', 1000), ANNA, true],
    [c('createdAt', 'greaterThan', '2025-01-01'), ANNA, true],
    [c('createdAt', 'lessThan', '2025-01-01'), ANNA, false],
    [c('country', 'greaterThan', 5), ANNA, false],
    [c('country', 'lessThan', 5), ANNA, false],
    [c('leadScore', 'greaterThan', 5), undefined, false],
    // isEmpty / isNotEmpty
    [c('industry', 'isEmpty'), ANNA, true],
    [c('missingField', 'isEmpty'), ANNA, true],
    [c('country', 'isEmpty'), ANNA, false],
    [c('email', 'isEmpty'), undefined, true],
    [c('country', 'isNotEmpty'), ANNA, true],
    [c('industry', 'isNotEmpty'), ANNA, false],
  ])('%j on %j → %s', (condition, lead, expected) => {
    expect(matchesCondition(condition, lead)).toBe(expected);
  });
});

describe('explainAudience', () => {
  const known = (groups: Audience['groups'] = [], match: Audience['match'] = 'all'): Audience => ({
    visitors: 'known',
    match,
    groups,
  });
  const germany: Audience['groups'][number] = {
    match: 'all',
    conditions: [
      { field: 'country', operator: 'equals', value: 'DE' },
      { field: 'numberOfEmployees', operator: 'greaterThan', value: 100 },
    ],
  };
  const usOrUk: Audience['groups'][number] = {
    match: 'any',
    conditions: [
      { field: 'country', operator: 'equals', value: 'US' },
      { field: 'country', operator: 'equals', value: 'UK' },
    ],
  };

  it.each<[string, Audience, Record<string, unknown> | undefined, string | null]>([
    ['everyone, anonymous', { visitors: 'all', match: 'all', groups: [] }, undefined, null],
    ['everyone, known', { visitors: 'all', match: 'all', groups: [] }, ANNA, null],
    ['known only, anonymous visitor', known(), undefined, 'audience: visitor is anonymous'],
    ['known only, lead without email', known(), NO_EMAIL, 'audience: visitor is anonymous'],
    [
      'anonymous only, known visitor',
      { visitors: 'anonymous', match: 'all', groups: [] },
      ANNA,
      'audience: visitor is known',
    ],
    ['all-group met', known([germany]), ANNA, null],
    [
      'all-group, one condition unmet',
      known([
        {
          ...germany,
          conditions: [
            ...germany.conditions,
            { field: 'country', operator: 'equals', value: 'AT' },
          ],
        },
      ]),
      ANNA,
      'audience: country equals "AT" not met',
    ],
    [
      'any-group, none met',
      known([usOrUk]),
      ANNA,
      'audience: none of country equals "US"; country equals "UK" met',
    ],
    [
      'all of two groups, second unmet',
      known([germany, usOrUk], 'all'),
      ANNA,
      'audience: none of country equals "US"; country equals "UK" met',
    ],
    ['any of two groups, first met', known([germany, usOrUk], 'any'), ANNA, null],
    [
      'any of two groups, none met',
      known(
        [usOrUk, { match: 'all', conditions: [{ field: 'industry', operator: 'isNotEmpty' }] }],
        'any',
      ),
      ANNA,
      'audience: no group met (none of country equals "US"; country equals "UK" met | industry is not empty not met)',
    ],
  ])('%s', (_label, audience, lead, reason) => {
    const verdict = explainAudience(audience, lead);
    expect(verdict).toEqual(reason === null ? { matched: true } : { matched: false, reason });
    expect(matchesAudience(audience, lead)).toBe(reason === null);
  });

  it.each<[AudienceCondition, string]>([
    [{ field: 'country', operator: 'inList', value: ['DE', 'AT'] }, 'country is in ["DE", "AT"]'],
    [{ field: 'score', operator: 'greaterThan', value: 50 }, 'score greater than 50'],
    [{ field: 'email', operator: 'isEmpty' }, 'email is empty'],
    [{ field: 'title', operator: 'notEquals', value: 'CEO' }, 'title does not equal "CEO"'],
  ])('describes %j as %s', (condition, text) => {
    expect(describeCondition(condition)).toBe(text);
  });
});
