/**
 * Coalesces single-record writes into Marketo's batch calls (Add Custom Activities and Sync
 * Leads take up to 300 records and answer one result per record, in input order:
 * DEV:help/rest-api/activities.md, lead-database.md). Records submitted in the same turn of the
 * event loop (the outbox relay delivers its claimed items concurrently) go out as one call, so a
 * burst of chat events costs one API call per 300, not one each, against the daily quota.
 *
 * A call that fails as a whole rejects every record in it; each caller then decides (retry,
 * dead letter) for its own outbox item.
 */
export interface RecordBatcher<I, R> {
  submit(record: I): Promise<R>;
}

export function createRecordBatcher<I, R>(options: {
  send: (records: I[]) => Promise<R[]>;
  /** Records per call; Marketo's limit is 300. */
  maxBatch?: number;
}): RecordBatcher<I, R> {
  const maxBatch = Math.max(1, Math.min(options.maxBatch ?? 300, 300));
  let queue: Array<{ record: I; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const taken = queue;
    queue = [];
    for (let start = 0; start < taken.length; start += maxBatch) {
      const chunk = taken.slice(start, start + maxBatch);
      options.send(chunk.map((entry) => entry.record)).then(
        (results) => {
          chunk.forEach((entry, i) => {
            const result = results[i];
            if (result === undefined) entry.reject(new Error('no result for this record'));
            else entry.resolve(result);
          });
        },
        (error: unknown) => {
          for (const entry of chunk) entry.reject(error);
        },
      );
    }
  };

  return {
    submit(record) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ record, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          // setImmediate, not a microtask: the relay's other lanes reach submit() after their
          // own awaits, within this turn but after the first submit.
          setImmediate(flush);
        }
      });
    },
  };
}
