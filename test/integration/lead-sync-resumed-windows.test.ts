import { describe, expect, it } from 'vitest';
import type { MarketoApi } from '../../src/clients/marketo/types.js';
import type { Store } from '../../src/store/types.js';
import { runLeadSync } from '../../src/sync/lead-sync.js';
import type { SyncOptions } from '../../src/sync/sync-context.js';
import { TEST_FIELDS, differences, useSyncHarness } from '../helpers/sync-harness.js';

/**
 * What the soak found ("leads missing from the copy"): a run stopped while its sub-windows paged
 * (a restart, a leader killed) had read its last window to the end of the log, but not an earlier
 * one. The next run finished the earlier window and set the cursor where the stopped run's last
 * window had ended, then called itself caught up: leads created since were not read until the
 * run after it.
 */
const current = useSyncHarness();

const OPTIONS: SyncOptions = {
  fields: TEST_FIELDS,
  fullStrategy: 'rest',
  bulkPollMs: 20,
  concurrency: 8,
  cursorOverlapMs: 60_000,
  hydrationHold: 300,
  changeWindows: 4,
};

/**
 * Holds the first window's changes chain after its first page (the one that plans the split)
 * until `release`; every other call passes through.
 */
function holdFirstWindow(marketo: MarketoApi, firstToken: string) {
  const chain = new Set([firstToken]);
  let pages = 0;
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const api: MarketoApi = Object.create(marketo, {
    getLeadChanges: {
      value: async (args: Parameters<MarketoApi['getLeadChanges']>[0]) => {
        const mine = chain.has(args.nextPageToken);
        if (mine && (pages += 1) > 1) await gate;
        const page = await marketo.getLeadChanges(args);
        if (mine) chain.add(page.nextPageToken);
        return page;
      },
    },
  });
  return { api, release };
}

/** Aborts the run once a checkpoint shows the last window read to the end and another not. */
function stopWhenTailDone(store: Store, controller: AbortController, release: () => void) {
  return Object.create(store, {
    commitSync: {
      value: async (batch: Parameters<Store['commitSync']>[0]) => {
        const committed = await store.commitSync(batch);
        const windows = batch.state.windows ?? [];
        const last = windows[windows.length - 1];
        if (windows.length > 1 && last?.changes.done && last.deletions.done) {
          controller.abort();
          release();
        }
        return committed;
      },
    },
  }) as Store;
}

describe('incremental sync resuming a stopped run', () => {
  it('when the stopped run had read its last window to the end, then the next run still reads on to now and the copy holds the leads created since', async () => {
    const h = await current.open({ sandbox: { seedLeads: 1200 } });
    expect((await h.sync(OPTIONS)).outcome).toBe('succeeded');
    const ids = h.sandbox.allLeads().map((lead) => lead.id);
    for (let round = 0; round < 3; round += 1) {
      for (const id of ids) {
        h.marketoClock.advance(1000);
        h.sandbox.upsertLead({ id, firstName: `Round${round}-${id}` });
      }
    }
    h.marketoClock.advance(1000);
    const token = (await h.store.loadSyncState()).changes.nextPageToken!;
    const held = holdFirstWindow(h.marketo, token);
    const controller = new AbortController();
    const store = stopWhenTailDone(h.store, controller, held.release);

    const stopped = await runLeadSync(
      { ...h.deps, marketo: held.api, store },
      { ...OPTIONS, signal: controller.signal },
    );
    expect(stopped.outcome).toBe('stopped');
    const saved = await h.store.loadSyncState();
    expect(saved.windows!.length).toBeGreaterThan(1);
    expect(saved.windows![0]!.changes.done).toBe(false);

    // Leads created after the stopped run read the end of the log.
    h.marketoClock.advance(5000);
    const created = [1, 2, 3].map(
      (n) => h.sandbox.upsertLead({ email: `late-${n}@example.com`, firstName: `Late${n}` }).id,
    );
    const resumed = await h.sync(OPTIONS);

    expect(resumed.outcome).toBe('succeeded');
    for (const id of created)
      expect((await h.store.getLead(id))?.fields.firstName).toMatch(/^Late/);
    expect(await differences(h.store, h.sandbox)).toEqual([]);
  });
});
