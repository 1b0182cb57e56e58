import type { LeadUpsert } from '../store/types.js';
import { MARKETO_BATCH, type SyncRun, toUpsert } from './sync-context.js';

/**
 * What the change pass does with the activities it reads, Adobe's recipe ("Synchronizing Lead
 * Data Changes using REST API"), hardened:
 * - the changed lead ids are hydrated with Get Leads by id, 300 a call, while paging goes on;
 * - every page's tokens are saved together with the ids still to hydrate, so a crash resumes at
 *   the pages after the last ones saved and hydrates what was pending: nothing is skipped;
 * - a lead is hydrated once per run unless it changed again after its hydration read it. That
 *   is decided on Marketo's own clock (the HTTP Date of an earlier answer is a lower bound of
 *   when the read happened), so clock skew between us and Marketo cannot hide a change, and
 *   the order in which the sub-windows' pages arrive does not matter.
 */

/**
 * Changed leads held before hydration starts, while paging goes on. Changes to one lead tend
 * to come in bursts; holding ten batches lets most bursts end before the lead is read, and
 * still starts hydrating early enough to overlap with paging on a large backlog.
 */
export const HYDRATION_HOLD = 10 * MARKETO_BATCH;
/**
 * Reads of one lead in a run after the store ignored them: a webhook that keeps overtaking the
 * read (replicas whose clocks disagree) cannot hold the run; the next change reads it again.
 */
export const MAX_READS_AGAIN = 3;
/** Page checkpoints of one chain that may be waiting for the store at once. */
export const MAX_UNSAVED_PAGES = 20;

/**
 * Checkpoints are not awaited one by one: they queue in order and the store coalesces them,
 * so neither paging nor hydration waits on a file write. A crash loses only checkpoints not yet
 * durable, and the next run re-reads from the last durable tokens and pending ids.
 */
export function createCheckpointQueue(run: SyncRun, fail: (error: unknown) => void) {
  const saves = new Set<Promise<unknown>>();
  return {
    /** Queues a checkpoint; answers the ids of upserts the store ignored (none if it failed). */
    save(changes: { upserts?: LeadUpsert[]; deletes?: number[] } = {}): Promise<number[]> {
      const saved: Promise<number[]> = run
        .checkpoint(changes)
        .catch((error: unknown) => {
          fail(error);
          return [];
        })
        .finally(() => saves.delete(saved));
      saves.add(saved);
      return saved;
    },
    /** Waits while more than `chains` x MAX_UNSAVED_PAGES checkpoints wait for the store. */
    async room(chains = 1) {
      while (saves.size >= MAX_UNSAVED_PAGES * Math.max(1, chains)) await Promise.race(saves);
    },
    drain: () => Promise.all(saves),
  };
}
export type CheckpointQueue = ReturnType<typeof createCheckpointQueue>;

/** The changed leads of a run: which wait, which are being read, and which were read when. */
export function createHydrator(
  run: SyncRun,
  saves: CheckpointQueue,
  failed: () => boolean,
  fail: (error: unknown) => void,
) {
  const { marketo, clock } = run.deps;
  const { fields } = run.options;
  const cursor = run.state.changes;
  const pending = new Set(cursor.pendingLeadIds);
  /** leadId -> Marketo time known to precede the read of its hydration in flight. */
  const inFlight = new Map<number, number>();
  /** Leads that changed again while their hydration was in flight. */
  const changedAgain = new Set<number>();
  /** leadId -> Marketo time known to precede the read of its completed hydration. */
  const hydratedAfter = new Map<number, number>();
  /** Reads in flight: each holds one of the run's call slots. */
  const tasks = new Set<Promise<void>>();
  /** Reads answered whose write is not yet durable: their ids are still in flight. */
  const writes = new Set<Promise<void>>();
  /** leadId -> how often this run read it again because the store ignored the read. */
  const readAgain = new Map<number, number>();
  const hold = Math.max(run.options.hydrationHold ?? HYDRATION_HOLD, MARKETO_BATCH);

  const savePending = () => {
    cursor.pendingLeadIds = [...pending].sort((a, b) => a - b);
  };

  /**
   * After the write of a read: its ids leave `pending` only now, so every checkpoint taken while
   * the write was on its way still lists them (a crash reads them again, never skips them). An
   * id the store ignored (a lead webhook stored between the read and the write, newer but with
   * only some fields) stays pending and is read again, a few times at most.
   */
  const settle = async (ids: number[], readAfter: number, written: Promise<number[]>) => {
    try {
      const ignored = new Set(await written);
      for (const id of ids) {
        hydratedAfter.set(id, readAfter);
        const tries = readAgain.get(id) ?? 0;
        const again = ignored.has(id) && tries < MAX_READS_AGAIN;
        if (again) {
          readAgain.set(id, tries + 1);
        } else if (ignored.has(id)) {
          run.deps.logger.warn(
            { leadId: id, reads: tries + 1 },
            'lead read again but still older than what the copy holds: left to its next change',
          );
        }
        if (!changedAgain.delete(id) && !again) pending.delete(id);
      }
      savePending();
    } finally {
      for (const id of ids) inFlight.delete(id);
    }
  };

  const hydrate = async (ids: number[]): Promise<void> => {
    const readAfter = run.marketoNow ?? Number.NEGATIVE_INFINITY;
    for (const id of ids) inFlight.set(id, readAfter);
    const observedAt = clock.now();
    let written: Promise<number[]>;
    try {
      const { leads, serverTime } = await marketo.getLeadsByIds(ids, fields);
      run.noteServerTime(serverTime);
      const found = new Set(leads.map((lead) => lead.id));
      // A changed lead that no longer exists was deleted or merged away; ids are never reused.
      const gone = ids.filter((id) => !found.has(id));
      written = saves.save({
        upserts: leads.map((lead) => toUpsert(lead, fields, observedAt)),
        deletes: gone,
      });
    } catch (error) {
      for (const id of ids) inFlight.delete(id);
      throw error;
    }
    // The call slot is free once Marketo answered; the write goes on without holding it.
    const write: Promise<void> = settle(ids, readAfter, written)
      .catch(fail)
      .finally(() => writes.delete(write));
    writes.add(write);
  };

  return {
    /** Notes a change read from a page; the caller saves the page. */
    note(activity: { leadId: number; activityAt: number }): void {
      const id = activity.leadId;
      const readAfter = inFlight.get(id);
      if (readAfter !== undefined) {
        if (!(activity.activityAt < readAfter)) changedAgain.add(id);
        return;
      }
      const hydrated = hydratedAfter.get(id) ?? run.scanReadAfter(id);
      if (hydrated !== undefined && activity.activityAt < hydrated) return;
      // Re-inserting moves the lead to the back: the least recently changed go first, so a lead
      // that keeps changing waits in `pending` and is read once, after its burst.
      pending.delete(id);
      pending.add(id);
    },
    savePending,
    /** Starts reads while `slots` allow: full batches only, unless `final`. */
    dispatch(final: boolean, slots: number): void {
      while (!failed() && tasks.size < slots) {
        const ready = [...pending].filter((id) => !inFlight.has(id));
        if (ready.length === 0 || (!final && ready.length < hold)) return;
        const task: Promise<void> = hydrate(ready.slice(0, MARKETO_BATCH))
          .catch(fail)
          .finally(() => tasks.delete(task));
        tasks.add(task);
      }
    },
    /** Reads every lead still pending (none when aborted), with `slots` reads at once. */
    async finish(slots: number): Promise<void> {
      for (;;) {
        if (!run.aborted) this.dispatch(true, slots);
        if (tasks.size === 0 && writes.size === 0) return;
        await Promise.race([...tasks, ...writes]);
      }
    },
  };
}
export type Hydrator = ReturnType<typeof createHydrator>;
