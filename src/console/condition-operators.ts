/**
 * The lead-condition operators, as the records accept them (conditionOperatorSchema in
 * src/records/chat-targeting.ts). Written out rather than read from the schema: importing it
 * would put zod in the console's bundle (662 KB to 1,118 KB); a unit test keeps the two equal.
 */
export const OPERATORS = [
  'equals',
  'notEquals',
  'contains',
  'startsWith',
  'inList',
  'greaterThan',
  'lessThan',
  'isEmpty',
  'isNotEmpty',
] as const;
export type Operator = (typeof OPERATORS)[number];
