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
}

/**
 * Delivers one item. Resolves when the work is done; throws OutboxHandlerError to say whether
 * trying again can help. Any other error is taken as transient (a bug or an outage we did not
 * classify): it is retried with backoff and reaches the dead letters after the attempt cap.
 */
export type OutboxHandler = (
  item: OutboxItem,
  ctx: OutboxHandlerContext,
) => Promise<OutboxHandlerResult | void>;

/** Handlers by outbox item `kind`; the relay claims only the kinds it has a handler for. */
export type OutboxHandlers = Readonly<Record<string, OutboxHandler>>;

/** A delivery failure that knows whether a retry can succeed. */
export class OutboxHandlerError extends AppError {
  constructor(code: string, message: string, options: { retryable: boolean }) {
    super(code, message, { retryable: options.retryable, httpStatus: 502 });
  }
}

export type OutboxFailureDecision = { action: 'retry' } | { action: 'dead'; why: string };

/**
 * Pure: what to do with an item whose attempt `attempt` just failed with `error`. Permanent
 * failures go to the dead letters at once (research B4, A5: a 400 must not loop); retryable
 * ones until the attempt cap.
 */
export function decideOutboxFailure(
  error: unknown,
  attempt: number,
  maxAttempts: number,
): OutboxFailureDecision {
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
