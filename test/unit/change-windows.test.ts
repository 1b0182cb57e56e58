import { describe, expect, it } from 'vitest';
import type { ChangeWindow } from '../../src/store/types.js';
import {
  firstWindow,
  highWaterOf,
  placeOf,
  splitBoundaries,
  splitWindow,
  windowsFor,
} from '../../src/sync/change-windows.js';

const T = Date.UTC(2026, 11, 7, 10, 0, 0);

describe('change windows', () => {
  it.each([
    { span: '9.6 s', lo: T + 400, hi: T + 10_000, count: 4, expected: [3, 5, 7] },
    { span: '2 s', lo: T, hi: T + 1999, count: 4, expected: [] },
    { span: '3 s', lo: T, hi: T + 3000, count: 8, expected: [1, 2] },
    { span: '100 s', lo: T, hi: T + 100_000, count: 1, expected: [] },
  ])(
    'when $span is split in $count, then the boundaries are whole seconds after its start: $expected',
    ({ lo, hi, count, expected }) => {
      expect(splitBoundaries(lo, hi, count)).toEqual(expected.map((s) => T + s * 1000));
    },
  );

  it.each([
    { span: 600_000, remaining: 5_700_000, max: 4, expected: 2 },
    { span: 0, remaining: 60_000, max: 8, expected: 8 },
    { span: 60_000, remaining: 60_000, max: 8, expected: 1 },
    { span: 100_000, remaining: 10_000_000, max: 6, expected: 6 },
  ])(
    'when a page spans $span ms and $remaining ms remain, then $expected windows (at most $max)',
    ({ span, remaining, max, expected }) => {
      expect(windowsFor(span, remaining, max)).toBe(expected);
    },
  );

  it('when the first window is split, then an activity on a boundary belongs to exactly one window', () => {
    const first = firstWindow('token-c', 'token-d');
    const windows = [first, ...splitWindow(first, [T + 2000, T + 4000])];
    expect(windows.map((w) => [w.from, w.until])).toEqual([
      [undefined, '2026-12-07T10:00:02Z'],
      ['2026-12-07T10:00:02Z', '2026-12-07T10:00:04Z'],
      ['2026-12-07T10:00:04Z', undefined],
    ]);
    for (const at of [T, T + 1999, T + 2000, T + 2001, T + 3999, T + 4000, T + 9000]) {
      const owners = windows.filter((w) => placeOf(w, at) === 'inside');
      expect(owners).toHaveLength(1);
    }
    expect(placeOf(windows[0]!, T + 2000)).toBe('after');
    expect(placeOf(windows[1]!, T + 1999)).toBe('before');
  });

  it('when a window in front is unfinished, then the high water stops at it', () => {
    const window = (done: boolean, highWater?: string): ChangeWindow => ({
      changes: { done, ...(highWater ? { highWater } : {}) },
      deletions: { done: true },
    });
    const windows = [
      window(true, '2026-12-07T10:00:01.000Z'),
      window(false, '2026-12-07T10:00:03.000Z'),
      window(true, '2026-12-07T10:00:09.000Z'),
    ];
    expect(highWaterOf(windows, 'changes')).toBe('2026-12-07T10:00:03.000Z');
    expect(highWaterOf(windows, 'deletions')).toBeUndefined();
    windows[1]!.changes.done = true;
    expect(highWaterOf(windows, 'changes')).toBe('2026-12-07T10:00:09.000Z');
  });
});
