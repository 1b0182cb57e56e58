import { describe, expect, it } from 'vitest';
import { scheduleOutboxPrune } from '../../jobs/outbox-prune.js';
import { createManualClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/store/index.js';

const DAY = 24 * 3_600_000;

describe('outbox prune job', () => {
  it('when delivered items are older than the retention, then they are deleted; younger ones, pending ones and dead letters stay, and the dedupe key of a young one still holds', async () => {
    const store = createMemoryStore();
    const clock = createManualClock(Date.UTC(2026, 10, 1));
    const deliver = async (key: string, outcome: 'done' | 'dead' | 'pending') => {
      await store.enqueueOutbox([{ kind: 'k', dedupeKey: key, payload: {} }], clock.now());
      if (outcome === 'pending') return;
      const [claimed] = await store.claimOutbox({ now: clock.now(), limit: 1, leaseMs: 60_000 });
      if (outcome === 'done') {
        await store.completeOutbox({
          id: claimed!.id,
          leaseToken: claimed!.lease!.token,
          now: clock.now(),
        });
      } else {
        await store.failOutbox({
          id: claimed!.id,
          leaseToken: claimed!.lease!.token,
          now: clock.now(),
          error: 'x',
          dead: true,
        });
      }
    };
    await deliver('old-done', 'done');
    await deliver('old-dead', 'dead');
    clock.advance(6 * DAY);
    await deliver('young-done', 'done');
    await deliver('still-pending', 'pending');
    clock.advance(2 * DAY);

    const job = scheduleOutboxPrune({ store, clock, logger: silentLogger, retentionMs: 7 * DAY });
    try {
      expect(await job.runNow()).toBe(1);
    } finally {
      job.stop();
    }
    expect(await store.findOutboxItem('old-done')).toBeUndefined();
    expect((await store.findOutboxItem('old-dead'))?.status).toBe('dead');
    expect((await store.findOutboxItem('still-pending'))?.status).toBe('pending');
    const again = await store.enqueueOutbox(
      [{ kind: 'k', dedupeKey: 'young-done', payload: {} }],
      clock.now(),
    );
    expect(again[0]!.created).toBe(false);
  });
});
