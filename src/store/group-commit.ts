/**
 * Group commit. Callers change the in-memory document synchronously and then wait for a write
 * that STARTS after their change, so the write includes it. Every caller that arrives while a
 * write is in flight shares the next write: N concurrent callers cost at most two writes, not
 * N, which is what keeps a document of tens of MB usable.
 *
 * A write is whole (the document) or, when every caller of the batch brought a journal line
 * (`request(line)`), an append of those lines (lead-journal.ts): far cheaper, and as durable.
 * One caller without a line makes the batch whole, and a whole write holds every line. After a
 * failed write the next one is whole, so a journal file an append may have torn is sealed,
 * never appended to.
 */
export interface GroupCommit {
  /**
   * Resolves after a write that started after this call; rejects if that write fails. With a
   * `line`, that write may be a journal append of it.
   */
  request(line?: string): Promise<void>;
  /**
   * Resolves once the document as it is now is durable: waits for the writes in flight, and if
   * the last write failed, tries once more (so a close after a transient error still saves).
   */
  settled(): Promise<void>;
}

/** `undefined`: write the whole document; else append these journal lines. */
export type CommitWrite = (lines: readonly string[] | undefined) => Promise<void>;

/** Journal appends in flight at once (their syncs overlap; their bytes go in order). */
export const MAX_APPENDS_IN_FLIGHT = 4;

interface Batch {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
  /** Journal lines of the callers, or `undefined` once one caller needs a whole write. */
  lines: string[] | undefined;
}

export function createGroupCommit(write: CommitWrite): GroupCommit {
  /** Callers waiting for a write that has not started yet. */
  let next: Batch | undefined;
  /** Callers waiting for the writes in flight: one whole write, or appends in start order. */
  const inFlight: Array<{ batch: Batch; whole: boolean }> = [];
  let scheduled = false;
  /**
   * A write failed and no whole write has succeeded since: the next write is whole. It carries
   * the changes the failed one did not, and seals a journal file an append may have torn.
   */
  let needsWhole = false;

  /**
   * A whole write starts alone. Appends may overlap, up to MAX_APPENDS_IN_FLIGHT: the journal
   * writes their bytes in start order and only their syncs run at once, so a batch does not
   * wait for the sync before it to finish (on a busy disk a sync can take milliseconds).
   */
  function canStart(batch: Batch): boolean {
    if (inFlight.length === 0) return true;
    const append = batch.lines !== undefined && !needsWhole;
    return append && inFlight.length < MAX_APPENDS_IN_FLIGHT && !inFlight.some((w) => w.whole);
  }

  function schedule(): void {
    if (scheduled || next === undefined || !canStart(next)) return;
    scheduled = true;
    // One macrotask of delay lets callers of the same tick (Promise.all, a loop) share a write.
    setImmediate(start);
  }

  function start(): void {
    scheduled = false;
    const batch = next;
    if (batch === undefined || !canStart(batch)) return;
    next = undefined;
    const lines = needsWhole ? undefined : batch.lines;
    const started = { batch, whole: lines === undefined };
    inFlight.push(started);
    let writing: Promise<void>;
    try {
      writing = write(lines);
    } catch (error) {
      writing = Promise.reject(error);
    }
    writing
      .then(
        () => {
          if (lines === undefined) needsWhole = false;
          batch.resolve();
        },
        (error: unknown) => {
          needsWhole = true;
          batch.reject(error);
        },
      )
      .finally(() => {
        inFlight.splice(inFlight.indexOf(started), 1);
        schedule();
      });
  }

  function request(line?: string): Promise<void> {
    next ??= createBatch();
    if (line === undefined) next.lines = undefined;
    else next.lines?.push(line);
    const { promise } = next;
    schedule();
    return promise;
  }

  return {
    request,
    settled() {
      if (needsWhole) return request();
      const pending = inFlight.map((w) => w.batch.promise);
      if (next !== undefined) pending.push(next.promise);
      if (pending.length === 0) return Promise.resolve();
      // A write that fails leaves needsWhole set: then one whole write carries everything.
      return Promise.allSettled(pending).then(() => (needsWhole ? request() : undefined));
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
  return { promise, resolve, reject, lines: [] };
}
