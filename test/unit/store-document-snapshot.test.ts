import { describe, expect, it } from 'vitest';
import {
  deepFreeze,
  serializeDocumentSnapshot,
  takeDocumentSnapshot,
} from '../../src/store/document-snapshot.js';
import { createMemoryStore } from '../../src/store/index.js';
import {
  createEmptyDocument,
  parseStoreDocument,
  type StoreDocument,
} from '../../src/store/store-document.js';
import { initialSyncState, type StoredLead } from '../../src/store/types.js';
import { makeLead } from '../helpers/store-fixtures.js';

/** A document as LeadRecords and LowdbStore keep it: frozen leads, in ascending id order. */
function documentWith(ids: number[], extra: Partial<StoreDocument> = {}): StoreDocument {
  const doc = createEmptyDocument();
  for (const id of ids) doc.leads.set(id, deepFreeze(makeLead(id) as StoredLead));
  return Object.assign(doc, extra);
}

/** What the store wrote before chunking: the whole document through one JSON.stringify. */
function stringifyWhole(doc: StoreDocument): string {
  return JSON.stringify({ ...doc, leads: Object.fromEntries(doc.leads) });
}

function serialize(doc: StoreDocument, chunkChars?: number): string[] {
  return [...serializeDocumentSnapshot(takeDocumentSnapshot(doc), chunkChars)];
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('document snapshot: serialising in chunks', () => {
  it.each([
    ['an empty document', documentWith([])],
    [
      'usage and deleted ids',
      documentWith([1, 2], {
        deletedLeadIds: [3, 4],
        usage: deepFreeze({ day: '2026-11-24', calls: 3 }),
      }),
    ],
    [
      'sparse ids over many chunks',
      documentWith(
        range(0, 300).map((i) => 1_000_000 + i * 37),
        { deletedLeadIds: range(1, 5_000) },
      ),
    ],
  ])(
    'when the document holds %s, then the text is byte for byte what JSON.stringify made',
    (_name, doc) => {
      const chunks = serialize(doc, 2_000);

      expect(chunks.join('')).toBe(stringifyWhole(doc));
      expect(parseStoreDocument(Buffer.from(chunks.join('')), 'store.json')).toEqual(doc);
    },
  );

  it('when the document is large, then it comes in many chunks of about the asked size', () => {
    const doc = documentWith(range(1, 2_000));

    const chunks = serialize(doc, 20_000);

    expect(chunks.length).toBeGreaterThan(30);
    expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThan(3 * 20_000);
  });

  it('when keys and values need escaping or are undefined, then the text is what JSON.stringify made', () => {
    const odd = new Map<string, unknown>([
      ['__proto__', { polluted: true }],
      ['quote " and \\ backslash', 'line\nbreak'],
      ['skipped', undefined],
      ['émoji 🙂', [1, undefined, 'x']],
    ]);
    const doc = { version: 1, odd, list: ['a', undefined, { b: 1 }], gone: undefined };

    const text = [...serializeDocumentSnapshot(takeDocumentSnapshot(doc), 16)].join('');

    expect(JSON.parse(text)).toEqual(
      JSON.parse(JSON.stringify({ ...doc, odd: Object.fromEntries(odd) })),
    );
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['version', 'odd', 'list']);
  });

  it('when the document changes after the snapshot, even between chunks, then the text is the document as it was', () => {
    const doc = documentWith(range(1, 500), { deletedLeadIds: [9_001] });
    const before = stringifyWhole(doc);

    const chunks = serializeDocumentSnapshot(takeDocumentSnapshot(doc), 4_000);
    const first = chunks.next();
    doc.leads.set(1, deepFreeze({ ...makeLead(1), observedAt: 1 } as StoredLead));
    doc.leads.set(499, deepFreeze({ ...makeLead(499), source: 'webhook' } as StoredLead));
    doc.leads.delete(250);
    doc.leads.set(10_000, deepFreeze(makeLead(10_000) as StoredLead));
    doc.deletedLeadIds.push(250);
    doc.sync = deepFreeze({ ...initialSyncState(), phase: 'incremental' });
    doc.usage = deepFreeze({ day: '2026-11-25', calls: 1 });
    const text = [first.value as string, ...chunks].join('');

    expect(text).toBe(before);
  });

  it('when a top-level object is not frozen, then the snapshot refuses it', () => {
    const doc = { ...documentWith([1]), sync: initialSyncState() };

    expect(() => takeDocumentSnapshot(doc)).toThrow(/"sync" is neither a collection .* nor frozen/);
  });
});

/** True when `value` and everything it holds are frozen. */
function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

describe('document snapshot: the values of the document are frozen', () => {
  it('when leads, sync state and usage are stored, then every value the document holds is frozen', async () => {
    const store = createMemoryStore();
    const nested = makeLead(2, { fields: { email: 'b@example.com', tags: ['a', { b: [1] }] } });
    await store.applyLeadChanges({ upserts: [makeLead(1), nested] });
    await store.commitSync({ upserts: [makeLead(3)], state: initialSyncState(['email']) });
    await store.saveUsage({ day: '2026-11-24', calls: 2 });
    const doc = store.db.data;

    expect([...doc.leads.values()].every(isDeepFrozen)).toBe(true);
    expect(isDeepFrozen(doc.sync) && isDeepFrozen(doc.usage)).toBe(true);
    expect(Object.isFrozen(nested.fields['tags'])).toBe(false); // the caller's stays the caller's
    expect(() => {
      (doc.leads.get(1)!.fields as Record<string, unknown>)['email'] = 'changed@example.com';
    }).toThrow(TypeError);
  });

  it('when a document is read from a file, then every value it holds is frozen', () => {
    const text = stringifyWhole(documentWith([1, 2], { usage: { day: '2026-11-24', calls: 1 } }));

    const doc = parseStoreDocument(Buffer.from(text), 'store.json');

    expect([...doc.leads.values()].every(isDeepFrozen)).toBe(true);
    expect(isDeepFrozen(doc.sync) && isDeepFrozen(doc.usage)).toBe(true);
    expect(Object.isFrozen(doc.leads) || Object.isFrozen(doc.deletedLeadIds)).toBe(false);
  });
});
