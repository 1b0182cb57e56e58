/**
 * Group commit. Callers change the in-memory document synchronously and then wait for a write
 * that STARTS after their change, so the write includes it. Every caller that arrives while a
 * write is in flight shares the next write: N concurrent callers cost at most two writes, not
 * N, which is what keeps a document of tens of MB usable.
 */
export interface GroupCommit {
  /** Resolves after a write that started after this call; rejects if that write fails. */
  request(): Promise<void>;
  /**
   * Resolves once the document as it is now is durable: waits for the writes in flight, and
   * if the last write failed, tries once more (so a close after a transient error still saves).
   */
  settled(): Promise<void>;
}

interface Batch {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

export function createGroupCommit(write: () => Promise<void>): GroupCommit {
  /** Callers waiting for a write that has not started yet. */
  let next: Batch | undefined;
  /** Callers waiting for the write in flight. */
  let current: Batch | undefined;
  let scheduled = false;
  let lastWriteFailed = false;

  function schedule(): void {
    if (scheduled || current !== undefined || next === undefined) return;
    scheduled = true;
    // One macrotask of delay lets callers of the same tick (Promise.all, a loop) share a write.
    setImmediate(start);
  }

  function start(): void {
    scheduled = false;
    const batch = next;
    if (batch === undefined) return;
    next = undefined;
    current = batch;
    let writing: Promise<void>;
    try {
      writing = write();
    } catch (error) {
      writing = Promise.reject(error);
    }
    writing
      .then(
        () => {
          lastWriteFailed = false;
          batch.resolve();
        },
        (error: unknown) => {
          lastWriteFailed = true;
          batch.reject(error);
        },
      )
      .finally(() => {
        current = undefined;
        schedule();
      });
  }

  function request(): Promise<void> {
    next ??= createBatch();
    const { promise } = next;
    schedule();
    return promise;
  }

  return {
    request,
    settled() {
      // Each write carries the whole document, so the newest write covers every older one.
      const last = next ?? current;
      if (last !== undefined) return last.promise;
      return lastWriteFailed ? request() : Promise.resolve();
    },
  };
}

function createBatch(): Batch {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A caller that drops its promise must not crash the process with an unhandled rejection;
  // every caller that awaits still sees the error.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
