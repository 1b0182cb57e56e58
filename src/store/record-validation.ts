import type { z } from 'zod';
import { StoreError } from '../errors.js';

/**
 * Parses `value` at the store's boundary, or throws STORE_INVALID_RECORD naming the first
 * problem. Mutators call it before they change anything, so a bad record never enters the
 * document (and never reaches the file, where it would stop the next start).
 */
export function refuseInvalid<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw new StoreError(
    'STORE_INVALID_RECORD',
    `Invalid ${what} refused, nothing written: ${where}${issue?.message ?? 'invalid'}`,
  );
}
