import path from 'node:path';
import { createJsonFileStore, createMemoryStore } from '../../src/store/index.js';
import type { LowdbStoreOptions, Store } from '../../src/store/index.js';
import { createTempDir } from './store-fixtures.js';

/**
 * Every Store implementation, for contract suites run with `describe.each` (research D5). A
 * new implementation (PostgreSQL) joins this table and must pass every suite unchanged.
 */
export interface StoreImplementation {
  kind: string;
  open(file: string, options?: LowdbStoreOptions): Promise<Store>;
  /**
   * Closes the store and opens the same data again, as a restart would. A store that keeps
   * nothing (memory) is returned as it is, so "survives a restart" tests run on it too.
   */
  reopen(store: Store, file: string, options?: LowdbStoreOptions): Promise<Store>;
}

export const storeImplementations: StoreImplementation[] = [
  {
    kind: 'memory',
    open: async (_file, options) => createMemoryStore(options),
    reopen: async (store) => store,
  },
  {
    kind: 'json-file',
    open: (file, options) => createJsonFileStore({ file, ...options }),
    reopen: async (store, file, options) => {
      await store.close();
      return createJsonFileStore({ file, ...options });
    },
  },
];

/** A temp directory and a store file path in it, for one test. */
export async function createStoreFile(): Promise<{ file: string; remove(): Promise<void> }> {
  const temp = await createTempDir();
  return { file: path.join(temp.dir, 'store.json'), remove: temp.remove };
}
