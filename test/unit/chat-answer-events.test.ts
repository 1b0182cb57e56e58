import { describe, expect, it } from 'vitest';
import { checkAnsweredEvent, type AnswerCard } from '../../src/chat/answer-events.js';
import { ValidationError } from '../../src/errors.js';

const config = { blockedEmailDomains: ['gmail.com'] };

const form: AnswerCard = {
  id: 'details',
  type: 'form',
  text: 'Details',
  submitLabel: 'Send',
  next: null,
  fields: [
    {
      key: 'title',
      label: 'Title',
      answer: { kind: 'text', maxLength: 5 },
      field: 'title',
      required: true,
    },
    { key: 'mail', label: 'Email', answer: { kind: 'email' }, field: 'email', required: false },
    {
      key: 'size',
      label: 'Size',
      answer: { kind: 'number', min: 1, max: 10, integer: true },
      required: true,
    },
  ],
};
const question: AnswerCard = {
  id: 'ask',
  type: 'question',
  text: 'Which?',
  field: 'leadSource',
  buttons: [
    { label: 'Yes please', value: 'yes', next: null },
    { label: 'No', next: null },
  ],
};

function issuesOf(run: () => unknown): Array<{ field: string; message: string }> {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).details?.['issues'] as Array<{
      field: string;
      message: string;
    }>;
  }
  throw new Error('not refused');
}

describe('checkAnsweredEvent', () => {
  it('when every answer passes, then the checked values and the mapped lead fields come back', () => {
    expect(
      checkAnsweredEvent(form, { title: ' CTO ', mail: 'A@B.example', size: '7' }, config),
    ).toEqual({
      answers: { title: 'CTO', mail: 'a@b.example', size: '7' },
      leadFields: { title: 'CTO', email: 'a@b.example' },
    });
  });

  it('when an optional field is left empty, then it is skipped, not refused', () => {
    expect(
      checkAnsweredEvent(form, { title: 'CTO', mail: '  ', size: '3' }, config).answers,
    ).toEqual({
      title: 'CTO',
      size: '3',
    });
  });

  it.each([
    [{ title: 'CTO', size: '3', extra: 'x' }, 'answers.extra', /asks no question extra/],
    [{ title: 'CTO' }, 'answers.size', /required/],
    [{ title: 'Chief', size: '3.5' }, 'answers.size', /whole number/],
    [{ title: 'Chief Officer', size: '3' }, 'answers.title', /at most 5/],
    [{ title: 'CTO', size: '3', mail: 'me@gmail.com' }, 'answers.mail', /domain/],
  ])('when %j is sent, then the answer at fault is refused', (answers, field, message) => {
    const issues = issuesOf(() => checkAnsweredEvent(form, answers, config));
    expect(issues).toContainEqual({ field, message: expect.stringMatching(message) });
  });

  it('when several answers fail, then each is named', () => {
    const issues = issuesOf(() =>
      checkAnsweredEvent(form, { title: 'Chief Officer', size: '99' }, config),
    );
    expect(issues.map((i) => i.field)).toEqual(['answers.title', 'answers.size']);
  });

  it.each([
    ['yes', 'yes'],
    ['Yes please', 'yes'],
    ['No', 'No'],
  ])('when a question is answered %j, then the value %j is kept and written', (given, kept) => {
    expect(checkAnsweredEvent(question, { ask: given }, config)).toEqual({
      answers: { ask: kept },
      leadFields: { leadSource: kept },
    });
  });

  it('when a choice comes back as its translated label, then it is kept as the original value', () => {
    const translations = { fr: { ask: { labels: ['Oui merci', 'Non'] } } };
    expect(
      checkAnsweredEvent(question, { ask: 'Oui merci' }, config, translations).answers,
    ).toEqual({
      ask: 'yes',
    });
    expect(checkAnsweredEvent(question, { ask: 'Non' }, config, translations).answers).toEqual({
      ask: 'No',
    });
  });

  it('when a question gets a label it does not offer, then it is refused', () => {
    expect(issuesOf(() => checkAnsweredEvent(question, { ask: 'Maybe' }, config))[0]?.field).toBe(
      'answers.ask',
    );
  });
});
