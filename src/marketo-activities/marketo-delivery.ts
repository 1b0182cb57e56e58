import { isMarketoApiError } from '../clients/marketo/index.js';
import { isTransientHttpStatus } from '../http/retry-hints.js';
import type { MarketoClientStats, RecordResult } from '../clients/marketo/types.js';
import { OutboxHandlerError, type OutboxHandlerResult } from '../outbox/outbox-handler.js';
import type { OutboxHold } from '../outbox/outbox-summary.js';
import type { NewOutboxItem, OutboxItem } from '../store/types.js';

/**
 * How an outbox handler that writes to Marketo turns failures into outbox outcomes:
 * - daily quota spent (MARKETO_DAILY_QUOTA, `details.retryAt`: midnight US Central): the item
 *   waits for the reset without using up its attempts (see deferUntil);
 * - Identity refuses our credentials or answers as something else (a configuration problem:
 *   credentials rotated, address misrouted): the item is held (HELD_FOR_CREDENTIALS), handed
 *   back untried, never nearer the dead letters, and tried again after the client's bounded
 *   wait, until the credentials work. Nothing was sent: the token is fetched before the call;
 * - a write whose outcome is unknown (time-out or dropped connection on a POST): retried. Marketo
 *   has no idempotency key, so on its own this is at least once; the custom activities (chat
 *   and meetings) add a look in Marketo before the resend (verified-activity-delivery.ts), and
 *   every record we write carries our stable event id for that look;
 * - an HTTP 408, 425 or 429, which the client does not retry itself: retried with the outbox's
 *   backoff, like the flow-step callback;
 * - otherwise the client's own verdict (`retryable`: 6xx transient codes after its retries);
 *   anything else (a bug, a store failure) propagates and the relay retries it with backoff.
 */
export async function deliverToMarketo(
  item: OutboxItem,
  work: () => Promise<OutboxHandlerResult | void>,
): Promise<OutboxHandlerResult | void> {
  try {
    return await work();
  } catch (error) {
    const retryAt = quotaRetryAt(error);
    if (retryAt !== undefined) return { followUps: [deferUntil(item, retryAt)] };
    throw toOutboxHandlerError(error);
  }
}

function quotaRetryAt(error: unknown): number | undefined {
  if (!isMarketoApiError(error, 'MARKETO_DAILY_QUOTA')) return undefined;
  const at = Date.parse(String(error.details?.['retryAt'] ?? ''));
  return Number.isFinite(at) ? at : undefined;
}

/** Why the Marketo relay holds its items: Identity refuses the credentials or the address. */
export const HELD_FOR_CREDENTIALS = 'marketo-credentials';

/** The hold on Marketo writes while Identity refuses us, for the outbox summary and metrics. */
export function marketoHold(stats: MarketoClientStats): OutboxHold | undefined {
  const rejected = stats.identityRejected;
  return rejected === undefined ? undefined : { reason: HELD_FOR_CREDENTIALS, ...rejected };
}

function toOutboxHandlerError(error: unknown): unknown {
  if (error instanceof OutboxHandlerError || !isMarketoApiError(error)) return error;
  if (error.details?.['identityRejected'] === true) {
    const wait = error.details['retryAfterMs'];
    return new OutboxHandlerError(error.code, error.message, {
      retryable: true,
      holdFor: HELD_FOR_CREDENTIALS,
      retryAfterMs: typeof wait === 'number' ? wait : undefined,
    });
  }
  const outcomeUnknown = error.details?.['outcomeUnknown'] === true;
  return new OutboxHandlerError(error.code, error.message, {
    retryable: outcomeUnknown || error.retryable || isNotNowStatus(error.upstreamStatus),
  });
}

/**
 * 408, 425 and 429: the request was turned away before it ran, so sending it again cannot write
 * twice. A 5xx is left to the client's verdict: a 502-504 on a write may have run
 * (`outcomeUnknown`, reconciled by the activity handlers before they write again).
 */
function isNotNowStatus(status: number | undefined): boolean {
  return status !== undefined && status < 500 && isTransientHttpStatus(status);
}

const DEFERRED_SUFFIX = /~quota@\d+$/;

/**
 * The same item again, due at `retryAt`. The relay can only back off (at most an hour, then the
 * dead letters after its attempt cap), while a spent daily quota lasts until midnight US Central:
 * so the handler completes this item and, in the same store write, enqueues a fresh copy due at
 * the reset with its attempts at zero. Nothing was sent, so nothing can double; the dedupe key
 * keeps its base, so a deferral repeated by a stale worker is enqueued once.
 */
export function deferUntil(item: OutboxItem, retryAt: number): NewOutboxItem {
  const base = item.dedupeKey.replace(DEFERRED_SUFFIX, '');
  return {
    kind: item.kind,
    dedupeKey: `${base}~quota@${retryAt}`,
    payload: item.payload,
    nextAttemptAt: retryAt,
  };
}

/** Codes Marketo documents as transient ("not executed", error-codes.md). */
const TRANSIENT_RECORD_CODES = new Set(['604', '606', '608', '611', '615', '713']);

/**
 * One record's result from Add Custom Activities or Sync Leads: `added`/`created`/`updated` is
 * success; `skipped` carries the reason. 1004 (lead not found) and other data errors will fail
 * the same way again: dead letter.
 */
export function checkRecordResult(
  result: RecordResult,
  what: string,
): asserts result is RecordResult & { status: 'added' | 'created' | 'updated' } {
  if (result.status === 'added' || result.status === 'created' || result.status === 'updated') {
    return;
  }
  const first = result.errors?.[0];
  const code = first?.code ?? 'unknown';
  const message = `${what} ${result.status}: ${code} ${first?.message ?? ''}`.trim();
  if (code === '1004') {
    throw new OutboxHandlerError('MARKETO_LEAD_NOT_FOUND', message, { retryable: false });
  }
  throw new OutboxHandlerError('MARKETO_RECORD_REJECTED', message, {
    retryable: TRANSIENT_RECORD_CODES.has(code),
  });
}
