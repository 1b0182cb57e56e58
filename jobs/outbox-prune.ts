import type { Clock } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import type { OutboxStore } from '../src/store/types.js';

/**
 * Deletes delivered outbox items once they are older than `retentionMs` (OUTBOX_RETENTION_MS),
 * every `everyMs`. Without it, done items pile up for ever, the file grows, and every claim
 * scans them. The retention must outlast any retry that could enqueue the same intent again
 * (its dedupe key is freed with the item): days, where retries take minutes. Dead letters stay
 * until an admin replays them.
 */
export function scheduleOutboxPrune(options: {
  store: Pick<OutboxStore, 'pruneOutbox'>;
  clock: Clock;
  logger: Logger;
  retentionMs: number;
  everyMs?: number;
}): { runNow(): Promise<number>; stop(): void } {
  const runNow = async () => {
    const pruned = await options.store.pruneOutbox(options.clock.now() - options.retentionMs);
    if (pruned > 0) options.logger.info({ pruned }, 'delivered outbox items pruned');
    return pruned;
  };
  const timer = setInterval(() => {
    runNow().catch((error: unknown) => options.logger.error({ err: error }, 'outbox prune failed'));
  }, options.everyMs ?? 3_600_000);
  timer.unref();
  return { runNow, stop: () => clearInterval(timer) };
}
