import { checkAnswer } from '../../records/answer-check.js';
import type { AnswerSpec, Card } from '../../records/chat-cards.js';
import type { EventOutcome } from './chat-api-client.js';
import type { ChatView, FormField, FormProblem } from './chat-view.js';
import { nextAfterButton } from './dialogue-walker.js';
import { isEmailAddress } from './email-address.js';
import { wordAnswerProblem, type WidgetStrings } from './widget-strings.js';

/**
 * How the visitor answers question, email, input and form cards. Every answer is checked here
 * with answer-check.ts (the service runs the same check) and worded in the visitor's language;
 * a refusal of the service (400 naming `answers.<key>`) shows its message under that field.
 * DOM-free: the view and the sending are injected.
 */

export type TypedCard = Extract<Card, { type: 'question' | 'email' | 'input' | 'form' }>;

export interface AnswerContext {
  view: Pick<ChatView, 'choose' | 'fillIn'>;
  t: WidgetStrings;
  /** Marks the conversation engaged (the visitor's first answer). */
  engage(): void;
  /** Sends email-given; the service's refusal, or null. */
  giveEmail(email: string): Promise<string | null>;
  /** Sends `answered` for the card; the service's verdict. */
  sendAnswers(cardId: string, answers: Record<string, string>): Promise<EventOutcome>;
}

export interface Answered {
  next: string | null;
  /** The visitor's line in the conversation. */
  said: string;
  /** What to keep: by card id or form field key, the checked values. */
  answers: Record<string, string>;
}

/** Picklists this short are buttons; longer ones a select. */
const MAX_BUTTONS = 5;

const optionsOf = (spec: Extract<AnswerSpec, { kind: 'picklist' }>) =>
  spec.options.map((o) => ({ label: o.label, value: o.value ?? o.label }));

const labelOf = (spec: AnswerSpec, value: string) =>
  (spec.kind === 'picklist' && optionsOf(spec).find((o) => o.value === value)?.label) || value;

function fieldFor(t: WidgetStrings, label: string, spec: AnswerSpec): FormField {
  const base = { label, autocomplete: 'off' };
  switch (spec.kind) {
    case 'picklist':
      return { ...base, type: 'select', options: optionsOf(spec), placeholder: t.choose };
    case 'phone':
      return { ...base, type: 'tel', autocomplete: 'tel' };
    case 'email':
      return { ...base, type: 'email', autocomplete: 'email' };
    default:
      return { ...base, type: spec.kind };
  }
}

/** The index of the field a service refusal names (`answers.<key>`), if any. */
const fieldNamed = (keys: string[], field: string | undefined) => {
  const index = field ? keys.indexOf(field.replace(/^answers\./, '')) : -1;
  return index < 0 ? 0 : index;
};

export async function answerCard(ctx: AnswerContext, card: TypedCard): Promise<Answered> {
  const { view, t } = ctx;
  if (card.type === 'question') {
    const index = await view.choose(card.buttons.map((b) => b.label));
    ctx.engage();
    const button = card.buttons[index] || { label: '', value: undefined };
    const value = button.value || button.label;
    // Only a mapped answer goes to the service: it is written to the lead field.
    if (card.field) void ctx.sendAnswers(card.id, { [card.id]: value });
    return {
      next: nextAfterButton(card, index),
      said: button.label,
      answers: { [card.id]: value },
    };
  }
  if (card.type === 'email') {
    const field: FormField = { label: t.email, type: 'email', autocomplete: 'email' };
    const [email = ''] = (await view.fillIn([field], t.send, async ([email = '']) => {
      ctx.engage();
      if (!isEmailAddress(email)) return t.invalidEmail;
      return ctx.giveEmail(email);
    })) as string[];
    return { next: card.next, said: email, answers: { [card.id]: email } };
  }
  const fields =
    card.type === 'form'
      ? card.fields
      : [{ key: card.id, label: card.text, answer: card.answer, required: true }];
  const keys = fields.map((f) => f.key);
  const spec = fields[0]?.answer;
  if (card.type === 'input' && spec?.kind === 'picklist' && spec.options.length <= MAX_BUTTONS) {
    // A short list is buttons, checked like any answer (the labels may be translations).
    const options = optionsOf(spec);
    for (;;) {
      const index = await view.choose(options.map((o) => o.label));
      ctx.engage();
      const option = options[index] || options[0]!;
      // A refusal (the service's card changed under the visitor) offers the buttons again.
      if ((await ctx.sendAnswers(card.id, { [card.id]: option.value })).ok)
        return { next: card.next, said: option.label, answers: { [card.id]: option.value } };
    }
  }
  let kept: Record<string, string> = {};
  const shown = fields.map((f) => ({
    ...fieldFor(t, f.label, f.answer),
    ...(card.type === 'input' ? { hideLabel: true } : {}),
    ...(f.required === false ? { required: false } : {}),
  }));
  // The contract's default label is English: the widget's own word replaces it.
  const submit = card.type === 'form' && card.submitLabel !== 'Send' ? card.submitLabel : t.send;
  await view.fillIn(shown, submit, async (raw): Promise<FormProblem | null> => {
    ctx.engage();
    const answers: Record<string, string> = {};
    for (const [i, f] of fields.entries()) {
      const value = raw[i] || '';
      if (value === '' && f.required === false) continue;
      const checked = checkAnswer(f.answer, value);
      if (!checked.ok) return { message: wordAnswerProblem(t, checked.problem), field: i };
      answers[f.key] = checked.value;
    }
    const outcome = await ctx.sendAnswers(card.id, answers);
    if (!outcome.ok) return { message: outcome.message, field: fieldNamed(keys, outcome.field) };
    kept = answers;
    return null;
  });
  const said = fields
    .filter((f) => kept[f.key] !== undefined)
    .map((f) => labelOf(f.answer, kept[f.key] as string))
    .join(' · ');
  return { next: card.next, said, answers: kept };
}
