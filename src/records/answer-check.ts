import type { AnswerSpec } from './chat-cards.js';

/**
 * The one check of a visitor's answer, run by the widget before sending and by the service
 * before storing or writing anything to Marketo. Pure and free of zod so the widget bundle can
 * carry it. A refusal is a code with its parameters, not a sentence: the widget words it in the
 * visitor's language, the service in English (`describeAnswerProblem`).
 */
export type AnswerProblem =
  | { code: 'required' }
  | { code: 'too-long'; max: number }
  | { code: 'not-a-phone' }
  | { code: 'not-a-number' }
  | { code: 'not-an-integer' }
  | { code: 'below-min'; min: number }
  | { code: 'above-max'; max: number }
  | { code: 'not-an-email' }
  | { code: 'not-an-option' };

export type AnswerCheck = { ok: true; value: string } | { ok: false; problem: AnswerProblem };

/** Digits with an optional leading +, and spaces, dots, dashes or brackets between them. */
const PHONE_SHAPE = /^\+?[\d\s().-]+$/;
/** E.164 allows at most 15 digits; fewer than 6 is no real number anywhere. */
const PHONE_DIGITS = { min: 6, max: 15 } as const;
/** The same shape the email card checks in the widget: one @, a dot in the domain, no spaces. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const EMAIL_MAX = 254;

/**
 * Checks `raw` against `spec`. The value returned is what is stored and written to Marketo:
 * trimmed; a phone keeps its formatting; a number in plain decimal; a picklist the option's
 * value (its label when it has none), whether the visitor sent the value or the label; an email
 * lower-cased.
 */
export function checkAnswer(spec: AnswerSpec, raw: string): AnswerCheck {
  const answer = raw.trim();
  if (answer === '') return refuse({ code: 'required' });
  switch (spec.kind) {
    case 'text':
      return answer.length > spec.maxLength
        ? refuse({ code: 'too-long', max: spec.maxLength })
        : accept(answer);
    case 'phone': {
      const digits = answer.replace(/\D/g, '').length;
      const shaped = PHONE_SHAPE.test(answer) && answer.indexOf('+') <= 0;
      return shaped && digits >= PHONE_DIGITS.min && digits <= PHONE_DIGITS.max
        ? accept(answer)
        : refuse({ code: 'not-a-phone' });
    }
    case 'number':
      return checkNumber(spec, answer);
    case 'email':
      return answer.length <= EMAIL_MAX && EMAIL_SHAPE.test(answer)
        ? accept(answer.toLowerCase())
        : refuse({ code: 'not-an-email' });
    case 'picklist': {
      const option = spec.options.find(
        (o) => (o.value ?? o.label) === answer || o.label === answer,
      );
      return option ? accept(option.value ?? option.label) : refuse({ code: 'not-an-option' });
    }
  }
}

function checkNumber(spec: Extract<AnswerSpec, { kind: 'number' }>, answer: string): AnswerCheck {
  // Plain decimal only: no hex, exponents, Infinity or thousands separators.
  if (!/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(answer)) return refuse({ code: 'not-a-number' });
  const value = Number(answer);
  if (!Number.isFinite(value)) return refuse({ code: 'not-a-number' });
  if (spec.integer && !Number.isInteger(value)) return refuse({ code: 'not-an-integer' });
  if (spec.min !== undefined && value < spec.min)
    return refuse({ code: 'below-min', min: spec.min });
  if (spec.max !== undefined && value > spec.max)
    return refuse({ code: 'above-max', max: spec.max });
  return accept(String(value));
}

/** The problem in English, for the service's 400 answers. */
export function describeAnswerProblem(problem: AnswerProblem): string {
  switch (problem.code) {
    case 'required':
      return 'an answer is required';
    case 'too-long':
      return `must be at most ${problem.max} characters`;
    case 'not-a-phone':
      return 'must be a phone number (6 to 15 digits, an optional leading +)';
    case 'not-a-number':
      return 'must be a number';
    case 'not-an-integer':
      return 'must be a whole number';
    case 'below-min':
      return `must be at least ${problem.min}`;
    case 'above-max':
      return `must be at most ${problem.max}`;
    case 'not-an-email':
      return 'must be an email address';
    case 'not-an-option':
      return 'must be one of the offered options';
  }
}

const accept = (value: string): AnswerCheck => ({ ok: true, value });
const refuse = (problem: AnswerProblem): AnswerCheck => ({ ok: false, problem });
