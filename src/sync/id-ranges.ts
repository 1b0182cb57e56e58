/** Merged, sorted [start, end) id ranges: the committed part of an id scan. */
export type IdRanges = Array<[number, number]>;

/** Adds [start, end) and merges touching or overlapping ranges. Returns a new array. */
export function addRange(ranges: IdRanges, start: number, end: number): IdRanges {
  const all = [...ranges, [start, end] as [number, number]].sort((a, b) => a[0] - b[0]);
  const merged: IdRanges = [];
  for (const [s, e] of all) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/** True when [start, end) lies inside one committed range. */
export function isCovered(ranges: IdRanges, start: number, end: number): boolean {
  return ranges.some(([s, e]) => s <= start && end <= e);
}

/** Number of ids inside the ranges. */
export function coveredCount(ranges: IdRanges): number {
  return ranges.reduce((sum, [s, e]) => sum + (e - s), 0);
}
