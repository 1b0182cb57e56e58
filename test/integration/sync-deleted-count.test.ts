import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore, initialSyncState } from '../../src/store/index.js';
import { createSyncHarness } from '../helpers/sync-harness.js';

let harness: Awaited<ReturnType<typeof createSyncHarness>> | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('lead sync: the deleted-leads count', () => {
  it('when leads are deleted, some after changing and some never copied, then leadsDeleted counts only the leads removed from the copy', async () => {
    harness = await createSyncHarness({ sandbox: { seedLeads: 500 } });
    const h = harness;
    await h.sync();
    const leads = h.sandbox.allLeads();
    // Changed and then deleted: listed by Get Lead Changes (its hydration finds it gone) and by
    // Get Deleted Leads, so both passes ask the store to delete it.
    const changedThenDeleted = leads.slice(10, 30).map((l) => l.id);
    for (const id of changedThenDeleted) h.sandbox.upsertLead({ id, firstName: 'Changed' });
    for (const id of changedThenDeleted) h.sandbox.deleteLead(id);
    const deleted = leads.slice(100, 120).map((l) => l.id);
    for (const id of deleted) h.sandbox.deleteLead(id);
    // Created and deleted between two runs: never in the copy.
    for (let i = 0; i < 10; i += 1) {
      const created = h.sandbox.upsertLead({ email: `short.lived.${i}@example.com` });
      h.sandbox.deleteLead(created.id);
    }

    const report = await h.sync();

    expect(report.outcome).toBe('succeeded');
    expect(report.leadsDeleted).toBe(40);
    expect(report.progress.leadsDeleted).toBe(40);
    expect(await h.store.countLeads()).toBe(460);
  });

  it('when a commit deletes ids the copy does not hold, then the store says it removed none of them', async () => {
    const store = createMemoryStore();
    const state = initialSyncState(['email']);
    const lead = {
      id: 7,
      fields: { email: 'a@example.com' },
      observedAt: 1,
      source: 'sync' as const,
    };
    await store.commitSync({ upserts: [lead], state });

    await expect(store.commitSync({ deletes: [7, 7, 8], state })).resolves.toEqual({
      deleted: 1,
      ignored: [],
    });
    await expect(store.commitSync({ deletes: [7], state })).resolves.toEqual({
      deleted: 0,
      ignored: [],
    });
  });
});
