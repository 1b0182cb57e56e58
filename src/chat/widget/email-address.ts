/**
 * A deliberately loose check: one `@`, no spaces, a dotted domain with a 2+ letter ending.
 * The server validates for real (and refuses blocked domains); this only catches typos early.
 */
const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)*\.[A-Za-z]{2,63}$/;

export function isEmailAddress(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}
