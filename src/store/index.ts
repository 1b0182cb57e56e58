/** The store's public face: the interfaces, and the lowdb implementations (file and memory). */
export * from './types.js';
export { createJsonFileStore, type JsonFileStoreOptions } from './json-file-store.js';
export { createMemoryStore } from './memory-store.js';
export { LowdbStore, type LowdbStoreOptions } from './lowdb-store.js';
export { DocumentDb } from './document-db.js';
export {
  STORE_DOCUMENT_VERSION,
  createEmptyDocument,
  storeDocumentSchema,
  type StoreDocument,
} from './store-document.js';
