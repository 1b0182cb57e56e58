import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented secret with the expected ones in constant time. Both sides are hashed
 * first so that neither the length nor the content of the expected secret leaks through
 * timing (timingSafeEqual alone throws on unequal lengths). Several expected values allow a
 * rotation: old and new secrets are both accepted until the old one is removed.
 */
export function secretMatches(presented: string | undefined, expected: readonly string[]): boolean {
  if (presented === undefined || presented === '') return false;
  const a = createHash('sha256').update(presented).digest();
  let ok = false;
  for (const secret of expected) {
    if (secret === '') continue;
    const b = createHash('sha256').update(secret).digest();
    // No early exit: every candidate is compared.
    ok = timingSafeEqual(a, b) || ok;
  }
  return ok;
}
