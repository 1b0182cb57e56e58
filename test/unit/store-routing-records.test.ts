import { describe, expect, it } from 'vitest';
import { ASSIGNMENT_RETENTION_MS, RoutingRecords } from '../../src/store/routing-records.js';
import { createEmptyDocument } from '../../src/store/store-document.js';
import type { RoutingAgent } from '../../src/store/types.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const DAY = 24 * 60 * 60 * 1000;
const agents: RoutingAgent[] = [
  { id: 'a1', name: 'A1', email: 'a1@example.com', active: true },
  { id: 'a2', name: 'A2', email: 'a2@example.com', active: true },
];

function assignMany(records: RoutingRecords, count: number, now: number, prefix: string): void {
  for (let i = 0; i < count; i++) {
    records.assign({ key: `${prefix}:${i}`, agents, now, repeatWindowMs: 0, source: 'webhook' });
  }
}

describe('routing records: keeping the assignments bounded', () => {
  it('when there are few assignments, then none is swept, however old', () => {
    const doc = createEmptyDocument();
    const records = new RoutingRecords(doc);
    assignMany(records, 10, T0, 'old');

    assignMany(records, 1, T0 + 30 * DAY, 'new');

    expect(doc.assignments.size).toBe(11);
  });

  it('when the map grows past 1,000, then assignments older than 7 days are swept and younger ones kept', () => {
    const doc = createEmptyDocument();
    const records = new RoutingRecords(doc);
    assignMany(records, 600, T0, 'old');
    assignMany(records, 400, T0 + 2 * DAY, 'young');

    assignMany(records, 1, T0 + ASSIGNMENT_RETENTION_MS + 1, 'new');

    expect(doc.assignments.size).toBe(401);
    expect(records.get('old:0')).toBeUndefined();
    expect(records.get('young:0')).toBeDefined();
    expect(records.get('new:0')).toBeDefined();
    expect(records.state().totals).toEqual({ a1: 501, a2: 500 });
  });

  it('when the repeat window is longer than 7 days, then assignments are kept for the window', () => {
    const doc = createEmptyDocument();
    const records = new RoutingRecords(doc);
    assignMany(records, 1_000, T0, 'old');

    records.assign({
      key: 'new',
      agents,
      now: T0 + 8 * DAY,
      repeatWindowMs: 10 * DAY,
      source: 'webhook',
    });

    expect(doc.assignments.size).toBe(1_001);
  });

  it('when the assignments after a sweep are all young, then the next sweep waits for the map to double', () => {
    const doc = createEmptyDocument();
    const records = new RoutingRecords(doc);
    assignMany(records, 1_001, T0, 'young'); // swept at 1,001, nothing old: next past 2,002
    const later = T0 + ASSIGNMENT_RETENTION_MS + 1;

    assignMany(records, 1_000, later, 'later');
    expect(doc.assignments.size).toBe(2_001);
    assignMany(records, 1, later, 'at-limit');
    expect(doc.assignments.size).toBe(2_002);
    assignMany(records, 1, later, 'past-limit');
    expect(doc.assignments.size).toBe(1_002);
  });
});
