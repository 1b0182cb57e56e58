import { Memory } from 'lowdb';
import { DocumentDb } from './document-db.js';
import { LowdbStore, type LowdbStoreOptions } from './lowdb-store.js';
import { createEmptyDocument, type StoreDocument } from './store-document.js';

/**
 * The same store over lowdb's Memory adapter, for tests and demos: same semantics, validation
 * and group commit as the JSON file, nothing persisted, no lock, `sizeBytes()` 0.
 */
export function createMemoryStore(options: LowdbStoreOptions = {}): LowdbStore {
  return new LowdbStore(
    new DocumentDb({
      adapter: new Memory<StoreDocument>(),
      document: createEmptyDocument(),
      location: 'memory',
    }),
    options,
  );
}
