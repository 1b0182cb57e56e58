import { checkAnswer, describeAnswerProblem } from '../records/answer-check.js';
import type { ChatConfiguration } from '../records/chat-configuration.js';
import type { AnswerSpec, Card } from '../records/chat-cards.js';
import type { DialogueContent } from '../records/chat-dialogue.js';
import { invalidInput, type InputIssue } from '../http/parse-input.js';
import { isBlockedEmail } from './domain-lists.js';

/** The cards whose answers an `answered` event carries. */
export type AnswerCard = Extract<Card, { type: 'input' | 'form' | 'question' }>;

export interface CheckedAnswers {
  /** By card id or form key: the checked value (what is stored and written). */
  answers: Record<string, string>;
  /** By Marketo lead field: the values of the answers mapped to a field. */
  leadFields: Record<string, string>;
}

/** One question of a card: where its answer is kept, how it is checked, where it is written. */
interface Question {
  key: string;
  spec: AnswerSpec;
  field: string | undefined;
  required: boolean;
}

export function isAnswerCard(card: Card): card is AnswerCard {
  return card.type === 'input' || card.type === 'form' || card.type === 'question';
}

/**
 * The server's check of an `answered` event against its card, all or nothing: every answer is
 * re-checked with checkAnswer (the widget's own check), an email answer also against the blocked
 * domains (as the email card), a required form field must be answered, and no key the card does
 * not ask may be sent. Any problem refuses the whole event: 400 naming each `answers.<key>`, so
 * nothing is stored and nothing reaches Marketo. A form counts as one step: one event.
 */
export function checkAnsweredEvent(
  card: AnswerCard,
  raw: Readonly<Record<string, string>>,
  configuration: Pick<ChatConfiguration, 'blockedEmailDomains'>,
  translations: DialogueContent['translations'] = undefined,
): CheckedAnswers {
  const questions = questionsOf(card).map((q) => withTranslatedOptions(q, card, translations));
  const issues: InputIssue[] = [];
  const checked: CheckedAnswers = { answers: {}, leadFields: {} };
  const asked = new Set(questions.map((q) => q.key));
  for (const key of Object.keys(raw)) {
    if (!asked.has(key)) {
      issues.push({ field: `answers.${key}`, message: `card ${card.id} asks no question ${key}` });
    }
  }
  for (const question of questions) {
    const given = raw[question.key];
    if (given === undefined || given.trim() === '') {
      if (question.required) {
        issues.push({ field: `answers.${question.key}`, message: 'an answer is required' });
      }
      continue;
    }
    const result = checkAnswer(question.spec, given);
    if (!result.ok) {
      const message = describeAnswerProblem(result.problem);
      issues.push({ field: `answers.${question.key}`, message });
      continue;
    }
    if (
      question.spec.kind === 'email' &&
      isBlockedEmail(configuration.blockedEmailDomains, result.value)
    ) {
      const message = 'emails from this domain are not accepted';
      issues.push({ field: `answers.${question.key}`, message });
      continue;
    }
    checked.answers[question.key] = result.value;
    if (question.field !== undefined) checked.leadFields[question.field] = result.value;
  }
  if (issues.length > 0) throw invalidInput('Answers refused', issues);
  return checked;
}

/**
 * A choice may come back as its label in the visitor's language (a widget showing a
 * translation): each translated label of a button or option is accepted as that choice, and
 * kept as its value (its original label when it has none), the same whatever the language.
 */
function withTranslatedOptions(
  question: Question,
  card: AnswerCard,
  translations: DialogueContent['translations'],
): Question {
  if (question.spec.kind !== 'picklist' || card.type === 'form' || translations === undefined) {
    return question;
  }
  const { options } = question.spec;
  const translated = Object.values(translations).flatMap(
    (byCard) =>
      byCard[card.id]?.labels?.flatMap((label, i) => {
        const option = options[i];
        return option === undefined ? [] : [{ label, value: option.value ?? option.label }];
      }) ?? [],
  );
  return { ...question, spec: { ...question.spec, options: [...options, ...translated] } };
}

function questionsOf(card: AnswerCard): Question[] {
  switch (card.type) {
    case 'input':
      return [{ key: card.id, spec: card.answer, field: card.field, required: true }];
    case 'question':
      // A button is a picklist option: its value (its label when it has none) is kept.
      return [
        {
          key: card.id,
          spec: {
            kind: 'picklist',
            options: card.buttons.map((b) => ({
              label: b.label,
              ...(b.value === undefined || b.value === '' ? {} : { value: b.value }),
            })),
          },
          field: card.field,
          required: true,
        },
      ];
    case 'form':
      return card.fields.map((f) => ({
        key: f.key,
        spec: f.answer,
        field: f.field,
        required: f.required,
      }));
  }
}
