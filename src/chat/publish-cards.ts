import type { AnswerSpec, Card } from '../records/chat-cards.js';
import type { DialogueContent } from '../records/chat-dialogue.js';
import { conditionValueProblem } from './condition-values.js';
import type { PublishProblem } from './publish-validation.js';

/**
 * Publish checks of the conversation cards (input, form, question with a field, condition) and
 * of the translations, on the dialogue alone; what they name on this instance (synced fields,
 * Marketo's fields) is publish-references.ts's. Every problem names its path in the content.
 *
 * - answer keys (form field keys) are unique in the dialogue and no card has one as its id:
 *   answers are kept by card id or form key, so one key must mean one question;
 * - a condition's `answer` names an input or question card, or a form key, of this dialogue;
 * - condition values suit their operators (as audiences: a list for inList, a number or date for
 *   greater/less than);
 * - picklist options are distinct (by label and by value), and a number's min is not above max;
 * - translations name existing cards and give no more labels than the card has.
 */
export function conversationCardProblems(dialogue: DialogueContent): PublishProblem[] {
  return [
    ...answerKeyProblems(dialogue),
    ...specProblems(dialogue),
    ...translationProblems(dialogue),
  ];
}

/** Keys an answer can be kept under: input and question card ids, form field keys. */
function answerKeys(dialogue: DialogueContent): Set<string> {
  const keys = new Set<string>();
  for (const card of dialogue.cards) {
    if (card.type === 'input' || card.type === 'question') keys.add(card.id);
    if (card.type === 'form') for (const field of card.fields) keys.add(field.key);
  }
  return keys;
}

function answerKeyProblems(dialogue: DialogueContent): PublishProblem[] {
  const problems: PublishProblem[] = [];
  const cardIds = new Set(dialogue.cards.map((card) => card.id));
  const formKeys = new Map<string, string>();
  dialogue.cards.forEach((card, i) => {
    if (card.type !== 'form') return;
    card.fields.forEach((field, j) => {
      const path = `cards.${i}.fields.${j}.key`;
      if (cardIds.has(field.key)) {
        problems.push({
          field: path,
          message: `the key "${field.key}" is also a card id: answers are kept by card id or key, so they would mix`,
        });
      } else if (formKeys.has(field.key)) {
        problems.push({
          field: path,
          message: `the key "${field.key}" is used twice (also in ${formKeys.get(field.key)})`,
        });
      } else formKeys.set(field.key, `cards.${i}.fields.${j}`);
    });
  });
  const keys = answerKeys(dialogue);
  dialogue.cards.forEach((card, i) => {
    if (card.type !== 'condition') return;
    card.branches.forEach((branch, j) => {
      branch.conditions.forEach((condition, k) => {
        const path = `cards.${i}.branches.${j}.conditions.${k}`;
        if (condition.source === 'known') return;
        if (condition.source === 'answer' && !keys.has(condition.answer)) {
          problems.push({
            field: `${path}.answer`,
            message: `no input or question card, and no form field, has the key "${condition.answer}"`,
          });
        }
        const message = conditionValueProblem(condition);
        if (message !== undefined) problems.push({ field: `${path}.value`, message });
      });
    });
  });
  return problems;
}

function specProblems(dialogue: DialogueContent): PublishProblem[] {
  const problems: PublishProblem[] = [];
  dialogue.cards.forEach((card, i) => {
    if (card.type === 'input')
      problems.push(...answerSpecProblems(card.answer, `cards.${i}.answer`));
    if (card.type === 'form') {
      card.fields.forEach((field, j) =>
        problems.push(...answerSpecProblems(field.answer, `cards.${i}.fields.${j}.answer`)),
      );
    }
  });
  return problems;
}

function answerSpecProblems(spec: AnswerSpec, path: string): PublishProblem[] {
  if (spec.kind === 'number') {
    return spec.min !== undefined && spec.max !== undefined && spec.min > spec.max
      ? [
          {
            field: `${path}.min`,
            message: `min (${spec.min}) is above max (${spec.max}): no number could be answered`,
          },
        ]
      : [];
  }
  if (spec.kind !== 'picklist') return [];
  const problems: PublishProblem[] = [];
  const labels = new Set<string>();
  const values = new Set<string>();
  spec.options.forEach((option, k) => {
    const label = option.label.toLowerCase();
    const value = option.value ?? option.label;
    if (labels.has(label)) {
      problems.push({
        field: `${path}.options.${k}.label`,
        message: `the label "${option.label}" is used twice`,
      });
    } else if (values.has(value)) {
      problems.push({
        field: `${path}.options.${k}.value`,
        message: `the value "${value}" is used twice: the answers could not be told apart`,
      });
    }
    labels.add(label);
    values.add(value);
  });
  return problems;
}

/** How many labels a card has for a translation to replace, in order. */
function labelCount(card: Card): number {
  switch (card.type) {
    case 'question':
      return card.buttons.length;
    case 'form':
      return card.fields.length;
    case 'input':
      return card.answer.kind === 'picklist' ? card.answer.options.length : 0;
    default:
      return 0;
  }
}

function translationProblems(dialogue: DialogueContent): PublishProblem[] {
  const problems: PublishProblem[] = [];
  const cards = new Map(dialogue.cards.map((card) => [card.id, card]));
  for (const [language, byCard] of Object.entries(dialogue.translations ?? {})) {
    for (const [cardId, translation] of Object.entries(byCard)) {
      const path = `translations.${language}.${cardId}`;
      const card = cards.get(cardId);
      if (card === undefined) {
        problems.push({ field: path, message: `there is no card "${cardId}" to translate` });
        continue;
      }
      if (translation.text !== undefined && !('text' in card)) {
        problems.push({
          field: `${path}.text`,
          message: `a ${card.type} card has no text to translate`,
        });
      }
      const max = labelCount(card);
      if ((translation.labels?.length ?? 0) > max) {
        problems.push({
          field: `${path}.labels`,
          message: `${translation.labels!.length} labels for a card with ${max}`,
        });
      }
    }
  }
  return problems;
}
