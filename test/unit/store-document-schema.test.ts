import { describe, expect, it } from 'vitest';
import {
  serializeDocumentSnapshot,
  takeDocumentSnapshot,
} from '../../src/store/document-snapshot.js';
import { OutboxRecords } from '../../src/store/outbox-records.js';
import { RoutingRecords } from '../../src/store/routing-records.js';
import { createEmptyDocument, parseStoreDocument } from '../../src/store/store-document.js';
import { initialSyncState, type Assignment, type OutboxItem } from '../../src/store/types.js';
import { createSequentialIds } from '../../src/deps.js';
import { nextInLine } from '../helpers/store-decisions.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

const parse = (value: unknown) =>
  parseStoreDocument(Buffer.from(JSON.stringify(value)), 'store.json');

/** A version 1 file as written before routing and the outbox existed. */
const beforeRouting = { version: 1, leads: {}, deletedLeadIds: [], sync: initialSyncState() };

const assignment = (key: string): Assignment => ({
  key,
  agentId: 'a1',
  agentName: 'Agent 1',
  agentEmail: 'a1@example.com',
  rule: 'round-robin',
  assignedAt: T0,
  source: 'webhook',
});

const outboxItem = (id: string, dedupeKey: string): OutboxItem => ({
  id,
  kind: 'ssfs-callback',
  dedupeKey,
  payload: { n: 1 },
  status: 'pending',
  attempts: 0,
  nextAttemptAt: T0,
  createdAt: T0,
  updatedAt: T0,
});

describe('store document: routing and outbox collections', () => {
  it('when a file written before routing and the outbox is opened, then they start empty', () => {
    const doc = parse(beforeRouting);

    expect(doc.routing).toEqual({ totals: {} });
    expect(doc.assignments).toEqual(new Map());
    expect(doc.outbox).toEqual(new Map());
    expect(Object.isFrozen(doc.routing)).toBe(true);
  });

  it('when routing and outbox records are written and read back, then they are the same, frozen', () => {
    const doc = createEmptyDocument();
    const routing = new RoutingRecords(doc);
    routing.takeTurn({
      key: 'lead:1',
      keepSince: T0,
      decide: nextInLine('lead:1', T0, { order: ['a1'], windowMs: 0 }),
    });
    const outbox = new OutboxRecords(doc, createSequentialIds('ob'));
    outbox.enqueue(
      [{ kind: 'k', dedupeKey: 'd', payload: { deep: { list: [1, 'two', null] } } }],
      T0,
    );
    outbox.claim({ now: T0, limit: 1, leaseMs: 1_000 });

    const text = [...serializeDocumentSnapshot(takeDocumentSnapshot(doc))].join('');
    const read = parseStoreDocument(Buffer.from(text), 'store.json');

    expect(read).toEqual(doc);
    expect(Object.isFrozen(read.outbox.get('ob-1')?.lease)).toBe(true);
    expect(Object.isFrozen(read.assignments.get('lead:1'))).toBe(true);
  });

  it.each([
    [
      'an assignment filed under another key',
      { assignments: { 'lead:2': assignment('lead:1') } },
      'assignments.lead:2.key',
    ],
    [
      'an outbox item filed under another id',
      { outbox: { x: outboxItem('y', 'd') } },
      'outbox.x.id',
    ],
    [
      'two outbox items holding one dedupe key',
      { outbox: { a: outboxItem('a', 'same'), b: outboxItem('b', 'same') } },
      'outbox.b.dedupeKey',
    ],
    ['a negative routing total', { routing: { totals: { a1: -1 } } }, 'routing.totals.a1'],
  ])('when the file holds %s, then it is refused as corrupt', (_what, extra, path) => {
    expect(() => parse({ ...beforeRouting, ...extra })).toThrow(
      expect.objectContaining({ code: 'STORE_CORRUPT', message: expect.stringContaining(path) }),
    );
  });
});
