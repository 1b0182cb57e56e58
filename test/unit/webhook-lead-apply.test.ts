import { Memory } from 'lowdb';
import { describe, expect, it, vi } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { createMemoryStore } from '../../src/store/index.js';
import { applyLeadWebhook } from '../../src/sync/lead-webhook.js';
import { makeLead } from '../helpers/store-fixtures.js';

describe('applyLeadWebhook', () => {
  it('when a lead change arrives, then the answer comes with the lead readable and before any write', async () => {
    const store = createMemoryStore({ deferredWriteMs: 60_000 });
    const writes = vi.spyOn(Memory.prototype, 'write');

    const result = await applyLeadWebhook(
      { store, clock: createManualClock() },
      { id: 3, fields: { email: 'a@b.com' } },
    );

    expect(result).toEqual({ status: 'created', leadId: 3 });
    expect(store.getLead(3)?.fields).toEqual({ email: 'a@b.com' });
    expect(writes).not.toHaveBeenCalled();
    await store.close();
    expect(writes).toHaveBeenCalledTimes(1);
    writes.mockRestore();
  });

  it('when the store refuses the change, then the call fails and nothing is stored', async () => {
    const store = createMemoryStore();
    await store.close();

    await expect(
      applyLeadWebhook({ store, clock: createManualClock() }, { id: 3, fields: {} }),
    ).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    expect(store.getLead(3)).toBeUndefined();
  });

  it.each([
    ['Marketo deleted the lead', 'deleted'],
    ['the stored state was observed later', 'newer'],
  ])('when %s, then the change is ignored and says so', async (_what, situation) => {
    const store = createMemoryStore();
    const clock = createManualClock();
    await store.applyLeadChanges(
      situation === 'deleted'
        ? { upserts: [makeLead(3)], deletes: [3] }
        : { upserts: [makeLead(3, { observedAt: clock.now() + 5_000 })] },
    );

    const result = await applyLeadWebhook({ store, clock }, { id: 3, fields: { city: 'Oslo' } });

    expect(result).toEqual({ status: 'ignored', leadId: 3 });
    expect(store.getLead(3)?.fields['city']).not.toBe('Oslo');
  });
});
