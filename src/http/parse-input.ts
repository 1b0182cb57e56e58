import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/** One bad field of a request: a dotted path in the body, and what is wrong with it. */
export interface InputIssue {
  field: string;
  message: string;
}

/** Issues named in the message; `details.issues` always lists them all. */
const ISSUES_IN_MESSAGE = 10;

/**
 * Parses a request body or query (admin or public), or throws 400 VALIDATION_FAILED: `field` names the first bad
 * field, the message names up to ten, and `details.issues` lists every one.
 */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw invalidInput(
    `Invalid ${what}`,
    parsed.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || 'body',
      message: issue.message,
    })),
  );
}

/** `lead: field: message; field: message (+n more)` as a ValidationError with every issue. */
export function invalidInput(lead: string, issues: InputIssue[]): ValidationError {
  const named = issues
    .slice(0, ISSUES_IN_MESSAGE)
    .map((issue) => `${issue.field}: ${issue.message}`)
    .join('; ');
  const more =
    issues.length > ISSUES_IN_MESSAGE ? ` (+${issues.length - ISSUES_IN_MESSAGE} more)` : '';
  return new ValidationError(`${lead}: ${named}${more}`, issues[0]?.field, { issues });
}
