import { AppError } from '../../errors.js';
import type { MarketoFailureAction } from './retry-policy.js';

/**
 * The codes a Marketo failure surfaces with. Callers branch on `code`; Marketo's own numeric
 * code (e.g. "606") is kept in `marketoCode` for logs, stats and support tickets.
 */
export type MarketoErrorCode =
  /** Marketo answered with an error (6xx/7xx/1xxx code, HTTP error, or a network failure). */
  | 'MARKETO_API_ERROR'
  /** Identity refused the credentials, or Marketo kept rejecting fresh tokens. */
  | 'MARKETO_AUTH_FAILED'
  /** No connection to MARKETO_BASE_URL (refused, unknown host, reset): an address or network problem. */
  | 'MARKETO_UNREACHABLE'
  /** MARKETO_BASE_URL answered HTTP 404 with no Marketo error: not a Marketo REST endpoint. */
  | 'MARKETO_URL_NOT_FOUND'
  /** The daily call quota (607) or the bulk export quota (1029) is spent until `retryAt`. */
  | 'MARKETO_DAILY_QUOTA'
  /** The answer did not have the shape we rely on; nothing from it may be trusted. */
  | 'MARKETO_BAD_RESPONSE'
  /** A bulk export file is not ready (HTTP 404 text from file.json). */
  | 'MARKETO_EXPORT_NOT_READY'
  /** The client was stopped (the process is shutting down) before this call had an answer. */
  | 'MARKETO_STOPPED';

export interface MarketoApiErrorOptions {
  /** The client method that failed, e.g. `getLeadChanges`. */
  endpoint: string;
  marketoCode?: string;
  requestId?: string;
  /** The HTTP status Marketo (or its gateway) answered with; 200 for most API errors. */
  upstreamStatus?: number;
  /** ECONNRESET, ETIMEDOUT, ... when no answer arrived. */
  networkCode?: string;
  /** What the retry policy decided for this failure. */
  action?: MarketoFailureAction;
  retryable?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The HTTP status our API answers with when a Marketo failure reaches a route. */
const HTTP_STATUS: Record<MarketoErrorCode, number> = {
  MARKETO_API_ERROR: 502,
  MARKETO_AUTH_FAILED: 502,
  MARKETO_UNREACHABLE: 502,
  MARKETO_URL_NOT_FOUND: 502,
  MARKETO_DAILY_QUOTA: 503,
  MARKETO_BAD_RESPONSE: 502,
  MARKETO_EXPORT_NOT_READY: 409,
  MARKETO_STOPPED: 503,
};

/**
 * A failed Marketo call. `httpStatus` (from AppError) is what *our* API answers; Marketo's own
 * HTTP status is `upstreamStatus`. Never carries the token, the secret or an axios error (its
 * config holds the Authorization header), so it is safe to log whole.
 */
export class MarketoApiError extends AppError {
  declare readonly code: MarketoErrorCode;
  readonly endpoint: string;
  readonly marketoCode: string | undefined;
  readonly requestId: string | undefined;
  readonly upstreamStatus: number | undefined;
  readonly networkCode: string | undefined;
  readonly action: MarketoFailureAction | undefined;

  constructor(code: MarketoErrorCode, message: string, options: MarketoApiErrorOptions) {
    super(code, message, {
      httpStatus: HTTP_STATUS[code],
      retryable: options.retryable ?? false,
      details: {
        endpoint: options.endpoint,
        ...(options.marketoCode === undefined ? {} : { marketoCode: options.marketoCode }),
        ...(options.requestId === undefined ? {} : { requestId: options.requestId }),
        ...options.details,
      },
      cause: options.cause,
    });
    this.endpoint = options.endpoint;
    this.marketoCode = options.marketoCode;
    this.requestId = options.requestId;
    this.upstreamStatus = options.upstreamStatus;
    this.networkCode = options.networkCode;
    this.action = options.action;
  }
}

export function isMarketoApiError(
  error: unknown,
  code?: MarketoErrorCode,
): error is MarketoApiError {
  return error instanceof MarketoApiError && (code === undefined || error.code === code);
}

/**
 * Failures that happen before any request reaches Marketo: the host is unknown (ENOTFOUND),
 * refuses connections, or cannot be routed to. These point at MARKETO_BASE_URL or the network,
 * never at the credentials.
 */
const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * The address error a failure means, if any: a connection that never opened, or an HTTP 404
 * without a Marketo error code. Marketo reports a missing resource as code 610 "Requested
 * resource not found" (help/rest-api/error-codes.md); a 404 with no code comes from a server
 * that is not the instance's REST API (a wrong host or path prefix). The bulk export file's
 * plain-text 404 is read before this (marketo-response.ts). `anyNetworkFailure`: the identity
 * call, where no answer at all means Marketo was not reached (a later dropped REST call is a
 * Marketo failure instead).
 */
export function addressFailure(
  failure: { networkCode?: string; httpStatus?: number; marketoCode?: string },
  anyNetworkFailure = false,
): 'MARKETO_UNREACHABLE' | 'MARKETO_URL_NOT_FOUND' | undefined {
  const { networkCode, httpStatus, marketoCode } = failure;
  if (networkCode !== undefined && (anyNetworkFailure || CONNECT_FAILURES.has(networkCode))) {
    return 'MARKETO_UNREACHABLE';
  }
  if (httpStatus === 404 && marketoCode === undefined) return 'MARKETO_URL_NOT_FOUND';
  return undefined;
}

/** The operator's next step for an address error: the message ends with it. */
export function addressAdvice(
  code: 'MARKETO_UNREACHABLE' | 'MARKETO_URL_NOT_FOUND',
  baseUrl: string,
  evidence = 'HTTP 404',
): string {
  const expected =
    'the REST API endpoint from Admin > Integration > Web Services, e.g. https://123-ABC-456.mktorest.com';
  return code === 'MARKETO_UNREACHABLE'
    ? `Marketo could not be reached at ${baseUrl}: check MARKETO_BASE_URL (${expected}) and the network`
    : `${baseUrl} is not a Marketo REST endpoint (${evidence}): check MARKETO_BASE_URL (${expected})`;
}
