/**
 * What to do after a failed Marketo call: a pure function, table-tested in
 * test/unit/marketo-retry-policy.test.ts. Codes and advice from Adobe's "Error Codes" page
 * (marketo-developer: help/rest-api/error-codes.md) unless marked as our reading.
 */

export type MarketoFailureAction = 'retry' | 'reauth' | 'wait-for-quota' | 'fatal';

export interface MarketoFailure {
  /** `errors[0].code` of a `success:false` answer (Marketo sends it as a quoted integer). */
  marketoCode?: string;
  /** `errors[0].message`; only 1029 is told apart by its message. */
  message?: string;
  /** HTTP status when it was not 2xx. */
  httpStatus?: number;
  /** Node/axios error code when no answer arrived (ECONNRESET, ETIMEDOUT, ECONNABORTED...). */
  networkCode?: string;
  /** GETs and POST `?_method=GET`: safe to send twice. */
  idempotent: boolean;
}

/**
 * Transient codes: 604 time-out, 606 rate limit, 608 temporarily unavailable, 611 system
 * error, 615 concurrency limit, 713 "wait for time and then retry". The 6xx ones mean "the
 * whole request failed and was not executed", so resending is safe even for a POST. Adobe
 * advises exponential back-off for 606 and 615.
 */
const TRANSIENT_CODES = new Set(['604', '606', '608', '611', '615', '713']);

/** 601 access token invalid, 602 expired: get a token and resend. */
const REAUTH_CODES = new Set(['601', '602']);

/**
 * Failures after which the request may have reached Marketo and run: a gateway time-out
 * (502) or a connection dropped mid-request. Resent only when the call is idempotent;
 * Marketo has no idempotency key, so a resent Add Custom Activities or Sync Leads could
 * write twice (custom activities cannot be deleted).
 */
const AMBIGUOUS_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ETIMEDOUT',
  'ECONNABORTED', // axios time-out
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ERR_NETWORK',
]);

/** Failures before the connection was made: nothing reached Marketo, resending is safe. */
const NOT_SENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN']);

const GATEWAY_STATUSES = new Set([502, 503, 504]);

export function classifyMarketoFailure(failure: MarketoFailure): MarketoFailureAction {
  const { marketoCode, message = '', httpStatus, networkCode, idempotent } = failure;

  if (marketoCode !== undefined) {
    if (REAUTH_CODES.has(marketoCode)) return 'reauth';
    // 607: daily quota reached; it resets at midnight US Central.
    if (marketoCode === '607') return 'wait-for-quota';
    if (TRANSIENT_CODES.has(marketoCode)) return 'retry';
    // 502 "Bad Gateway, likely a timeout": Adobe says retry with back-off. Our reading: the
    // call may have run, so only an idempotent call is resent (see AMBIGUOUS_NETWORK_CODES).
    if (marketoCode === '502') return idempotent ? 'retry' : 'fatal';
    if (marketoCode === '1029') return classifyBulkQueueFailure(message);
    // 603 access denied, 605 method, 609 JSON, 610 not found, 612 content type, 1003 invalid
    // data, 1004 lead not found, 1006 field not found, 1035 unsupported filter, 7xx...: the
    // request itself is wrong and will fail the same way again.
    return 'fatal';
  }

  if (networkCode !== undefined) {
    if (NOT_SENT_NETWORK_CODES.has(networkCode)) return 'retry';
    return idempotent && AMBIGUOUS_NETWORK_CODES.has(networkCode) ? 'retry' : 'fatal';
  }

  if (httpStatus !== undefined && GATEWAY_STATUSES.has(httpStatus)) {
    return idempotent ? 'retry' : 'fatal';
  }
  // 413 payload too large, 414 URI too long, other 4xx: fix the request.
  return 'fatal';
}

/**
 * Bulk extract 1029 carries three meanings, told apart only by the message
 * (help/rest-api/bulk-extract.md): the queue of 10 jobs is full (try again later), the
 * 500 MB daily export quota is spent (wait for midnight Central), or the job is already
 * queued (the caller treats its enqueue as done; see isJobAlreadyQueued).
 */
function classifyBulkQueueFailure(message: string): MarketoFailureAction {
  if (/export daily quota/i.test(message)) return 'wait-for-quota';
  if (/too many jobs/i.test(message)) return 'retry';
  return 'fatal';
}

/** 1029 "Job already queued": enqueueing again succeeded in effect. */
export function isJobAlreadyQueued(failure: Pick<MarketoFailure, 'marketoCode' | 'message'>) {
  return failure.marketoCode === '1029' && /already queued/i.test(failure.message ?? '');
}
