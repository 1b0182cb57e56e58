import { targetPagesSchema, urlPatternSchema } from '../records/chat-targeting.js';
import { dialogueContentSchema, type DialogueContent } from '../records/chat-dialogue.js';
import { conditionValueProblem } from './condition-values.js';
import { checkDialogueGraph, findUnreachableCards } from './dialogue-graph.js';
import { findMalformedLeadTokens } from './lead-tokens.js';
import { conversationCardProblems } from './publish-cards.js';
import { checkReferences, type PublishContext } from './publish-references.js';
import { describeUrlPatternProblem } from './url-pattern.js';

/** One reason a dialogue cannot be published; `field` is a path in the dialogue content. */
export interface PublishProblem {
  field: string;
  message: string;
}

/**
 * Everything that must hold before a dialogue goes to visitors, all problems at once (an
 * empty list means it may be published). Beyond the contract's schema:
 *
 * - card ids are unique, `start` names a card, and every `next` (of a card or of a question's
 *   button) names a card or is null (the end): a dangling branch would leave the widget stuck;
 * - no loops: a conversation must end, so no path from `start` comes back to a card on it
 *   (Dynamic Chat has no "go back" either, marketo-facts.md §7.7);
 * - at most one meeting-booking card on any path from `start` (one meeting per branch);
 * - a booking routed to a specific agent names the agent's email;
 * - audience values suit their operators (a list for inList, a number or date for greater/less
 *   than, a non-empty value for the others);
 * - target patterns have a host and an http(s) scheme; lead tokens in texts are well formed;
 * - a question's buttons have distinct labels;
 * - the conversation cards and translations hold together (publish-cards.ts).
 *
 * Cards no path reaches are allowed (a designer parks cards while editing); they are reported
 * by `findUnreachableCards` (dialogue-graph.ts) as warnings, not errors. What the dialogue
 * names on this instance (synced fields, agents) is `checkForPublish`'s, below.
 */
export function validateForPublish(content: unknown): PublishProblem[] {
  const parsed = dialogueContentSchema.safeParse(content);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || '(dialogue)',
      message: issue.message,
    }));
  }
  const dialogue = parsed.data;
  return [
    ...checkDialogueGraph(dialogue),
    ...cardProblems(dialogue),
    ...conversationCardProblems(dialogue),
    ...audienceProblems(dialogue),
    ...pageProblems(dialogue),
  ];
}

function cardProblems(dialogue: DialogueContent): PublishProblem[] {
  const problems: PublishProblem[] = [];
  dialogue.cards.forEach((card, i) => {
    if ('text' in card) {
      for (const token of findMalformedLeadTokens(card.text)) {
        problems.push({
          field: `cards.${i}.text`,
          message: `the lead token ${token} is malformed (write {{lead.field}} or {{lead.field:"default"}})`,
        });
      }
    }
    if (card.type === 'booking' && card.routing === 'agent' && card.agentEmail === undefined) {
      problems.push({
        field: `cards.${i}.agentEmail`,
        message: 'a booking routed to one agent needs the agent email',
      });
    }
    if (card.type === 'question') {
      const labels = new Set<string>();
      card.buttons.forEach((button, j) => {
        const label = button.label.toLowerCase();
        if (labels.has(label)) {
          problems.push({
            field: `cards.${i}.buttons.${j}.label`,
            message: `the label "${button.label}" is used twice`,
          });
        }
        labels.add(label);
      });
    }
  });
  return problems;
}

function audienceProblems(dialogue: DialogueContent): PublishProblem[] {
  const problems: PublishProblem[] = [];
  dialogue.audience.groups.forEach((group, g) => {
    group.conditions.forEach((condition, k) => {
      const message = conditionValueProblem(condition);
      if (message !== undefined) {
        problems.push({ field: `audience.groups.${g}.conditions.${k}.value`, message });
      }
    });
  });
  return problems;
}

function pageProblems(dialogue: DialogueContent): PublishProblem[] {
  const problems: PublishProblem[] = [];
  for (const list of ['include', 'exclude'] as const) {
    dialogue.pages[list].forEach((pattern, i) => {
      const problem = describeUrlPatternProblem(pattern);
      if (problem !== undefined)
        problems.push({ field: `pages.${list}.${i}`, message: `the pattern ${problem}` });
    });
  }
  return problems;
}

/**
 * What an admin saves as a draft: the dialogue's shape, and target patterns that can match a
 * page (no impossible port, no path taken for a host). A pattern is checked on its own, beside
 * the other fields, so one 400 lists every problem of the draft; the rest of the publish
 * checks wait for the publish, since a draft may be half done.
 */
export const dialogueDraftSchema = dialogueContentSchema.extend({
  pages: targetPagesSchema(
    urlPatternSchema.superRefine((pattern, ctx) => {
      // Empty and `?` are urlPatternSchema's own issues; not named twice.
      if (pattern === '' || pattern.includes('?')) return;
      const problem = describeUrlPatternProblem(pattern);
      if (problem !== undefined)
        ctx.addIssue({ code: 'custom', message: `the pattern ${problem}` });
    }),
  ),
});

export interface PublishCheck {
  /** Why it cannot be published; empty when it may be. */
  problems: PublishProblem[];
  /** Worth a look, but published all the same. */
  warnings: string[];
}

/**
 * Every check before a publish, at once: the dialogue on its own (`validateForPublish`) and
 * what it names on this instance (publish-references.ts: synced fields, agents). Warnings:
 * cards no path reaches (a designer parks cards while editing), and the references'
 * warnings, as `field: message`.
 */
export function checkForPublish(content: DialogueContent, ctx: PublishContext): PublishCheck {
  const references = checkReferences(content, ctx);
  const unreachable = findUnreachableCards(content);
  return {
    problems: [...validateForPublish(content), ...references.problems],
    warnings: [
      ...(unreachable.length === 0 ? [] : [`no path reaches the cards ${unreachable.join(', ')}`]),
      ...references.warnings.map((warning) => `${warning.field}: ${warning.message}`),
    ],
  };
}

export { findUnreachableCards } from './dialogue-graph.js';
