import { isOrderable } from './audience.js';
import type { AudienceCondition } from '../records/chat-targeting.js';

/**
 * Whether a condition's value suits its operator (audiences and condition cards alike): a
 * non-empty list for inList, a number or date for greater/less than, a non-empty value for the
 * others, nothing needed for isEmpty/isNotEmpty. The message, or undefined when it suits.
 */
export function conditionValueProblem({
  operator,
  value,
}: Pick<AudienceCondition, 'operator' | 'value'>): string | undefined {
  switch (operator) {
    case 'isEmpty':
    case 'isNotEmpty':
      return undefined;
    case 'inList':
      return Array.isArray(value) && value.length > 0
        ? undefined
        : 'inList needs a non-empty list of values';
    case 'greaterThan':
    case 'lessThan':
      return value !== undefined && !Array.isArray(value) && isOrderable(value)
        ? undefined
        : `${operator} needs a number or a date (YYYY-MM-DD)`;
    default:
      return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '')
        ? undefined
        : `${operator} needs a non-empty text or number value`;
  }
}
