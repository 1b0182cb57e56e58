import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MarketoApi } from '../../src/clients/marketo/types.js';
import { AppError } from '../../src/errors.js';
import { createJsonFileStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import { BULK_WINDOW_MS } from '../../src/sync/bulk-extract.js';
import { runLeadSync } from '../../src/sync/lead-sync.js';
import { TEST_FIELDS, createSyncHarness, differences } from '../helpers/sync-harness.js';

type Harness = Awaited<ReturnType<typeof createSyncHarness>>;
let harness: Harness | undefined;
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  while (cleanups.length) await cleanups.pop()!();
});

function leadsCalls(h: Harness): number {
  const byPath = h.sandbox.stats().callsByPath as Record<string, number>;
  return Object.entries(byPath)
    .filter(([path]) => path.includes('/rest/v1/leads.json'))
    .reduce((sum, [, n]) => sum + n, 0);
}

describe('lead sync', () => {
  it('when the store is new, then the full copy holds every lead, within limits, token in the header only', async () => {
    harness = await createSyncHarness({ sandbox: { seedLeads: 3000, idGapRate: 0.1 } });
    const report = await harness.sync();

    expect(report.outcome).toBe('succeeded');
    expect(report.mode).toBe('full');
    expect(await differences(harness.store, harness.sandbox)).toEqual([]);
    const stats = harness.sandbox.stats();
    expect(stats.queryTokenUses).toBe(0);
    expect(stats.errorsByCode['606'] ?? 0).toBe(0);
    expect(stats.errorsByCode['615'] ?? 0).toBe(0);
    expect(stats.maxInWindow).toBeLessThanOrEqual(100);
    // Ids span ~3,300 (10% gaps): 12 batches, the probe, and the 10-batch tail.
    expect(leadsCalls(harness)).toBeLessThanOrEqual(Math.ceil(3400 / 300) + 1 + 10 + 1);
    expect((await harness.store.loadSyncState()).phase).toBe('incremental');
  });

  it('when ids start far from 1, then the probe finds them without scanning the empty range', async () => {
    harness = await createSyncHarness({ sandbox: { seedLeads: 3000, firstLeadId: 150_000 } });
    const report = await harness.sync();
    expect(report.outcome).toBe('succeeded');
    expect(report.strategy).toBe('rest');
    expect(await differences(harness.store, harness.sandbox)).toEqual([]);
    // 8 probes at most, ~11 batches of leads, and the empty tails above and below.
    expect(leadsCalls(harness)).toBeLessThan(8 + 11 + 2 * 10 + 2);
  });

  it('when leads change several times between runs, then the next run hydrates each changed lead once', async () => {
    harness = await createSyncHarness({ sandbox: { seedLeads: 1200 } });
    await harness.sync();
    const changed = harness.sandbox.allLeads().slice(0, 450);
    for (let round = 0; round < 3; round += 1) {
      for (const lead of changed)
        harness.sandbox.upsertLead({ id: lead.id, firstName: `Round${round}-${lead.id}` });
    }
    const created = harness.sandbox.upsertLead({
      email: 'new.person@example.com',
      firstName: 'New',
    });
    const before = leadsCalls(harness);

    const report = await harness.sync();

    expect(report.outcome).toBe('succeeded');
    expect(report.mode).toBe('incremental');
    expect(await differences(harness.store, harness.sandbox)).toEqual([]);
    expect((await harness.store.getLead(created.id))?.fields.email).toBe('new.person@example.com');
    // 451 distinct leads: two Get Leads calls, not one per change.
    expect(leadsCalls(harness) - before).toBe(2);
  });

  it('when most changes touch fields that are not synced, then short pages are followed to the end', async () => {
    harness = await createSyncHarness({ sandbox: { seedLeads: 800 } });
    await harness.sync();
    const leads = harness.sandbox.allLeads();
    for (const lead of leads.slice(0, 700))
      harness.sandbox.upsertLead({ id: lead.id, title: 'Changed title' });
    const last = leads[leads.length - 1]!;
    harness.sandbox.upsertLead({ id: last.id, lastName: 'Changed-At-The-End' });

    const report = await harness.sync();

    expect(report.outcome).toBe('succeeded');
    expect((await harness.store.getLead(last.id))?.fields.lastName).toBe('Changed-At-The-End');
    expect(await differences(harness.store, harness.sandbox)).toEqual([]);
  });

  it('when leads are deleted in Marketo, then they are deleted from the local copy', async () => {
    harness = await createSyncHarness({ sandbox: { seedLeads: 500 } });
    await harness.sync();
    const victims = harness.sandbox
      .allLeads()
      .slice(10, 20)
      .map((l) => l.id);
    for (const id of victims) harness.sandbox.deleteLead(id);

    const report = await harness.sync();

    expect(report.outcome).toBe('succeeded');
    for (const id of victims) expect(await harness.store.getLead(id)).toBeUndefined();
    expect(await differences(harness.store, harness.sandbox)).toEqual([]);
  });

  it('when Marketo changes leads while the full copy runs, then the same run picks the changes up', async () => {
    harness = await createSyncHarness({ sandbox: { seedLeads: 3000 } });
    const h = harness;
    const first = h.sandbox.allLeads()[0]!;
    let changedDuringCopy = false;
    const report = await h.sync({
      onProgress: (p) => {
        if (!changedDuringCopy && p.phase === 'full-rest' && p.leadsUpserted > 1500) {
          changedDuringCopy = true;
          h.sandbox.upsertLead({ id: first.id, firstName: 'ChangedMidCopy' });
          h.sandbox.upsertLead({ email: 'created.mid.copy@example.com', firstName: 'Mid' });
          h.sandbox.deleteLead(first.id + 1);
        }
      },
    });
    expect(changedDuringCopy).toBe(true);
    expect(report.outcome).toBe('succeeded');
    expect((await h.store.getLead(first.id))?.fields.firstName).toBe('ChangedMidCopy');
    expect(await h.store.findLeadsByEmail('CREATED.MID.COPY@example.com')).toHaveLength(1);
    expect(await h.store.getLead(first.id + 1)).toBeUndefined();
    expect(await differences(h.store, h.sandbox)).toEqual([]);
  });

  it('when the process dies mid-copy, then the next run resumes from the last checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sync-resume-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'store.json');
    const real = await createJsonFileStore({ file });
    let commits = 0;
    // A store that dies at its 8th commit: nothing from then on lands, as after a crash.
    const crashing: Store = Object.create(real, {
      commitSync: {
        value: async (batch: Parameters<Store['commitSync']>[0]) => {
          commits += 1;
          if (commits >= 8) throw new Error('simulated crash');
          return real.commitSync(batch);
        },
      },
    });
    harness = await createSyncHarness({ sandbox: { seedLeads: 6000 }, store: crashing });
    const first = await harness.sync();
    expect(first.outcome).toBe('failed');
    await real.close();

    const reopened = await createJsonFileStore({ file });
    cleanups.push(() => reopened.close());
    const resumedFrom = await reopened.countLeads();
    expect(resumedFrom).toBeGreaterThan(0);
    const callsBefore = leadsCalls(harness);
    const second = await runLeadSync(
      { ...harness.deps, store: reopened },
      {
        fields: TEST_FIELDS,
        fullStrategy: 'rest',
        bulkPollMs: 20,
        concurrency: 6,
        cursorOverlapMs: 60_000,
      },
    );

    expect(second.outcome).toBe('succeeded');
    expect(await differences(reopened, harness.sandbox)).toEqual([]);
    // The resumed run reads what was not committed, not the whole range again.
    const idSpan = Math.ceil(6000 / 0.95 / 300);
    expect(leadsCalls(harness) - callsBefore).toBeLessThan(idSpan - 3 + 10);
  });

  it('when the bulk strategy is chosen, then windows of at most 31 days copy every lead', async () => {
    harness = await createSyncHarness({ sandbox: { seedLeads: 1500, bulkProcessingMs: 30 } });
    const windows: Array<{ startAt: string; endAt: string }> = [];
    const spy: MarketoApi = Object.create(harness.marketo, {
      createLeadExport: {
        value: (args: Parameters<MarketoApi['createLeadExport']>[0]) => {
          windows.push(args.createdAt);
          return harness!.marketo.createLeadExport(args);
        },
      },
    });
    const report = await runLeadSync(
      { ...harness.deps, marketo: spy },
      { fields: TEST_FIELDS, fullStrategy: 'bulk', bulkPollMs: 10, concurrency: 6 },
    );

    expect(report.outcome).toBe('succeeded');
    expect(await differences(harness.store, harness.sandbox)).toEqual([]);
    expect(windows.length).toBeGreaterThan(30);
    for (const [i, w] of windows.entries()) {
      expect(Date.parse(w.endAt) - Date.parse(w.startAt)).toBeLessThanOrEqual(BULK_WINDOW_MS);
      if (i > 0) expect(w.startAt).toBe(windows[i - 1]!.endAt);
    }
  });

  it('when SYNC_FIELDS names a field Marketo lacks, then the run fails naming it and copies nothing', async () => {
    harness = await createSyncHarness({ sandbox: { seedLeads: 100 } });
    const report = await harness.sync({ fields: ['email', 'favouriteColour'] });
    expect(report.outcome).toBe('failed');
    expect(report.error?.code).toBe('SYNC_FIELDS_UNKNOWN');
    expect(report.error?.message).toMatch(/favouriteColour/);
    expect(await harness.store.countLeads()).toBe(0);
  });

  it('when the daily quota runs out mid-copy, then the run is deferred and resumes after the reset', async () => {
    harness = await createSyncHarness({ sandbox: { seedLeads: 3000 }, client: { dailyQuota: 6 } });
    const report = await harness.sync();
    expect(report.outcome).toBe('quota-deferred');
    expect(report.error?.code).toBe('MARKETO_DAILY_QUOTA');
    const state = await harness.store.loadSyncState();
    expect(state.phase).toBe('full');
    expect(state.full?.rest?.done.length).toBeGreaterThan(0);
  });
});

describe('lead sync edge cases', () => {
  it('when leads were created just before the first sync, then the copy reads each once and the change pass does not read them again', async () => {
    harness = await createSyncHarness({ sandbox: { seedLeads: 0 } });
    for (let i = 0; i < 2000; i += 1) {
      harness.sandbox.upsertLead({ email: `fresh${i}@example.com`, firstName: `Fresh${i}` });
    }
    // Marketo's clock has 1 s resolution: the copy reads a second after the leads were made.
    harness.marketoClock.advance(1100);
    const report = await harness.sync();
    expect(report.outcome).toBe('succeeded');
    expect(await differences(harness.store, harness.sandbox)).toEqual([]);
    // Probe calls and 7 batches of 300; no hydration of the 2,000 "New Lead" activities.
    expect(leadsCalls(harness)).toBeLessThanOrEqual(3 + 7 + 2);
  });

  it('when the leads at the top of the id range follow a gap of deleted ids, then none is missed', async () => {
    harness = await createSyncHarness({ sandbox: { seedLeads: 12_000, idGapRate: 0 } });
    for (let id = 10_400; id < 11_600; id += 1) harness.sandbox.deleteLead(id);
    harness.sandbox.resetStats();
    const report = await harness.sync();
    expect(report.outcome).toBe('succeeded');
    expect(await differences(harness.store, harness.sandbox)).toEqual([]);
  });

  it('when the instance has no lead at all, then the first sync costs a handful of calls', async () => {
    harness = await createSyncHarness({ sandbox: { seedLeads: 0 } });
    const report = await harness.sync();
    expect(report.outcome).toBe('succeeded');
    expect(report.strategy).toBe('rest');
    // describe, 8 probes, the paging token, 10 empty batches from id 1, one page of changes
    // and one of deletions.
    expect(harness.sandbox.stats().calls).toBeLessThanOrEqual(22);
  });
});

describe('lead sync on a bad Marketo answer', () => {
  it('when a lead changes page is malformed, then the run fails, the cursor stays, nothing is written, and the next run applies the changes', async () => {
    harness = await createSyncHarness({ sandbox: { seedLeads: 300 } });
    await harness.sync();
    const lead = harness.sandbox.allLeads()[5]!;
    harness.sandbox.upsertLead({ id: lead.id, firstName: 'AfterTheBadPage' });
    const before = await harness.store.loadSyncState();
    const malformed: MarketoApi = Object.create(harness.marketo, {
      getLeadChanges: {
        value: async () => {
          throw new AppError('MARKETO_BAD_RESPONSE', 'leadchanges.json: result[0].leadId missing');
        },
      },
    });

    const failed = await runLeadSync(
      { ...harness.deps, marketo: malformed },
      { fields: TEST_FIELDS, fullStrategy: 'rest', bulkPollMs: 20, concurrency: 6 },
    );

    expect(failed.outcome).toBe('failed');
    expect(failed.error?.code).toBe('MARKETO_BAD_RESPONSE');
    const after = await harness.store.loadSyncState();
    expect(after.changes.nextPageToken).toBe(before.changes.nextPageToken);
    expect(after.changes.pendingLeadIds).toEqual([]);
    expect((await harness.store.getLead(lead.id))?.fields.firstName).not.toBe('AfterTheBadPage');

    const next = await harness.sync();
    expect(next.outcome).toBe('succeeded');
    expect((await harness.store.getLead(lead.id))?.fields.firstName).toBe('AfterTheBadPage');
  });
});
