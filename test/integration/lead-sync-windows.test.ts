import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MarketoApi } from '../../src/clients/marketo/types.js';
import { createJsonFileStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { runLeadSync } from '../../src/sync/lead-sync.js';
import type { SyncOptions } from '../../src/sync/sync-context.js';
import {
  TEST_FIELDS,
  differences,
  useSyncHarness,
  type SyncHarness,
} from '../helpers/sync-harness.js';

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

/** Records the paging the sync does, passing every call through. */
function spyOnPaging(marketo: MarketoApi) {
  const spy = {
    pagingTokens: [] as Date[],
    changeTokens: [] as string[],
    deletionTokens: [] as string[],
    hydratedIds: [] as number[],
    pagesInFlight: 0,
    maxPagesInFlight: 0,
  };
  const paging = async <T>(call: () => Promise<T>): Promise<T> => {
    spy.pagesInFlight += 1;
    spy.maxPagesInFlight = Math.max(spy.maxPagesInFlight, spy.pagesInFlight);
    try {
      return await call();
    } finally {
      spy.pagesInFlight -= 1;
    }
  };
  const api: MarketoApi = Object.create(marketo, {
    getPagingToken: {
      value: (since: Date) => {
        spy.pagingTokens.push(since);
        return marketo.getPagingToken(since);
      },
    },
    getLeadChanges: {
      value: (args: Parameters<MarketoApi['getLeadChanges']>[0]) => {
        spy.changeTokens.push(args.nextPageToken);
        return paging(() => marketo.getLeadChanges(args));
      },
    },
    getDeletedLeads: {
      value: (args: Parameters<MarketoApi['getDeletedLeads']>[0]) => {
        spy.deletionTokens.push(args.nextPageToken);
        return marketo.getDeletedLeads(args);
      },
    },
    getLeadsByIds: {
      value: (ids: number[], fields: string[]) => {
        spy.hydratedIds.push(...ids);
        return marketo.getLeadsByIds(ids, fields);
      },
    },
  });
  return { api, spy };
}

/**
 * Changes every lead `rounds` times, one lead a second of Marketo time, so the backlog spans
 * rounds x leads seconds and every second holds a change.
 */
function changeOverTime(h: SyncHarness, rounds: number): number[] {
  const ids = h.sandbox.allLeads().map((lead) => lead.id);
  for (let round = 0; round < rounds; round += 1) {
    for (const id of ids) {
      h.marketoClock.advance(1000);
      h.sandbox.upsertLead({ id, firstName: `Round${round}-${id}` });
    }
  }
  h.marketoClock.advance(1000);
  return ids;
}

describe('incremental sync in sub-windows', () => {
  it('when the backlog spans hours, then the sub-windows are paged at once and every changed lead is read once', async () => {
    const h = await current.open({ sandbox: { seedLeads: 1500 } });
    expect((await h.sync(OPTIONS)).outcome).toBe('succeeded');
    const changed = changeOverTime(h, 4);
    const { api, spy } = spyOnPaging(h.marketo);

    const report = await runLeadSync({ ...h.deps, marketo: api }, OPTIONS);

    expect(report.outcome).toBe('succeeded');
    expect(await differences(h.store, h.sandbox)).toEqual([]);
    // Four windows: three more paging tokens, whose chains ran alongside the first.
    expect(spy.pagingTokens).toHaveLength(3);
    expect(spy.maxPagesInFlight).toBeGreaterThan(1);
    expect([...spy.hydratedIds].sort((a, b) => a - b)).toEqual(changed.sort((a, b) => a - b));
    // 6,000 changes are 20 pages; each window reads at most one page past its end.
    expect(spy.changeTokens.length).toBeLessThanOrEqual(20 + 4);
    // No lead was deleted, so no deleted-leads page shows a window's end: each window's chain
    // stops where the changes saw it, on the same tokens, not at the end of the log.
    expect(spy.deletionTokens.sort()).toEqual(spy.changeTokens.sort());
    const state = await h.store.loadSyncState();
    expect(state.windows).toBeUndefined();
    expect(state.changes.pendingLeadIds).toEqual([]);
  });

  it('when the changes bunch at the end of the span, then the busy window is split while the others are done', async () => {
    const h = await current.open({ sandbox: { seedLeads: 1500 } });
    expect((await h.sync(OPTIONS)).outcome).toBe('succeeded');
    const ids = h.sandbox.allLeads().map((lead) => lead.id);
    // Two pages of changes over 50 minutes, then twenty pages in the last 10 minutes.
    for (let i = 0; i < 600; i += 1) {
      h.marketoClock.advance(5000);
      h.sandbox.upsertLead({ id: ids[i]!, lastName: `Early-${i}` });
    }
    for (let round = 0; round < 4; round += 1) {
      for (const id of ids) {
        h.marketoClock.advance(100);
        h.sandbox.upsertLead({ id, firstName: `Late${round}-${id}` });
      }
    }
    h.marketoClock.advance(1000);
    const { api, spy } = spyOnPaging(h.marketo);

    const report = await runLeadSync({ ...h.deps, marketo: api }, OPTIONS);

    expect(report.outcome).toBe('succeeded');
    expect(await differences(h.store, h.sandbox)).toEqual([]);
    // The first page (50 minutes' worth) foresaw too few pages to split; the dense part is
    // split as it is met, so up to four chains page it together.
    expect(spy.pagingTokens.length).toBeGreaterThanOrEqual(3);
    expect(spy.maxPagesInFlight).toBeGreaterThan(1);
    expect(new Set(spy.hydratedIds).size).toBe(spy.hydratedIds.length);
    expect(spy.deletionTokens.sort()).toEqual(spy.changeTokens.sort());
  });

  it('when deletions fall on every second of the sub-windows, then each is applied once and none is missed', async () => {
    const h = await current.open({ sandbox: { seedLeads: 6000, idGapRate: 0 } });
    const deleteCommits: number[][] = [];
    const counting: Store = Object.create(h.store, {
      commitSync: {
        value: (batch: Parameters<Store['commitSync']>[0]) => {
          if (batch.deletes?.length) deleteCommits.push(batch.deletes);
          return h.store.commitSync(batch);
        },
      },
    });
    expect((await h.sync(OPTIONS)).outcome).toBe('succeeded');
    // Two changes then a deletion each second: activities on both sides of every boundary.
    const ids = h.sandbox.allLeads().map((lead) => lead.id);
    const victims: number[] = [];
    for (let i = 0; i + 2 < ids.length; i += 3) {
      h.marketoClock.advance(1000);
      h.sandbox.upsertLead({ id: ids[i]!, firstName: `Changed-${ids[i]}` });
      h.sandbox.upsertLead({ id: ids[i + 1]!, lastName: `Changed-${ids[i + 1]}` });
      h.sandbox.deleteLead(ids[i + 2]!);
      victims.push(ids[i + 2]!);
    }
    h.marketoClock.advance(1000);
    const { api, spy } = spyOnPaging(h.marketo);

    const report = await runLeadSync({ ...h.deps, marketo: api, store: counting }, OPTIONS);

    expect(report.outcome).toBe('succeeded');
    expect(spy.pagingTokens.length).toBeGreaterThan(0);
    expect(await differences(h.store, h.sandbox)).toEqual([]);
    const deleted = deleteCommits.flat();
    expect(deleted.sort((a, b) => a - b)).toEqual(victims.sort((a, b) => a - b));
  });
});

describe('incremental sync in sub-windows after a crash', () => {
  it('when the process dies while several sub-windows are paging, then the next run resumes each where it was and no change is skipped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sync-windows-'));
    current.cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'store.json');
    const real = await createJsonFileStore({ file });
    let armed = false;
    let upsertCommits = 0;
    let crashed = false;
    // A store that dies at the third commit carrying leads: nothing from then on lands.
    const crashing: Store = Object.create(real, {
      commitSync: {
        value: async (batch: Parameters<Store['commitSync']>[0]) => {
          if (armed && batch.upserts?.length) upsertCommits += 1;
          if (upsertCommits >= 3) crashed = true;
          if (crashed) throw new Error('simulated crash');
          return real.commitSync(batch);
        },
      },
    });
    const h = await current.open({ sandbox: { seedLeads: 1500 }, store: crashing });
    expect((await h.sync(OPTIONS)).outcome).toBe('succeeded');
    const before = await real.loadSyncState();
    changeOverTime(h, 4);
    armed = true;

    const failed = await h.sync(OPTIONS);

    expect(failed.outcome).toBe('failed');
    expect(crashed).toBe(true);
    await real.close();
    const reopened = await createJsonFileStore({ file });
    current.cleanups.push(() => reopened.close());
    const saved = await reopened.loadSyncState();
    // Several windows were under way; the cursor stays until every one is done.
    expect(saved.windows?.length).toBeGreaterThan(1);
    expect(saved.changes.nextPageToken).toBe(before.changes.nextPageToken);
    const unfinished = saved.windows!.filter((w) => !w.changes.done);
    expect(unfinished.length).toBeGreaterThan(0);

    const { api, spy } = spyOnPaging(h.marketo);
    const resumed = await runLeadSync({ ...h.deps, marketo: api, store: reopened }, OPTIONS);

    expect(resumed.outcome).toBe('succeeded');
    expect(await differences(reopened, h.sandbox)).toEqual([]);
    // Each unfinished window went on from its saved token; no window was planned again.
    for (const window of unfinished) {
      const token = window.changes.nextPageToken;
      if (token !== undefined) expect(spy.changeTokens).toContain(token);
    }
    expect(spy.changeTokens).not.toContain(before.changes.nextPageToken);
    expect(spy.pagingTokens.length).toBeLessThanOrEqual(
      saved.windows!.filter((w) => w.changes.nextPageToken === undefined).length,
    );
    expect((await reopened.loadSyncState()).windows).toBeUndefined();
  });
});
