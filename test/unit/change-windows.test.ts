import { describe, expect, it } from 'vitest';
import type { ChangeWindow } from '../../src/store/types.js';
import {
  coveredThrough,
  firstWindow,
  highWaterOf,
  pickSplit,
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

  it('when a window has many pages ahead at the pace of its latest page, then it is cut in the middle of what remains', () => {
    const window = (from: number, until: number | undefined, highWater: number): ChangeWindow => ({
      from: new Date(from).toISOString(),
      ...(until === undefined ? {} : { until: new Date(until).toISOString() }),
      changes: { done: false, highWater: new Date(highWater).toISOString() },
      deletions: { done: false },
    });
    const slow = window(T, T + 600_000, T + 100_000);
    const busy = window(T + 600_000, undefined, T + 610_000);
    const spans = new Map([
      [slow, 60_000],
      [busy, 5_000],
    ]);
    // slow: 500 s ahead at 60 s a page (8.3 pages); busy: 390 s ahead at 5 s a page (78).
    expect(pickSplit([slow, busy], spans, T + 1_000_000)).toEqual({
      window: busy,
      at: T + 805_000,
    });
    spans.set(busy, 60_000);
    expect(pickSplit([slow, busy], spans, T + 1_000_000)).toEqual({
      window: slow,
      at: T + 350_000,
    });
    spans.set(slow, 100_000);
    spans.set(busy, 100_000);
    expect(pickSplit([slow, busy], spans, T + 1_000_000)).toBeUndefined();
  });

  it('when windows page at once, then the progress cursor is the start plus the time they covered together', () => {
    const at = (seconds: number) => new Date(T + seconds * 1000).toISOString();
    const windows: ChangeWindow[] = [
      { until: at(10), changes: { done: true, highWater: at(8) }, deletions: { done: true } },
      {
        from: at(10),
        until: at(20),
        changes: { done: false, highWater: at(15) },
        deletions: { done: false },
      },
      { from: at(20), changes: { done: false }, deletions: { done: false } },
    ];
    expect(new Date(coveredThrough(windows, T)).toISOString()).toBe(at(15));
    windows[2]!.changes.highWater = at(26);
    expect(new Date(coveredThrough(windows, T)).toISOString()).toBe(at(21));
  });
});
