import { ValidationError } from '../../errors.js';

/** One logical call to Marketo; the transport may send it several times. */
export interface MarketoRequest {
  /** Client method name, for logs, errors and stats. */
  endpoint: string;
  method: 'GET' | 'POST';
  /** From the instance root: `/rest/v1/...` or `/bulk/v1/...`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: Record<string, string | number | undefined>;
  /** GET or POST `?_method=GET`: may be resent after a network failure. */
  idempotent: boolean;
}

/** Marketo's Lead Database batch limit (help/rest-api/rest-api.md: 300 records). */
export const MAX_BATCH = 300;

export function getRequest(
  endpoint: string,
  path: string,
  query?: MarketoRequest['query'],
): MarketoRequest {
  return { endpoint, method: 'GET', path, query, idempotent: true };
}

/** POSTs write, so they are not resent after an ambiguous failure unless said otherwise. */
export function postRequest(
  endpoint: string,
  path: string,
  json?: unknown,
  options: { idempotent?: boolean } = {},
): MarketoRequest {
  return { endpoint, method: 'POST', path, json, idempotent: options.idempotent ?? false };
}

/** A path segment from caller input; an empty one would make a `//` Marketo rejects. */
export function pathSegment(value: string, field: string): string {
  return encodeURIComponent(requireText(value, field));
}

export function requireText(value: string, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ValidationError(`${field} must not be empty`, field);
  }
  return value;
}

export function requireFields(fields: string[]): string {
  if (fields.length === 0) throw new ValidationError('fields must not be empty', 'fields');
  return fields.join(',');
}

/** `batchSize` of the paged activity calls: max and default 300. */
export function batchSize(size: number | undefined): number {
  if (size === undefined) return MAX_BATCH;
  if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH) {
    throw new ValidationError(`batchSize must be 1 to ${MAX_BATCH}`, 'batchSize');
  }
  return size;
}

export function checkBatch(items: unknown[], field: string): void {
  if (items.length > MAX_BATCH) {
    throw new ValidationError(
      `at most ${MAX_BATCH} ${field} per call (got ${items.length})`,
      field,
    );
  }
}

/** `https://123-ABC-456.mktorest.com`, with any trailing `/` or `/rest` dropped. */
export function normalizeBaseUrl(raw: string): string {
  const base = raw
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/rest$/, '');
  const url = URL.canParse(base) ? new URL(base) : undefined;
  if (url === undefined || !/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search) {
    throw new ValidationError('baseUrl must look like https://123-ABC-456.mktorest.com', 'baseUrl');
  }
  return base;
}

/** Full URL. Commas stay literal: shorter id lists, and Marketo splits on them. */
export function buildUrl(baseUrl: string, path: string, query?: MarketoRequest['query']): string {
  if (!path.startsWith('/') || path.includes('//')) throw new Error(`Bad Marketo path ${path}`);
  const qs = Object.entries(query ?? {})
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v).replace(/%2C/g, ',')}`)
    .join('&');
  return `${baseUrl}${path}${qs === '' ? '' : `?${qs}`}`;
}

/** An `application/x-www-form-urlencoded` body. */
export function formBody(form: NonNullable<MarketoRequest['form']>): string {
  const pairs = Object.entries(form)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([k, v]): [string, string] => [k, String(v)]);
  return new URLSearchParams(pairs).toString();
}
