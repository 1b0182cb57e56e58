import { describe, expect, it } from 'vitest';
import { RoutingRecords } from '../../src/store/routing-records.js';
import { createEmptyDocument } from '../../src/store/store-document.js';
import { nextInLine } from '../helpers/store-decisions.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const DAY = 24 * 60 * 60 * 1000;
/** What routing/ keeps assignments for, by default: the caller passes `keepSince`. */
const RETENTION_MS = 7 * DAY;

/** `count` turns at `now`, alternating a1 and a2, keeping assignments made since `keepSince`. */
function assignMany(
  records: RoutingRecords,
  count: number,
  now: number,
  prefix: string,
  keepSince = now - RETENTION_MS,
): void {
  for (let i = 0; i < count; i++) {
    const key = `${prefix}:${i}`;
    records.takeTurn({
      key,
      keepSince,
      decide: nextInLine(key, now, { order: ['a1', 'a2'], windowMs: 0 }),
    });
  }
}

describe('routing records: keeping the assignments bounded (storage housekeeping by keepSince)', () => {
  it('when there are few assignments, then none is swept, however old', () => {
    const doc = createEmptyDocument();
    const records = new RoutingRecords(doc);
    assignMany(records, 10, T0, 'old');

    assignMany(records, 1, T0 + 30 * DAY, 'new');

    expect(doc.assignments.size).toBe(11);
  });

  it('when the map grows past 1,000, then assignments made before keepSince are swept and younger ones kept', () => {
    const doc = createEmptyDocument();
    const records = new RoutingRecords(doc);
    assignMany(records, 600, T0, 'old');
    assignMany(records, 400, T0 + 2 * DAY, 'young');

    assignMany(records, 1, T0 + RETENTION_MS + 1, 'new');

    expect(doc.assignments.size).toBe(401);
    expect(records.get('old:0')).toBeUndefined();
    expect(records.get('young:0')).toBeDefined();
    expect(records.get('new:0')).toBeDefined();
    expect(records.state().totals).toEqual({ a1: 501, a2: 500 });
  });

  it('when keepSince is older than every assignment (a repeat window past 7 days), then none is swept', () => {
    const doc = createEmptyDocument();
    const records = new RoutingRecords(doc);
    assignMany(records, 1_000, T0, 'old');

    assignMany(records, 1, T0 + 8 * DAY, 'new', T0 + 8 * DAY - 10 * DAY);

    expect(doc.assignments.size).toBe(1_001);
  });

  it('when the assignments after a sweep are all young, then the next sweep waits for the map to double', () => {
    const doc = createEmptyDocument();
    const records = new RoutingRecords(doc);
    assignMany(records, 1_001, T0, 'young'); // swept at 1,001, nothing old: next past 2,002
    const later = T0 + RETENTION_MS + 1;

    assignMany(records, 1_000, later, 'later');
    expect(doc.assignments.size).toBe(2_001);
    assignMany(records, 1, later, 'at-limit');
    expect(doc.assignments.size).toBe(2_002);
    assignMany(records, 1, later, 'past-limit');
    expect(doc.assignments.size).toBe(1_002);
  });
});
