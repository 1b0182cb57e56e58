import { describe, expect, it } from 'vitest';
import { OPERATORS } from '../../src/console/condition-operators.js';
import { conditionOperatorSchema } from '../../src/records/chat-targeting.js';

describe("the console's condition operators", () => {
  it('when the records accept an operator, then the console offers the same ones in the same order', () => {
    expect([...OPERATORS]).toEqual(conditionOperatorSchema.options);
  });
});
