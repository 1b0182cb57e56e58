import { describe, expect, it } from 'vitest';
import { classifyCallbackStatus } from '../../src/clients/ssfs-callback/ssfs-callback-client.js';

describe('classifyCallbackStatus', () => {
  it.each([
    [200, 'delivered'],
    [201, 'delivered'],
    [204, 'delivered'],
    [301, 'reject'],
    [302, 'reject'],
    [400, 'reject'],
    [401, 'reject'],
    [403, 'reject'],
    [404, 'reject'],
    [408, 'retry'],
    [413, 'reject'],
    [425, 'retry'],
    [429, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
    [504, 'retry'],
  ])('when Marketo answers the callback %i, then it is %s', (status, outcome) => {
    expect(classifyCallbackStatus(status)).toBe(outcome);
  });
});
