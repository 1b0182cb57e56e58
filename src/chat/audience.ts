import type { Audience, AudienceCondition } from '../records/chat-targeting.js';

/** A visitor's synced lead fields (`StoredLead.fields`), or undefined for an anonymous visitor. */
export type VisitorLead = Readonly<Record<string, unknown>> | undefined;

export type AudienceVerdict = { matched: true } | { matched: false; reason: string };

/**
 * Dynamic Chat targets anonymous visitors with "Person Email Is Empty" (marketo-facts.md
 * §7.2), so a visitor is known when there is a lead with an email, and anonymous otherwise.
 * The public endpoint uses the same rule for `ResolveResponse.known`.
 */
export function isKnownVisitor(lead: VisitorLead): boolean {
  return lead !== undefined && !isEmptyValue(fieldValue(lead, 'email'));
}

export function matchesAudience(audience: Audience, lead: VisitorLead): boolean {
  return explainAudience(audience, lead).matched;
}

/**
 * Whether the visitor belongs to the audience, and if not, why, in words for the preview:
 * `audience: visitor is anonymous`, `audience: country equals "DE" not met`.
 *
 * Semantics: `visitors` first (all, known, anonymous); then the groups, combined with the
 * audience's `match`, each combining its conditions with its own `match`; no groups means no
 * condition. An anonymous visitor has no fields, so every field of theirs is empty.
 */
export function explainAudience(audience: Audience, lead: VisitorLead): AudienceVerdict {
  const known = isKnownVisitor(lead);
  if (audience.visitors === 'known' && !known) {
    return { matched: false, reason: 'audience: visitor is anonymous' };
  }
  if (audience.visitors === 'anonymous' && known) {
    return { matched: false, reason: 'audience: visitor is known' };
  }
  if (audience.groups.length === 0) return { matched: true };

  const failures: string[] = [];
  for (const group of audience.groups) {
    const unmet = group.conditions.filter((condition) => !matchesCondition(condition, lead));
    const groupMet =
      group.match === 'all' ? unmet.length === 0 : unmet.length < group.conditions.length;
    if (groupMet) {
      if (audience.match === 'any') return { matched: true };
      continue;
    }
    const failure =
      group.match === 'all' || unmet.length === 1
        ? `${describeCondition(unmet[0]!)} not met`
        : `none of ${unmet.map(describeCondition).join('; ')} met`;
    if (audience.match === 'all') return { matched: false, reason: `audience: ${failure}` };
    failures.push(failure);
  }
  if (audience.match === 'all') return { matched: true };
  return {
    matched: false,
    reason:
      failures.length === 1
        ? `audience: ${failures[0]}`
        : `audience: no group met (${failures.join(' | ')})`,
  };
}

/**
 * One condition. Numbers compare numerically when both sides are numbers (or numeric
 * strings); ISO dates (`2026-01-31`, `2026-01-31T10:00:00Z`) compare as dates for greater
 * and less than; everything else compares as trimmed, case-insensitive text. `notEquals` is
 * met by an empty field, as Marketo's "is not" is.
 */
export function matchesCondition(condition: AudienceCondition, lead: VisitorLead): boolean {
  const actual = lead === undefined ? undefined : fieldValue(lead, condition.field);
  const { value } = condition;
  switch (condition.operator) {
    case 'isEmpty':
      return isEmptyValue(actual);
    case 'isNotEmpty':
      return !isEmptyValue(actual);
    case 'equals':
      return !isEmptyValue(actual) && !Array.isArray(value) && valuesEqual(actual, value);
    case 'notEquals':
      return isEmptyValue(actual) || Array.isArray(value) || !valuesEqual(actual, value);
    case 'inList':
      return !isEmptyValue(actual) && listOf(value).some((item) => valuesEqual(actual, item));
    case 'contains':
      return (
        textOf(actual) !== '' && !Array.isArray(value) && textOf(actual).includes(textOf(value))
      );
    case 'startsWith':
      return (
        textOf(actual) !== '' && !Array.isArray(value) && textOf(actual).startsWith(textOf(value))
      );
    case 'greaterThan':
      return compareOrdered(actual, value) > 0;
    case 'lessThan':
      return compareOrdered(actual, value) < 0;
  }
}

/** `country equals "DE"`, `score greater than 50`, `email is empty`. */
export function describeCondition(condition: AudienceCondition): string {
  const words: Record<AudienceCondition['operator'], string> = {
    equals: 'equals',
    notEquals: 'does not equal',
    contains: 'contains',
    startsWith: 'starts with',
    inList: 'is in',
    greaterThan: 'greater than',
    lessThan: 'less than',
    isEmpty: 'is empty',
    isNotEmpty: 'is not empty',
  };
  const verb = words[condition.operator];
  if (condition.operator === 'isEmpty' || condition.operator === 'isNotEmpty') {
    return `${condition.field} ${verb}`;
  }
  const { value } = condition;
  const shown = Array.isArray(value)
    ? `[${value.map((item) => JSON.stringify(item)).join(', ')}]`
    : typeof value === 'number'
      ? String(value)
      : JSON.stringify(value ?? '');
  return `${condition.field} ${verb} ${shown}`;
}

/** The field as named, or under the same name in another case (`Country` for `country`). */
function fieldValue(lead: Readonly<Record<string, unknown>>, field: string): unknown {
  if (Object.hasOwn(lead, field)) return lead[field];
  const lower = field.toLowerCase();
  const name = Object.keys(lead).find((key) => key.toLowerCase() === lower);
  return name === undefined ? undefined : lead[name];
}

function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

function valuesEqual(actual: unknown, expected: unknown): boolean {
  const a = numberOf(actual);
  const b = numberOf(expected);
  if (a !== undefined && b !== undefined) return a === b;
  return textOf(actual) === textOf(expected);
}

function listOf(value: AudienceCondition['value']): Array<string | number> {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Positive when actual > expected; NaN (no order, so the condition fails) when incomparable. */
function compareOrdered(actual: unknown, expected: unknown): number {
  const a = numberOf(actual);
  const b = numberOf(expected);
  if (a !== undefined && b !== undefined) return a - b;
  const dateA = dateOf(actual);
  const dateB = dateOf(expected);
  if (dateA !== undefined && dateB !== undefined) return dateA - dateB;
  return Number.NaN;
}

/** Whether greater/less than can use the value: a number, a numeric text or an ISO date. */
export function isOrderable(value: unknown): boolean {
  return numberOf(value) !== undefined || dateOf(value) !== undefined;
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  // Not Number(''): an empty string is no number, and '0x1f' or '1e3' are not what people type.
  if (typeof value === 'string' && /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(value)) {
    return Number(value);
  }
  return undefined;
}

function dateOf(value: unknown): number | undefined {
  if (
    typeof value !== 'string' ||
    !/^\s*\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?\s*$/.test(value)
  ) {
    return undefined;
  }
  const ms = Date.parse(value.trim());
  return Number.isNaN(ms) ? undefined : ms;
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.trim().toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).toLowerCase();
  if (Array.isArray(value)) return value.map(textOf).join(';');
  return '';
}
