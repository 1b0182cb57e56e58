import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { NewOutboxItem, OutboxItem } from '../store/types.js';

/** What a handler may tell the relay about one delivery, besides succeeding. */
export interface OutboxHandlerResult {
  /** Items this delivery created (e.g. the callbacks of a processed invocation), enqueued in
   * the same store write that marks this one done, so a crash never separates the two. */
  followUps?: NewOutboxItem[];
}

export interface OutboxHandlerContext {
  /** This claim's attempt number, 1 for the first (counted by the store at claim time). */
  attempt: number;
  now(): number;
  /** Already bound to the item's id and kind. */
  logger: Logger;
  /** Aborted when the worker stops: pass it to the request so a stop need not wait for it. */
  signal?: AbortSignal;
}

/**
 * Delivers one item. Resolves when the work is done; throws OutboxHandlerError to say whether
 * trying again can help. Any other error is taken as transient (a bug or an outage we did not
 * classify): it is retried with backoff and reaches the dead letters after the attempt cap.
 */
export type OutboxHandler = ((
  item: OutboxItem,
  ctx: OutboxHandlerContext,
) => Promise<OutboxHandlerResult | void>) &
  OutboxKindPolicy;

/** What a kind may set where the relay's defaults do not fit, as properties of its handler. */
export interface OutboxKindPolicy {
  /** Attempts before the dead letters, when this kind's cap is not the relay's. */
  maxAttempts?: number;
  /**
   * Items to enqueue, in the same store write, when an item of this kind reaches the dead
   * letters (e.g. the failure result Marketo waits for). What it returns is deduplicated by key
   * like any enqueue, so a replayed item that dies again adds nothing.
   */
  onDead?: (item: OutboxItem, error: unknown) => NewOutboxItem[];
}

/** Handlers by outbox item `kind`; the relay claims only the kinds it has a handler for. */
export type OutboxHandlers = Readonly<Record<string, OutboxHandler>>;

/** A delivery failure that knows whether a retry can succeed, and maybe how soon. */
export class OutboxHandlerError extends AppError {
  /** The far end asked for this pause (Retry-After); the relay waits at least this long. */
  readonly retryAfterMs: number | undefined;
  /**
   * Epoch ms: retry exactly then, instead of the relay's backoff. For items that must come
   * back together (those of one batch call whose answer was lost, so that they share one
   * look-up), which the backoff's jitter would spread over several passes.
   */
  readonly retryAt: number | undefined;
  /**
   * Set when the delivery could not begin for a reason that is not this item's but the whole
   * relay's (e.g. `marketo-credentials`: Identity refuses them). The item is held: handed back
   * untried, due after `retryAfterMs`, its attempt not counted, however long that lasts.
   */
  readonly holdFor: string | undefined;

  constructor(
    code: string,
    message: string,
    options: {
      retryable: boolean;
      retryAfterMs?: number | undefined;
      retryAt?: number | undefined;
      holdFor?: string | undefined;
    },
  ) {
    super(code, message, {
      retryable: options.retryable || options.holdFor !== undefined,
      httpStatus: 502,
    });
    this.retryAfterMs = options.retryAfterMs;
    this.retryAt = options.retryAt;
    this.holdFor = options.holdFor;
  }
}

export type OutboxFailureDecision =
  { action: 'retry' } | { action: 'hold'; reason: string } | { action: 'dead'; why: string };

/**
 * Pure: what to do with an item whose attempt `attempt` just failed with `error`. A hold (the
 * relay's precondition is missing: nothing of this item was tried) waits whatever its count;
 * permanent failures go to the dead letters at once (research B4, A5: a 400 must not loop);
 * retryable ones until the attempt cap.
 */
export function decideOutboxFailure(
  error: unknown,
  attempt: number,
  maxAttempts: number,
): OutboxFailureDecision {
  if (error instanceof OutboxHandlerError && error.holdFor !== undefined) {
    return { action: 'hold', reason: error.holdFor };
  }
  if (error instanceof OutboxHandlerError && !error.retryable) {
    return { action: 'dead', why: 'permanent failure' };
  }
  if (attempt >= maxAttempts) return { action: 'dead', why: `gave up after ${attempt} attempts` };
  return { action: 'retry' };
}

/** The error as stored in `lastError`: code and message only, never a stack or a cause (an
 * HTTP library's error carries the request headers, secrets included). */
export function describeOutboxError(error: unknown): string {
  const text =
    error instanceof AppError
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? `${error.name}: ${error.message}`
        : String(error);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
