import path from 'node:path';
import type { Ids } from '../../src/deps.js';
import { createJsonFileStore, createMemoryStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/index.js';
import { createTempDir } from './store-fixtures.js';

/**
 * Every Store implementation, for the contract suites (test/integration/store-*contract*.test.ts)
 * run with `describe.each` (research D5). An implementation joins `storeImplementations` and
 * must pass every suite unchanged. What it provides:
 *
 * - `kind`: its name in test titles.
 * - `concurrentOpen`: what two stores opened at once on the same data do (see the type).
 * - `createData()`: fresh, empty data of its own for ONE test (a temp directory; for PostgreSQL
 *   a database of its own, e.g. `mc_test_<random>`), so tests never see each other's rows and
 *   may run in any order. Its `open` may be called more than once (concurrent writers).
 *   `remove()` closes every store `open`/`reopen` made that is still open, then deletes the
 *   data (drops the database); the suites call it in `afterEach` even after a failure, and it
 *   is safe to call twice. A store's own `close()` must be safe to call again (a test may have
 *   closed it already).
 * - With `concurrentOpen: 'shared'`, test/integration/store-concurrent-writers-contract.test.ts
 *   opens two stores on one data and races them (turns, holds, outbox claims, agent updates).
 *
 * An implementation whose server is unreachable is left out of the table by its own module
 * (test/helpers/postgres-store-implementation.ts exports undefined then), never silently
 * passed: CI starts the servers (.ci/run).
 */
export interface StoreImplementation {
  kind: string;
  /**
   * What happens when a second store is opened on data a first one holds open:
   * - `shared`: both work, and each sees what the other wrote (PostgreSQL: several replicas);
   * - `refused`: the second open fails with STORE_LOCKED and the first goes on (JSON file: one
   *   process owns the file, file-lock.ts);
   * - `separate`: there is nothing shared to open twice (memory): every open is a new store.
   */
  concurrentOpen: 'shared' | 'refused' | 'separate';
  createData(): Promise<StoreTestData>;
}

/** What a test may ask of the store it opens. */
export interface StoreOpenOptions {
  /** Outbox item ids and lease tokens; random unless a test wants predictable ones. */
  ids?: Ids;
}

/** One test's data, and the stores opened on it. */
export interface StoreTestData {
  open(options?: StoreOpenOptions): Promise<Store>;
  /**
   * Closes `store` and opens the same data again, as a restart would. A store that keeps
   * nothing (memory) is returned as it is, so "survives a restart" tests run on it too.
   */
  reopen(store: Store, options?: StoreOpenOptions): Promise<Store>;
  /** Closes the stores still open, then deletes the data. Idempotent. */
  remove(): Promise<void>;
}

/** Tracks the stores a test opened, so `remove` can close what a failed test left open. */
function createOpened() {
  const open = new Set<Store>();
  return {
    add(store: Store): Store {
      open.add(store);
      return store;
    },
    async close(store: Store): Promise<void> {
      open.delete(store);
      await store.close();
    },
    async closeAll(): Promise<void> {
      const stores = [...open];
      open.clear();
      // A store a test already closed closes again without complaint (DocumentDb.close).
      await Promise.allSettled(stores.map((store) => store.close()));
    },
  };
}

export const memoryStoreImplementation: StoreImplementation = {
  kind: 'memory',
  concurrentOpen: 'separate',
  createData: async () => {
    const opened = createOpened();
    return {
      open: async (options) => opened.add(createMemoryStore(options)),
      reopen: async (store) => store,
      remove: () => opened.closeAll(),
    };
  },
};

export const jsonFileStoreImplementation: StoreImplementation = {
  kind: 'json-file',
  concurrentOpen: 'refused',
  createData: async () => {
    const { file, remove } = await createStoreFile();
    const opened = createOpened();
    const open = async (options?: StoreOpenOptions) =>
      opened.add(await createJsonFileStore({ file, ...options }));
    return {
      open,
      reopen: async (store, options) => {
        await opened.close(store);
        return open(options);
      },
      remove: async () => {
        await opened.closeAll();
        await remove();
      },
    };
  },
};

/**
 * The table the contract suites run over. The PostgreSQL store joins it as
 * `...(postgresStoreImplementation === undefined ? [] : [postgresStoreImplementation])`.
 */
export const storeImplementations: StoreImplementation[] = [
  memoryStoreImplementation,
  jsonFileStoreImplementation,
];

/** A temp directory and a store file path in it, for one test. */
export async function createStoreFile(): Promise<{ file: string; remove(): Promise<void> }> {
  const temp = await createTempDir();
  return { file: path.join(temp.dir, 'store.json'), remove: temp.remove };
}
