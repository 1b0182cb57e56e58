import { describe, expect, it } from 'vitest';
import {
  findMalformedLeadTokens,
  leadTokenFields,
  MAX_TOKEN_VALUE_CHARS,
  renderLeadTokens,
} from '../../src/chat/lead-tokens.js';

const ANNA = { firstName: 'Anna', company: 'Acme', score: 80, isCustomer: false, blank: '  ' };

describe('renderLeadTokens', () => {
  it.each<[string, string, Record<string, unknown> | undefined, string]>([
    ['a known field', 'Hi {{lead.firstName}}!', ANNA, 'Hi Anna!'],
    ['a default unused', 'Hi {{lead.firstName:"there"}}!', ANNA, 'Hi Anna!'],
    ['an anonymous visitor, default', 'Hi {{lead.firstName:"there"}}!', undefined, 'Hi there!'],
    ['an anonymous visitor, no default', 'Hi {{lead.firstName}}!', undefined, 'Hi !'],
    ['an unknown field, default', 'Hi {{lead.nickname:"friend"}}', ANNA, 'Hi friend'],
    ['an unknown field, no default', 'Hi {{lead.nickname}}.', ANNA, 'Hi .'],
    ['a blank field, default', '{{lead.blank:"n/a"}}', ANNA, 'n/a'],
    ['an empty default', 'Hi{{lead.x:""}}!', ANNA, 'Hi!'],
    ['single quotes', "Hi {{lead.x:'you'}}", ANNA, 'Hi you'],
    ['typographic quotes', 'Hi {{lead.x:\u201cyou\u201d}}', ANNA, 'Hi you'],
    ['spaces inside', 'Hi {{ lead.firstName : "there" }}', ANNA, 'Hi Anna'],
    ['a number and a boolean', '{{lead.score}} {{lead.isCustomer}}', ANNA, '80 false'],
    ['another case of the name', '{{lead.FIRSTNAME}}', ANNA, 'Anna'],
    ["Dynamic Chat's lead prefix", 'Hi {{lead.leadFirstName:"there"}}', ANNA, 'Hi Anna'],
    [
      'several tokens',
      '{{lead.firstName}} from {{lead.company:"your company"}}',
      ANNA,
      'Anna from Acme',
    ],
    [
      'other namespaces untouched',
      '{{company.name}} {{trigger.Name}}',
      ANNA,
      '{{company.name}} {{trigger.Name}}',
    ],
    ['no tokens', 'Plain text', ANNA, 'Plain text'],
    ['an object value → default', '{{lead.obj:"x"}}', { obj: { a: 1 } }, 'x'],
    ['a default with a brace', '{{lead.x:"a}b"}}', undefined, 'a}b'],
  ])('%s', (_label, text, lead, expected) => {
    expect(renderLeadTokens(text, lead)).toBe(expected);
  });

  it('when a value holds markup, then it comes out as the same text (the widget inserts text, never HTML)', () => {
    const lead = { firstName: '<img src=x onerror=alert(1)>' };
    expect(renderLeadTokens('Hi {{lead.firstName}}', lead)).toBe('Hi <img src=x onerror=alert(1)>');
  });

  it('when a value holds control characters or is very long, then they become spaces and it is cut', () => {
    expect(renderLeadTokens('[{{lead.a}}]', { a: 'x\n\u0000y' })).toBe('[x y]');
    expect(renderLeadTokens('{{lead.a}}', { a: 'z'.repeat(5000) })).toHaveLength(
      MAX_TOKEN_VALUE_CHARS,
    );
  });
});

describe('leadTokenFields and findMalformedLeadTokens', () => {
  it('lists the fields used, once each', () => {
    expect(leadTokenFields('{{lead.a}} {{lead.b:"x"}} {{lead.a}}')).toEqual(['a', 'b']);
  });

  it.each([
    ['Hi {{lead.firstName:"there"}}', []],
    ['Hi {{lead.x:"a}b"}}', []],
    ['Hi {{lead.firstName:"there}}', ['{{lead.firstName:"there}}']],
    ['Hi {{lead.}}', ['{{lead.}}']],
    ['Hi {{lead.first name}}', ['{{lead.first name}}']],
    ['Hi {{lead.firstName', ['{{lead.firstName']],
    ['Hi {{company.name}}', []],
  ])('%s → %j', (text, malformed) => {
    expect(findMalformedLeadTokens(text)).toEqual(malformed);
  });
});
