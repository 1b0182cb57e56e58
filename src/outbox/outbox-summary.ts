import type { Clock } from '../deps.js';
import type { OutboxStore } from '../store/types.js';

/**
 * GET /api/outbox: how far behind the outbox is. `pending` is its depth (leased items
 * included: they are being sent), `oldestPending` the item waiting longest, with its age,
 * attempts and last error; never its payload (a callback's holds Marketo's one-time token).
 */
export async function describeOutbox(deps: { store: OutboxStore; clock: Clock }) {
  const summary = await deps.store.outboxSummary();
  const now = deps.clock.now();
  const oldest = summary.oldestPending;
  return {
    pending: summary.pending,
    dead: summary.dead,
    byKind: summary.byKind,
    oldestPending:
      oldest === undefined
        ? null
        : {
            id: oldest.id,
            kind: oldest.kind,
            attempts: oldest.attempts,
            lastError: oldest.lastError ?? null,
            createdAt: new Date(oldest.createdAt).toISOString(),
            nextAttemptAt: new Date(oldest.nextAttemptAt).toISOString(),
            ageSeconds: Math.max(0, Math.round((now - oldest.createdAt) / 1000)),
          },
  };
}
