/**
 * Runs tasks with the same key one after the other, tasks with different keys side by side.
 * For a read-modify-write over the store, whose reads answer Promises: two tasks of one key
 * never act on the same stale read within this process. (Across replicas the store's own
 * conditions guard what must not be lost.)
 */
export interface KeyedQueue<K> {
  run<T>(key: K, task: () => Promise<T>): Promise<T>;
}

export function createKeyedQueue<K>(): KeyedQueue<K> {
  // The tail of each key's queue; only keys with a task running or waiting are held.
  const tails = new Map<K, Promise<unknown>>();
  return {
    run<T>(key: K, task: () => Promise<T>): Promise<T> {
      const before = tails.get(key);
      const result = before ? before.then(task, task) : task();
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
  };
}
