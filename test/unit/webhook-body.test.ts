import { describe, expect, it } from 'vitest';
import { parseWebhookBody } from '../../webhooks/marketo/webhook-body.js';

const FORM = 'application/x-www-form-urlencoded';
const parse = (body: string, type?: string) => parseWebhookBody(Buffer.from(body), type);

describe('parseWebhookBody: the body decides, not the Content-Type', () => {
  it.each([
    ['JSON labelled as a form', '{"id": 1000002, "email": "ann@example.com"}', FORM],
    [
      'JSON labelled as a form with a charset',
      '{"id": 1000002, "email": "ann@example.com"}',
      `${FORM}; charset=UTF-8`,
    ],
    [
      'JSON after spaces and a newline, labelled as a form',
      ' \n\t{"id": 1000002, "email": "ann@example.com"}',
      FORM,
    ],
    [
      'JSON with doubled quotes, labelled as a form',
      '{"id": 1000002, "email": ""ann@example.com""}',
      FORM,
    ],
    ['JSON as application/json', '{"id": 1000002, "email": "ann@example.com"}', 'application/json'],
    ['JSON with no Content-Type', '{"id": 1000002, "email": "ann@example.com"}', undefined],
  ])('when %s, then it is read as JSON', (_what, body, type) => {
    expect(parse(body, type)).toEqual({ id: 1000002, email: 'ann@example.com' });
  });

  it.each([
    ['a form labelled as a form', 'id=1000002&email=ann%40example.com', FORM],
    ['a form with no Content-Type', 'id=1000002&email=ann%40example.com', undefined],
    ['a form as text/plain', 'id=1000002&email=ann%40example.com', 'text/plain'],
    ['a form with a trailing newline', 'id=1000002&email=ann%40example.com\n', FORM],
  ])('when %s, then it is read as a form', (_what, body, type) => {
    expect(parse(body, type)).toEqual({ id: '1000002', email: 'ann@example.com' });
  });

  it.each([
    ['a broken JSON object labelled as a form', '{"id": 1000002, "email": ', FORM, 'INVALID_JSON'],
    ['a JSON array labelled as a form', '[{"id": 1000002}]', FORM, 'VALIDATION_FAILED'],
    ['plain text as application/json', 'id=1000002', 'application/json', 'INVALID_JSON'],
  ])('when %s, then it is refused naming the body', (_what, body, type, code) => {
    expect(() => parse(body, type)).toThrow(expect.objectContaining({ code, field: 'body' }));
  });
});
