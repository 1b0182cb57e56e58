import type { Clock } from '../deps.js';
import type { OutboxStore } from '../store/types.js';

/** What holds a relay's deliveries back (outbox-handler.ts, holdFor), while it lasts. */
export interface OutboxHold {
  /** The relay's missing precondition, e.g. `marketo-credentials`. */
  reason: string;
  /** The error code behind it, e.g. MARKETO_AUTH_FAILED. */
  code: string;
  /** Epoch ms since when. */
  since: number;
}

export interface OutboxSummaryDeps {
  store: OutboxStore;
  clock: Clock;
  /** The hold in force, if any (the Marketo client's refused credentials). */
  hold?: (() => OutboxHold | undefined) | undefined;
}

/**
 * GET /api/outbox: how far behind the outbox is. `pending` is its depth (leased items
 * included: they are being sent), `oldestPending` the item waiting longest, with its age,
 * attempts and last error; never its payload (a callback's holds Marketo's one-time token).
 * `heldFor` says why deliveries wait without being tried (held items keep their attempts and
 * last error, so the oldest item alone would not show it), or null.
 */
export async function describeOutbox(deps: OutboxSummaryDeps) {
  const summary = await deps.store.outboxSummary();
  const now = deps.clock.now();
  const oldest = summary.oldestPending;
  const hold = deps.hold?.();
  return {
    pending: summary.pending,
    dead: summary.dead,
    byKind: summary.byKind,
    heldFor:
      hold === undefined
        ? null
        : {
            reason: hold.reason,
            code: hold.code,
            since: new Date(hold.since).toISOString(),
            seconds: Math.max(0, Math.round((now - hold.since) / 1000)),
          },
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
