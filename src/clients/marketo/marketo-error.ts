import { AppError } from '../../errors.js';
import type { MarketoFailureAction } from './retry-policy.js';

/**
 * The codes a Marketo failure surfaces with. Callers branch on `code`; Marketo's own numeric
 * code (e.g. "606") is kept in `marketoCode` for logs, stats and support tickets.
 */
export type MarketoErrorCode =
  /** Marketo answered with an error (6xx/7xx/1xxx code, HTTP error, or a network failure). */
  | 'MARKETO_API_ERROR'
  /** The identity call failed, or Marketo kept rejecting fresh tokens. Fix the credentials. */
  | 'MARKETO_AUTH_FAILED'
  /** The daily call quota (607) or the bulk export quota (1029) is spent until `retryAt`. */
  | 'MARKETO_DAILY_QUOTA'
  /** The answer did not have the shape we rely on; nothing from it may be trusted. */
  | 'MARKETO_BAD_RESPONSE'
  /** A bulk export file is not ready (HTTP 404 text from file.json). */
  | 'MARKETO_EXPORT_NOT_READY';

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
  MARKETO_DAILY_QUOTA: 503,
  MARKETO_BAD_RESPONSE: 502,
  MARKETO_EXPORT_NOT_READY: 409,
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
