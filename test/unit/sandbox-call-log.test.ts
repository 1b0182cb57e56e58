import { describe, expect, it } from 'vitest';
import { createCallLog, maxCallsInWindow } from '../../src/sandbox/sandbox-call-log.js';

describe('maxCallsInWindow', () => {
  it.each([
    { times: [], windowMs: 1_000, most: 0 },
    { times: [5], windowMs: 1_000, most: 1 },
    // A call exactly one window later no longer sees the first (the limiter's `<= cutoff`).
    { times: [0, 1_000], windowMs: 1_000, most: 1 },
    { times: [0, 999], windowMs: 1_000, most: 2 },
    { times: [0, 10, 20, 1_015, 1_016], windowMs: 1_000, most: 3 },
    // Unsorted input, as several users' logs merged.
    { times: [1_016, 0, 1_015, 20, 10], windowMs: 1_000, most: 3 },
    { times: [0, 0, 0, 2_000], windowMs: 1_000, most: 3 },
  ])(
    'when calls arrive at $times in a $windowMs ms window, then at most $most fall in one',
    ({ times, windowMs, most }) => {
      expect(maxCallsInWindow(times, windowMs)).toBe(most);
    },
  );
});

describe('createCallLog', () => {
  it('when more calls than its capacity are recorded, then it keeps the newest, oldest first', () => {
    const log = createCallLog(4);
    for (let at = 1; at <= 5; at += 1) log.record({ at, clientId: 'a', path: '/p' });
    expect(log.entries().map((entry) => entry.at)).toEqual([4, 5]);
    log.record({ at: 6, clientId: 'b', path: '/p' });
    expect(log.entries()).toEqual([
      { at: 4, clientId: 'a', path: '/p' },
      { at: 5, clientId: 'a', path: '/p' },
      { at: 6, clientId: 'b', path: '/p' },
    ]);
  });
});
