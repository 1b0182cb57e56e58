import { describe, expect, it } from 'vitest';
import { repairMarketoJson } from '../../webhooks/marketo/marketo-json-repair.js';
import { parseWebhookBody } from '../../webhooks/marketo/webhook-body.js';

describe('repairMarketoJson', () => {
  it.each([
    ['a token quoted twice', '{"email": ""a@b.com""}', { email: 'a@b.com' }],
    ['an empty token quoted twice', '{"phone": """", "id": 1}', { phone: '', id: 1 }],
    ['escaped quotes inside', '{"name": ""O\\"Brien""}', { name: 'O"Brien' }],
    ['a doubled value in an array', '{"tags": [""a"", ""b""]}', { tags: ['a', 'b'] }],
    ['an empty number token', '{"score": , "ok": }', { score: null, ok: null }],
    ['an empty number token last', '{"id": 5, "score":\n}', { id: 5, score: null }],
    ['a plain empty string beside one', '{"a": "", "b": ""x""}', { a: '', b: 'x' }],
  ])('when the template yields %s, then the repaired text parses', (_what, text, expected) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(JSON.parse(repairMarketoJson(text))).toEqual(expected);
  });

  it.each([
    ['colons and commas inside strings', '{"note": "a:, b:}", "x": 1'],
    ['doubled quotes inside a string', '{"note": "say ""hi"" ", "x": 1'],
  ])('when %s, then they are left alone', (_what, text) => {
    expect(repairMarketoJson(text)).toBe(text);
  });
});

describe('parseWebhookBody', () => {
  it.each([
    ['JSON', 'application/json', '{"id": 5}', { id: 5 }],
    ['JSON as text/plain', 'text/plain; charset=utf-8', '{"id": 5}', { id: 5 }],
    ['JSON with a byte-order mark', undefined, '\uFEFF{"id": 5}', { id: 5 }],
    [
      'a form',
      'application/x-www-form-urlencoded',
      'id=5&name=A+B%26C',
      { id: '5', name: 'A B&C' },
    ],
    [
      'a form of quoted tokens',
      'application/x-www-form-urlencoded',
      'email="a%40b.com"',
      { email: 'a@b.com' },
    ],
    ['a form with no type', undefined, 'id=5&x=%22', { id: '5', x: '"' }],
    ['an empty body', 'application/json', '', {}],
  ])('when the body is %s, then it parses', (_what, type, text, expected) => {
    expect(parseWebhookBody(Buffer.from(text), type)).toEqual(expected);
  });

  it('when a form names __proto__, then it is a plain field, not a prototype', () => {
    const body = parseWebhookBody(
      Buffer.from('__proto__=x&id=1'),
      'application/x-www-form-urlencoded',
    );
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(Object.keys(body)).toEqual(['__proto__', 'id']);
  });
});
