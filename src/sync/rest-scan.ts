import { addRange, isCovered } from './id-ranges.js';
import { type SyncRun, toUpsert } from './sync-context.js';

/**
 * The full copy by REST: Get Leads by id, 300 ids a call, several calls in flight.
 *
 * Every batch in the probed range [lo, hi] is read whatever gaps deleted leads left in it.
 * Past hi the scan continues while it is within `tail` ids of the highest lead seen, and below
 * lo while within `tail` ids of the lowest, so a probe point that happened to be deleted costs
 * a few empty calls, never a lost lead. Each committed batch is saved with its leads, so a
 * restart skips exactly the batches already done.
 */
export async function runRestScan(run: SyncRun): Promise<void> {
  const scan = run.state.full?.rest;
  if (!scan) throw new Error('runRestScan needs state.full.rest');
  const { marketo, clock } = run.deps;
  const fields = run.options.fields;
  const tail = scan.tailIds ?? (run.options.scanTailBatches ?? 10) * scan.batch;
  const inFlight = new Set<Promise<void>>();
  let upCursor = scan.lo;
  let downCursor = scan.lo - scan.batch;
  let failure: unknown;

  const nextBatch = (): [number, number] | undefined => {
    for (;;) {
      const start = upCursor;
      const reach = Math.max(scan.hi, scan.maxSeenId ?? scan.hi);
      if (start > reach && start - (reach + 1) >= tail) break;
      upCursor += scan.batch;
      if (!isCovered(scan.done, start, start + scan.batch)) return [start, start + scan.batch];
    }
    for (;;) {
      const end = downCursor + scan.batch;
      const floor = Math.min(scan.lo, scan.minSeenId ?? scan.lo);
      if (scan.floorKnown || end <= 1 || floor - end >= tail) break;
      const start = Math.max(1, downCursor);
      downCursor -= scan.batch;
      if (!isCovered(scan.done, start, end)) return [start, end];
    }
    return undefined;
  };

  // A batch frees its call slot as soon as Marketo answers; its commit goes on without holding
  // the slot (the store coalesces commits), so slow writes never idle the call budget.
  const commits = new Set<Promise<unknown>>();
  const maxCommits = run.options.concurrency * 4;
  const readBatch = async (start: number, end: number): Promise<void> => {
    const ids = Array.from({ length: end - start }, (_, i) => start + i);
    const observedAt = clock.now();
    const readAfter = run.marketoNow;
    const { leads, serverTime } = await marketo.getLeadsByIds(ids, fields);
    run.noteServerTime(serverTime);
    // The change pass of this run skips changes this read already saw (Marketo's clock).
    if (readAfter !== undefined) run.noteScanRead(start, end, readAfter);
    for (const lead of leads) {
      scan.maxSeenId = Math.max(scan.maxSeenId ?? lead.id, lead.id);
      scan.minSeenId = Math.min(scan.minSeenId ?? lead.id, lead.id);
    }
    // The batch is done once its leads are durable, and then together with the ids the store
    // ignored (readAgainLater): the next checkpoint holds both, and a crash before it, or a
    // failed commit, reads the batch again rather than lose those leads.
    const commit: Promise<unknown> = run
      .checkpoint({ upserts: leads.map((lead) => toUpsert(lead, fields, observedAt)) })
      .then((ignored) => {
        run.readAgainLater(ignored);
        scan.done = addRange(scan.done, start, end);
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => commits.delete(commit));
    commits.add(commit);
  };

  for (;;) {
    while (commits.size >= maxCommits) await Promise.race(commits);
    while (failure === undefined && !run.aborted && inFlight.size < run.options.concurrency) {
      const batch = nextBatch();
      if (!batch) break;
      const task: Promise<void> = readBatch(batch[0], batch[1])
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    if (inFlight.size === 0) break;
    await Promise.race(inFlight);
  }
  await Promise.all(commits);
  if (failure !== undefined) throw failure;
}
