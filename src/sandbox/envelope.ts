import type { Clock } from '../deps.js';

/**
 * Marketo's response envelope and error catalogue. Marketo answers API errors with HTTP 200
 * and `{ requestId, success: false, errors: [{ code: "606", message }] }`; codes are quoted
 * integers (DEV:help/rest-api/error-codes.md). Messages below are the documented ones.
 */

export class MarketoApiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'MarketoApiError';
    this.code = code;
  }
}

export const marketoErrors = {
  // 601/602 are "not counted against your daily quota, or your rate limit".
  tokenInvalid: () => new MarketoApiError('601', 'Access token invalid'),
  tokenExpired: () => new MarketoApiError('602', 'Access token expired'),
  methodNotSupported: () => new MarketoApiError('605', 'HTTP Method not supported'),
  rateLimit: (limit: number, windowMs: number) =>
    new MarketoApiError(
      '606',
      `Max rate limit '${limit}' exceeded with in '${windowMs / 1000}' secs`,
    ),
  dailyQuota: () => new MarketoApiError('607', 'Daily quota reached'),
  invalidJson: () => new MarketoApiError('609', 'Invalid JSON'),
  notFound: () => new MarketoApiError('610', 'Requested resource not found'),
  systemError: () => new MarketoApiError('611', 'System error'),
  invalidContentType: () => new MarketoApiError('612', 'Invalid Content Type'),
  concurrency: () => new MarketoApiError('615', 'Concurrent access limit reached'),
  // 701 "%s cannot be blank": the documented response-level code for a missing parameter.
  blank: (name: string) => new MarketoApiError('701', `'${name}' cannot be blank`),
  invalidDate: (name: string) => new MarketoApiError('704', `Invalid date format for '${name}'`),
  // 709 "Business Rule Violation", e.g. approving something that has no draft.
  businessRule: (detail: string) =>
    new MarketoApiError('709', `Business Rule Violation: ${detail}`),
  invalidValue: (value: string, type: string) =>
    new MarketoApiError('1001', `Invalid value '${value}'. Required of type '${type}'`),
  missingValue: (name: string) =>
    new MarketoApiError('1002', `Missing value for the required parameter '${name}'`),
  invalidData: (detail: string) => new MarketoApiError('1003', `Invalid data: ${detail}`),
  leadNotFound: () => new MarketoApiError('1004', 'Lead not found'),
  leadExists: () => new MarketoApiError('1005', 'Lead already exists'),
  fieldNotFound: (name: string) => new MarketoApiError('1006', `Field '${name}' not found`),
  fieldNotSupported: (name: string) => new MarketoApiError('1011', `Field '${name}' not supported`),
  objectNotFound: (what: string) => new MarketoApiError('1013', `Object not found: ${what}`),
  objectExists: (what: string) => new MarketoApiError('1017', `Object already exists: ${what}`),
  maxActivityTypes: () => new MarketoApiError('1027', 'Max Activity Type Limit Reached'),
  maxFields: () => new MarketoApiError('1028', 'Max field limit reached'),
  tooManyJobs: () => new MarketoApiError('1029', 'Too many jobs in queue'),
  exportQuota: () => new MarketoApiError('1029', 'Export daily quota exceeded'),
  jobQueued: () => new MarketoApiError('1029', 'Job already queued'),
  attributesTooLong: () =>
    new MarketoApiError('1049', 'Failed to create activity: attributes array too long'),
  unsupportedFilter: () =>
    new MarketoApiError('1035', 'Unsupported filter type for target subscription'),
};

/** Record-level reason, e.g. `{ code: '1004', message: 'Lead not found' }`. */
export interface Reason {
  code: string;
  message: string;
}

export function reasonOf(error: MarketoApiError): Reason {
  return { code: error.code, message: error.message };
}

export interface SuccessBody {
  result?: unknown[];
  moreResult?: boolean;
  nextPageToken?: string;
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
const DAY_MS = 86_400_000;
const dayPrefixes = new Map<number, string>();

/**
 * Marketo datetimes as the sandbox writes them: ISO 8601, whole seconds, `Z`. Hand-formatted
 * with a per-day cache because seeding 100,000 leads formats 200,000 of them.
 */
export function toIso(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const day = Math.floor(seconds / 86_400);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size > 10_000) dayPrefixes.clear();
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  const rest = seconds - day * 86_400;
  const hours = Math.floor(rest / 3600);
  const minutes = Math.floor((rest % 3600) / 60);
  return `${prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[rest % 60]}Z`;
}

/** Parses an ISO 8601 datetime with offset or `Z`; undefined when it is not one. */
export function parseIsoDate(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    return undefined;
  }
  const withColon = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(withColon);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Request ids shaped like Marketo's `e42b#14272d07d78`: a counter, then the time in hex. */
export function createRequestIds(clock: Clock): () => string {
  let n = 0x1000;
  return () => {
    n = n >= 0xfffff ? 0x1000 : n + 1;
    return `${n.toString(16)}#${clock.now().toString(16)}`;
  };
}

export function successEnvelope(requestId: string, body: SuccessBody): Record<string, unknown> {
  const out: Record<string, unknown> = { requestId, success: true };
  if (body.result !== undefined) out.result = body.result;
  if (body.moreResult !== undefined) out.moreResult = body.moreResult;
  if (body.nextPageToken !== undefined) out.nextPageToken = body.nextPageToken;
  out.warnings = [];
  return out;
}

export function errorEnvelope(requestId: string, error: MarketoApiError): Record<string, unknown> {
  return {
    requestId,
    success: false,
    errors: [{ code: error.code, message: error.message }],
    warnings: [],
  };
}
