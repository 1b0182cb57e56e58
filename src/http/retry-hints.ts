/**
 * What an HTTP answer says about trying again, for the clients whose failures the outbox
 * retries (the flow-step callback, Marketo writes).
 */

/**
 * Statuses that mean "not now" rather than "not this request": 408 Request Timeout, 425 Too
 * Early, 429 Too Many Requests (RFC 9110 §15.5.9, RFC 8470, RFC 6585 §4) and every 5xx. The
 * SPI's own 429 reads "should retry w/ an appropriate strategy" (CFA-Swagger.yaml).
 */
export function isTransientHttpStatus(status: number | undefined): boolean {
  if (status === undefined) return false;
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status < 600);
}

/**
 * A Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as milliseconds from
 * `now`; `undefined` when absent or unreadable.
 */
export function parseRetryAfterMs(value: unknown, now: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  // An HTTP-date names a weekday and a month; this keeps `-5` from parsing as year -5.
  const date = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
