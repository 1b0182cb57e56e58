import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priorities } from '../../src/routing/rule-order.js';

describe('rule order priorities', () => {
  it('are strictly descending, within 0..1000, for any current priorities', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 1001 }), (current) => {
        const out = priorities(current.length, current);
        expect(out).toHaveLength(current.length);
        for (const [i, p] of out.entries()) {
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1000);
          if (i > 0) expect(p).toBeLessThan(out[i - 1]!);
        }
      }),
    );
  });

  it('keep distinct priorities as they are', () => {
    expect(priorities(3, [5, 500, 50])).toEqual([500, 50, 5]);
  });
});
