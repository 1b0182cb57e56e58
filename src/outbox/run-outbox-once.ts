import type { Clock } from '../deps.js';
import type { Logger } from '../logger.js';
import type { NewOutboxItem, OutboxItem, OutboxStore } from '../store/types.js';
import { outboxBackoffMs, type OutboxBackoffOptions } from './outbox-backoff.js';
import {
  OutboxHandlerError,
  decideOutboxFailure,
  describeOutboxError,
  type OutboxHandler,
  type OutboxHandlers,
} from './outbox-handler.js';

export interface OutboxRelayDeps {
  store: OutboxStore;
  clock: Clock;
  logger: Logger;
  /** Jitter source, in [0, 1); injected so tests know the backoff. */
  random?: () => number;
  /**
   * Aborted when the worker stops: handlers get it to abort their request, and an item whose
   * delivery was stopped (or not yet begun) goes back to pending, due at once, never to the
   * dead letters, so the next start delivers it.
   */
  signal?: AbortSignal;
}

export interface OutboxRelayOptions {
  /** Items claimed per pass (default 20). */
  limit?: number;
  /**
   * How long a claim is ours (default 2 min). Longer than any handler takes (a callback times
   * out after 10 s; routing 1,000 leads takes seconds), and as short as that allows, since after
   * a crash the claimed items wait this long before another pass may take them.
   */
  leaseMs?: number;
  /** Attempts before an item goes to the dead letters (default 15: about 3 h of backoff). */
  maxAttempts?: number;
  /** Items delivered at once within a pass (default 4). */
  concurrency?: number;
  backoff?: OutboxBackoffOptions;
}

export interface OutboxPassReport {
  claimed: number;
  done: number;
  retried: number;
  dead: number;
  /** Outcomes the store refused because our lease had been taken over (fencing, research B5). */
  stale: number;
  /** Outcomes we could not record (store failure): the lease runs out and the item comes back. */
  unrecorded: number;
  /** Deliveries a stop ended or kept from starting: pending again, due at once. */
  stopped: number;
  /**
   * Deliveries that could not begin for a reason of the whole relay (Marketo refuses our
   * credentials): handed back untried, their attempt not counted, due after the hold's wait.
   */
  held: number;
}

/** A pass's counts, and what held its items back when some were (`holdFor` of the error). */
export type OutboxPassResult = OutboxPassReport & {
  heldFor?: string;
  /** Epoch ms: the earliest time a held item of this pass is due again. */
  heldUntil?: number;
};

/** A held item waits this long when its error names no wait of its own. */
export const DEFAULT_HOLD_MS = 30_000;

export const OUTBOX_DEFAULTS = { limit: 20, leaseMs: 120_000, maxAttempts: 15, concurrency: 4 };

/**
 * One pass of the outbox relay (research B1): claim the due items of the kinds we can deliver,
 * run each through its handler, record the outcome. Every record call carries the lease token,
 * so a worker whose claim expired and was taken over cannot complete or fail the newer attempt:
 * the store says no and nothing changes. Never throws for a delivery; a failing claim throws.
 */
export async function runOutboxOnce(
  deps: OutboxRelayDeps,
  handlers: OutboxHandlers,
  opts: OutboxRelayOptions = {},
): Promise<OutboxPassResult> {
  const { limit, leaseMs, maxAttempts, concurrency } = { ...OUTBOX_DEFAULTS, ...opts };
  const report: OutboxPassResult = {
    claimed: 0,
    done: 0,
    retried: 0,
    dead: 0,
    stale: 0,
    unrecorded: 0,
    stopped: 0,
    held: 0,
  };
  const kinds = Object.keys(handlers);
  if (kinds.length === 0) return report;
  const items = await deps.store.claimOutbox({ now: deps.clock.now(), limit, leaseMs, kinds });
  report.claimed = items.length;

  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      const outcome = await deliverOne(deps, handlers, item, maxAttempts, opts.backoff);
      report[outcome.counted] += 1;
      if (outcome.heldFor !== undefined) report.heldFor = outcome.heldFor;
      if (outcome.heldUntil !== undefined) {
        report.heldUntil = Math.min(report.heldUntil ?? Infinity, outcome.heldUntil);
      }
    }
  });
  await Promise.all(lanes);
  return report;
}

type Counted = 'done' | 'retried' | 'dead' | 'stale' | 'unrecorded' | 'stopped' | 'held';
type Outcome = { counted: Counted; heldFor?: string; heldUntil?: number };

async function deliverOne(
  deps: OutboxRelayDeps,
  handlers: OutboxHandlers,
  item: OutboxItem,
  maxAttempts: number,
  backoff: OutboxBackoffOptions | undefined,
): Promise<Outcome> {
  const { store, clock } = deps;
  const logger = deps.logger.child({ outboxId: item.id, kind: item.kind, attempt: item.attempts });
  const leaseToken = item.lease?.token ?? '';
  const handler = handlers[item.kind];

  const signal = deps.signal;
  let error: unknown;
  let followUps: NewOutboxItem[] | undefined;
  try {
    if (!handler) throw new Error(`no handler for outbox kind ${item.kind}`);
    if (signal?.aborted) throw new Error('not started: the worker is stopping');
    const result = await handler(item, {
      attempt: item.attempts,
      now: () => clock.now(),
      logger,
      ...(signal ? { signal } : {}),
    });
    followUps = result?.followUps;
  } catch (caught) {
    error = caught ?? new Error('handler failed');
  }

  try {
    if (error !== undefined && signal?.aborted) return await releaseStopped(deps, item, error);
    if (error === undefined) {
      const ok = await store.completeOutbox({
        id: item.id,
        leaseToken,
        now: clock.now(),
        followUps,
      });
      if (!ok) logger.warn('delivered, but the claim had been taken over: outcome not recorded');
      else logger.debug({ followUps: followUps?.length ?? 0 }, 'outbox item done');
      return { counted: ok ? 'done' : 'stale' };
    }
    const decision = decideOutboxFailure(error, item.attempts, handler?.maxAttempts ?? maxAttempts);
    const message = describeOutboxError(error);
    const now = clock.now();
    if (decision.action === 'hold') {
      const retryAt = now + holdDelayMs(error);
      const ok = await store.releaseOutbox({ id: item.id, leaseToken, now, retryAt });
      // Debug only: a hold meets every item at once; the worker says it once for the relay.
      logger.debug({ error: message, heldFor: decision.reason }, 'outbox delivery held');
      return ok
        ? { counted: 'held', heldFor: decision.reason, heldUntil: retryAt }
        : { counted: 'stale' };
    }
    const ok = await store.failOutbox({
      id: item.id,
      leaseToken,
      now,
      error: message,
      ...(decision.action === 'dead'
        ? { dead: true, followUps: deadLetterFollowUps(handler, item, error, logger) }
        : { retryAt: retryTime(error, now, item.attempts, deps.random, backoff) }),
    });
    if (!ok) {
      logger.warn({ error: message }, 'failed, but the claim had been taken over: not recorded');
      return { counted: 'stale' };
    }
    if (decision.action === 'dead') {
      logger.error({ error: message, why: decision.why }, 'outbox item moved to dead letters');
      return { counted: 'dead' };
    }
    logger.warn({ error: message }, 'outbox delivery failed; will retry');
    return { counted: 'retried' };
  } catch (storeError) {
    // The lease runs out and a later pass tries again: at least once, never lost.
    logger.error({ error: describeOutboxError(storeError) }, 'could not record outbox outcome');
    return { counted: 'unrecorded' };
  }
}

/**
 * A delivery the stop ended (or never began): pending again, due now. Not a failure of the far
 * end, so no backoff and never the dead letters, however many attempts it has had. A write whose
 * request was in flight may have been applied: the attempt it was claimed with is counted, so
 * the next one takes the handler's verify-before-resend path (chat and meeting activities); a
 * flow-step callback may then reach Marketo once more, the documented at-most-once-more case.
 */
async function releaseStopped(
  deps: OutboxRelayDeps,
  item: OutboxItem,
  error: unknown,
): Promise<Outcome> {
  const now = deps.clock.now();
  const ok = await deps.store.failOutbox({
    id: item.id,
    leaseToken: item.lease?.token ?? '',
    now,
    error: `STOPPED: ${describeOutboxError(error)}`,
    retryAt: now,
  });
  deps.logger.info(
    { outboxId: item.id, kind: item.kind },
    'outbox delivery stopped; pending again',
  );
  return { counted: ok ? 'stopped' : 'stale' };
}

/** Longest Retry-After we honour; past it the far end is not coming back soon anyway. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** When the item is tried again: at the time its handler named, else after the delay below. */
function retryTime(
  error: unknown,
  now: number,
  attempt: number,
  random: (() => number) | undefined,
  backoff: OutboxBackoffOptions | undefined,
): number {
  const named = error instanceof OutboxHandlerError ? error.retryAt : undefined;
  return named ?? now + retryDelayMs(error, attempt, random, backoff);
}

/**
 * The backoff, or longer when the far end asked for a pause (Retry-After on a 429 or 503):
 * retrying sooner would only be refused again (RFC 9110 §10.2.3).
 */
function retryDelayMs(
  error: unknown,
  attempt: number,
  random: (() => number) | undefined,
  backoff: OutboxBackoffOptions | undefined,
): number {
  const backoffMs = outboxBackoffMs(attempt, random, backoff);
  const asked = error instanceof OutboxHandlerError ? error.retryAfterMs : undefined;
  return asked === undefined ? backoffMs : Math.max(backoffMs, Math.min(asked, MAX_RETRY_AFTER_MS));
}

/**
 * How long a held item waits: what its error asked (the Marketo client's bounded backoff for
 * refused credentials), never past MAX_RETRY_AFTER_MS. Not the attempt's backoff: the attempt
 * was not counted, and a long-failing item must not wait an hour after the credentials work.
 */
function holdDelayMs(error: unknown): number {
  const asked = error instanceof OutboxHandlerError ? error.retryAfterMs : undefined;
  return Math.min(asked ?? DEFAULT_HOLD_MS, MAX_RETRY_AFTER_MS);
}

/** The kind's items to enqueue with this death; a failing onDead costs them, not the record. */
function deadLetterFollowUps(
  handler: OutboxHandler | undefined,
  item: OutboxItem,
  error: unknown,
  logger: Logger,
): NewOutboxItem[] {
  try {
    return handler?.onDead?.(item, error) ?? [];
  } catch (caught) {
    logger.error({ error: describeOutboxError(caught) }, 'no follow-ups for this dead letter');
    return [];
  }
}
