import { describe, expect, it, vi } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { StoreError } from '../../src/errors.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/store/index.js';
import type { LeadStore } from '../../src/store/types.js';
import { applyLeadWebhook } from '../../src/sync/lead-webhook.js';
import { makeLead } from '../helpers/store-fixtures.js';

/** A lead store whose durable write takes until `finish` is called. */
function slowStore(): { store: LeadStore; finish(error?: Error): void } {
  const memory = createMemoryStore();
  let finish!: (error?: Error) => void;
  const store: LeadStore = Object.assign(Object.create(memory) as LeadStore, {
    applyLeadChanges: (changes: Parameters<LeadStore['applyLeadChanges']>[0]) => {
      void memory.applyLeadChanges(changes);
      return new Promise<void>((resolve, reject) => {
        finish = (error) => (error ? reject(error) : resolve());
      });
    },
  });
  return { store, finish: (error) => finish(error) };
}

describe('applyLeadWebhook', () => {
  it('when the durable write is slow, then the answer does not wait for it and the lead is readable', async () => {
    const { store } = slowStore();

    const result = await applyLeadWebhook(
      { store, clock: createManualClock(), logger: silentLogger },
      { id: 3, fields: { email: 'a@b.com' } },
    );

    expect(result).toEqual({ status: 'created', leadId: 3 });
    expect(store.getLead(3)?.fields).toEqual({ email: 'a@b.com' });
  });

  it('when the durable write fails after the answer, then the failure is logged with the lead id', async () => {
    const { store, finish } = slowStore();
    const error = vi.fn();
    const logger = { ...silentLogger, error } as unknown as Logger;

    await applyLeadWebhook({ store, clock: createManualClock(), logger }, { id: 3, fields: {} });
    finish(new StoreError('STORE_WRITE_FAILED', 'disk full'));
    await new Promise((resolve) => setImmediate(resolve));

    expect(error).toHaveBeenCalledWith(
      expect.objectContaining({ leadId: 3, err: expect.any(StoreError) }),
      expect.stringContaining('not durable'),
    );
  });

  it('when the store refuses the change, then the call fails and nothing is logged as lost', async () => {
    const memory = createMemoryStore();
    const refusal = new StoreError('STORE_CLOSED', 'closed');
    const store = Object.assign(Object.create(memory) as LeadStore, {
      applyLeadChanges: () => Promise.reject(refusal),
    });
    const error = vi.fn();
    const logger = { ...silentLogger, error } as unknown as Logger;

    await expect(
      applyLeadWebhook({ store, clock: createManualClock(), logger }, { id: 3, fields: {} }),
    ).rejects.toBe(refusal);
    expect(error).not.toHaveBeenCalled();
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

    const result = await applyLeadWebhook(
      { store, clock, logger: silentLogger },
      { id: 3, fields: { city: 'Oslo' } },
    );

    expect(result).toEqual({ status: 'ignored', leadId: 3 });
    expect(store.getLead(3)?.fields['city']).not.toBe('Oslo');
  });
});
