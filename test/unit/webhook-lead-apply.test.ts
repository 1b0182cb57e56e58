import { Memory } from 'lowdb';
import { describe, expect, it, vi } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { createMemoryStore } from '../../src/store/index.js';
import { applyLeadWebhook } from '../../src/sync/lead-webhook.js';
import { makeLead } from '../helpers/store-fixtures.js';

describe('applyLeadWebhook', () => {
  it('when a lead change arrives, then it resolves only once the store has written it', async () => {
    const store = createMemoryStore();
    let releaseWrite!: () => void;
    const written = new Promise<void>((resolve) => (releaseWrite = resolve));
    const write = vi.spyOn(Memory.prototype, 'write').mockImplementation(() => written);

    // Restored however the test ends: unit files share their worker (isolate: false).
    try {
      let resolved = false;
      const applying = applyLeadWebhook(
        { store, clock: createManualClock() },
        { id: 3, fields: { email: 'a@b.com' } },
      ).then((result) => {
        resolved = true;
        return result;
      });
      // The write starts one macrotask after the change (group commit), the test's turn after it.
      while (write.mock.calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));

      expect(resolved).toBe(false);
      expect((await store.getLead(3))?.fields).toEqual({ email: 'a@b.com' });
      releaseWrite();
      await expect(applying).resolves.toEqual({ status: 'created', leadId: 3 });
    } finally {
      write.mockRestore();
    }
  });

  it('when the write fails, then the call fails with STORE_WRITE_FAILED', async () => {
    const store = createMemoryStore();
    const write = vi
      .spyOn(Memory.prototype, 'write')
      .mockRejectedValueOnce(
        Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }),
      );

    try {
      await expect(
        applyLeadWebhook({ store, clock: createManualClock() }, { id: 3, fields: {} }),
      ).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    } finally {
      write.mockRestore();
    }
  });

  it('when the store refuses the change, then the call fails and nothing is stored', async () => {
    const store = createMemoryStore();
    await store.close();

    await expect(
      applyLeadWebhook({ store, clock: createManualClock() }, { id: 3, fields: {} }),
    ).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    expect(await store.getLead(3)).toBeUndefined();
  });

  it.each([
    ['a stored lead', true, ['updated', 'updated']],
    ['a lead not stored yet', false, ['created', 'updated']],
  ])(
    'when two calls for %s arrive at once, then both fields are kept and each says what it did',
    async (_what, stored, statuses) => {
      const store = createMemoryStore();
      const clock = createManualClock();
      if (stored) {
        await store.applyLeadChanges({
          upserts: [makeLead(3, { observedAt: clock.now() - 1_000 })],
        });
      }

      const results = await Promise.all([
        applyLeadWebhook({ store, clock }, { id: 3, fields: { city: 'Oslo' } }),
        applyLeadWebhook({ store, clock }, { id: 3, fields: { title: 'CTO' } }),
      ]);

      expect(results.map((r) => r.status)).toEqual(statuses);
      expect((await store.getLead(3))?.fields).toEqual({
        ...(stored ? makeLead(3).fields : {}),
        city: 'Oslo',
        title: 'CTO',
      });
    },
  );

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
    expect((await store.getLead(3))?.fields['city']).not.toBe('Oslo');
  });
});
