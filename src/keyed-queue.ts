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
  // The last task of each key; only keys with a task running or waiting are held.
  const tails = new Map<K, Promise<unknown>>();
  return {
    run<T>(key: K, task: () => Promise<T>): Promise<T> {
      const before = tails.get(key);
      // The next task runs once this one settles, whether it succeeded or failed.
      const result = before === undefined ? task() : before.then(task, task);
      tails.set(key, result);
      const forget = () => {
        if (tails.get(key) === result) tails.delete(key);
      };
      result.then(forget, forget);
      return result;
    },
  };
}
