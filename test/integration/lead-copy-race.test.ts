import { describe, expect, it } from 'vitest';
import type { MarketoApi } from '../../src/clients/marketo/types.js';
import type { Clock } from '../../src/deps.js';
import type { Store } from '../../src/store/types.js';
import { runLeadSync } from '../../src/sync/lead-sync.js';
import { TEST_FIELDS, differences, useSyncHarness } from '../helpers/sync-harness.js';

/**
 * What the soak found: a lead webhook stored between the sync's read of a lead and its write
 * made the store ignore the sync's whole observation (it is older), though the webhook carried
 * only some fields: the fields only the sync brings (company, updatedAt) stayed stale until the
 * lead changed in Marketo again. The sync now reads such a lead again, after the webhook.
 */
const current = useSyncHarness();
const LEAD = 7;

/** A local clock one second further on each time it is read: every observation is newer. */
function steppingClock(): Clock {
  let t = Date.now();
  return { now: () => (t += 1000) };
}

/**
 * Passes every call through; the first copy read of LEAD is answered only after a webhook for it
 * (first name only, as a trigger campaign sends) has been stored.
 */
function webhookOvertakesFirstRead(marketo: MarketoApi, store: Store, clock: Clock) {
  const reads: number[][] = [];
  let overtaken = false;
  const api: MarketoApi = Object.create(marketo, {
    getLeadsByIds: {
      value: async (ids: number[], fields: string[]) => {
        // The id-range probe reads createdAt only and writes nothing: not a copy read.
        if (!fields.includes('firstName')) return marketo.getLeadsByIds(ids, fields);
        reads.push([...ids]);
        const answer = await marketo.getLeadsByIds(ids, fields);
        if (!overtaken && ids.includes(LEAD)) {
          overtaken = true;
          const lead = answer.leads.find((l) => l.id === LEAD);
          await store.applyLeadChanges({
            upserts: [
              {
                id: LEAD,
                fields: { firstName: lead?.firstName ?? null },
                observedAt: clock.now(),
                source: 'webhook',
                merge: true,
              },
            ],
          });
        }
        return answer;
      },
    },
  });
  return { api, readsOfLead: () => reads.filter((ids) => ids.includes(LEAD)).length };
}

/** Records the snapshot committed with each write of LEAD. */
function recordCommits(store: Store) {
  const pendingWithLead: boolean[] = [];
  const wrapped: Store = Object.create(store, {
    commitSync: {
      value: (batch: Parameters<Store['commitSync']>[0]) => {
        if (batch.upserts?.some((u) => u.id === LEAD)) {
          pendingWithLead.push(batch.state.changes.pendingLeadIds.includes(LEAD));
        }
        return store.commitSync(batch);
      },
    },
  });
  return { store: wrapped, pendingWithLead };
}

describe('lead copy: a sync read overtaken by a lead webhook', () => {
  it('when a webhook of some fields is stored after the change pass read the lead but before it wrote it, then the lead is read again and every synced field equals Marketo', async () => {
    const h = await current.open({ sandbox: { seedLeads: 20 } });
    expect((await h.sync()).outcome).toBe('succeeded');
    h.sandbox.upsertLead({ id: LEAD, firstName: 'Ada B.', company: 'Analytical Engines' });
    const clock = steppingClock();
    const race = webhookOvertakesFirstRead(h.marketo, h.store, clock);
    const commits = recordCommits(h.store);

    const report = await runLeadSync(
      { ...h.deps, marketo: race.api, store: commits.store, clock },
      { fields: TEST_FIELDS, fullStrategy: 'rest', bulkPollMs: 20, concurrency: 4 },
    );

    expect(report.outcome).toBe('succeeded');
    expect(race.readsOfLead()).toBe(2);
    expect((await h.store.getLead(LEAD))?.fields).toMatchObject({
      firstName: 'Ada B.',
      company: 'Analytical Engines',
      updatedAt: h.sandbox.getLead(LEAD)?.updatedAt,
    });
    expect(await differences(h.store, h.sandbox)).toEqual([]);
    // Each write's own snapshot still lists the lead as pending: a crash before the next
    // checkpoint reads it again rather than keep the stale fields.
    expect(commits.pendingWithLead).toEqual([true, true]);
    expect((await h.store.loadSyncState()).changes.pendingLeadIds).toEqual([]);
  });

  it('when a webhook is stored between the full copy reading the lead and writing it, then the change pass that follows reads it again and the copy equals Marketo', async () => {
    const h = await current.open({ sandbox: { seedLeads: 20 } });
    // The leads' activities are seconds older than the copy's reads: the change pass skips
    // them (the copy read the leads after them), so only the fix reads the lead again.
    h.marketoClock.advance(5000);
    const clock = steppingClock();
    const race = webhookOvertakesFirstRead(h.marketo, h.store, clock);

    const report = await runLeadSync(
      { ...h.deps, marketo: race.api, clock },
      { fields: TEST_FIELDS, fullStrategy: 'rest', bulkPollMs: 20, concurrency: 4 },
    );

    expect(report.outcome).toBe('succeeded');
    expect(race.readsOfLead()).toBe(2);
    expect(await differences(h.store, h.sandbox)).toEqual([]);
    expect((await h.store.loadSyncState()).changes.pendingLeadIds).toEqual([]);
  });

  it('when the full copy commit that ignored the lead is the last to land (the next one fails), then the next run reads it again and the copy equals Marketo', async () => {
    const h = await current.open({ sandbox: { seedLeads: 20 } });
    h.marketoClock.advance(5000);
    const clock = steppingClock();
    const race = webhookOvertakesFirstRead(h.marketo, h.store, clock);
    // Every commit after the one whose upserts the store ignored fails (the database gone, or
    // a crash): only what that commit holds is durable.
    let broken = false;
    const failing: Store = Object.create(h.store, {
      commitSync: {
        value: async (batch: Parameters<Store['commitSync']>[0]) => {
          if (broken) throw new Error('connection lost');
          const committed = await h.store.commitSync(batch);
          broken ||= committed.ignored.length > 0;
          return committed;
        },
      },
    });
    const options = { fields: TEST_FIELDS, fullStrategy: 'rest' as const, bulkPollMs: 20 };

    const failed = await runLeadSync(
      { ...h.deps, marketo: race.api, store: failing, clock },
      { ...options, concurrency: 1 },
    );
    expect(failed.outcome).toBe('failed');
    const again = await runLeadSync({ ...h.deps, clock }, { ...options, concurrency: 4 });

    expect(again.outcome).toBe('succeeded');
    expect(await differences(h.store, h.sandbox)).toEqual([]);
  });
});
