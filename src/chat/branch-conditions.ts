import type { BranchCondition, Card } from '../records/chat-cards.js';
import { matchesCondition, type VisitorLead } from './audience.js';

export type ConditionCard = Extract<Card, { type: 'condition' }>;

/** What a condition card may test of a visitor. */
export interface BranchFacts {
  /** The lead's synced fields, only for a visitor Marketo knows by cookie (as audiences). */
  lead: VisitorLead;
  /** Known by the audience rule (a lead with an email, by cookie). */
  known: boolean;
  /** Answers given so far in this conversation, by card id or form key. */
  answers: Readonly<Record<string, string>>;
}

/**
 * Where a condition card goes: the `next` of the first branch whose conditions hold (all or any,
 * by its `match`), else `otherwise`. Lead and answer conditions use the audience operators
 * (audience.ts `matchesCondition`: numbers numerically, ISO dates as dates, text trimmed and
 * case-insensitive, an empty value for what is missing), so a branch reads as an audience does.
 * Pure: the caller decides who the visitor is.
 */
export function evaluateConditionCard(card: ConditionCard, facts: BranchFacts): string | null {
  for (const branch of card.branches) {
    const met = branch.conditions.map((condition) => holds(condition, facts));
    if (branch.match === 'all' ? met.every(Boolean) : met.some(Boolean)) return branch.next;
  }
  return card.otherwise;
}

function holds(condition: BranchCondition, facts: BranchFacts): boolean {
  switch (condition.source) {
    case 'known':
      return condition.known === facts.known;
    case 'lead':
      return matchesCondition(
        { field: condition.field, operator: condition.operator, value: condition.value },
        facts.lead,
      );
    case 'answer':
      // By exact key: an answer's key is a card id or form key, not a case-free field name.
      return matchesCondition(
        { field: 'answer', operator: condition.operator, value: condition.value },
        Object.hasOwn(facts.answers, condition.answer)
          ? { answer: facts.answers[condition.answer] }
          : {},
      );
  }
}
