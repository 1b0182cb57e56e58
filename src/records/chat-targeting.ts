import { z } from 'zod';

/**
 * Who and where a dialogue shows (Dynamic Chat's targeting, marketo-facts.md §7): an audience
 * of known or anonymous visitors with all/any groups of conditions on synced lead fields, and
 * page URL patterns with `*` wildcards and exclusions. The condition operators serve the
 * condition cards too (chat-cards.ts).
 */

export const conditionOperatorSchema = z.enum([
  'equals',
  'notEquals',
  'contains',
  'startsWith',
  'inList',
  'greaterThan',
  'lessThan',
  'isEmpty',
  'isNotEmpty',
]);

export const audienceConditionSchema = z.object({
  /** A synced lead field (SYNC_FIELDS), e.g. `country`. */
  field: z.string().trim().min(1).max(100),
  operator: conditionOperatorSchema,
  /** A string, a number, or a list for `inList`; absent for isEmpty/isNotEmpty. */
  value: z
    .union([z.string().max(500), z.number(), z.array(z.string().max(500)).max(200)])
    .optional(),
});
export type AudienceCondition = z.infer<typeof audienceConditionSchema>;

export const audienceSchema = z.object({
  visitors: z.enum(['all', 'known', 'anonymous']),
  /** How the groups combine; each group combines its own conditions with its own `match`. */
  match: z.enum(['all', 'any']),
  groups: z
    .array(
      z.object({
        match: z.enum(['all', 'any']),
        conditions: z.array(audienceConditionSchema).min(1).max(10),
      }),
    )
    .max(10),
});
export type Audience = z.infer<typeof audienceSchema>;

/** URL patterns: `https://example.com/pricing`, `https://*.example.com/*`; no query strings. */
export const urlPatternSchema = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .refine((p) => !p.includes('?'), { error: 'URL patterns cannot contain query parameters' });

/**
 * Which pages a dialogue shows on. `pattern` checks one pattern: the stored shape takes any
 * that passes `urlPatternSchema`, and what an admin saves is checked further
 * (publish-validation.ts `dialogueDraftSchema`), so an older store still loads.
 */
export const targetPagesSchema = (pattern: z.ZodType<string>) =>
  z.object({
    include: z.array(pattern).min(1).max(20),
    exclude: z.array(pattern).max(20),
  });
