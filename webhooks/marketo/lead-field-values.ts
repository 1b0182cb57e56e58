import { DateTime } from 'luxon';

/*
 * Token values arrive as text: Marketo renders every token into the template, quoting only
 * string-type ones (DEV:help/webhooks/webhooks.md), and Form/Url encoding makes everything a
 * string. The sync stores what the REST API returns (numbers, booleans, ISO dates, null for
 * empty), so the standard fields whose type is known get that type back here; any other field
 * is kept as sent, since only Describe Lead knows its type and a string like "01234" (a zip
 * code) must not become a number.
 */

/** Standard lead fields by REST name, with their Describe Lead `dataType`. */
const INTEGER_FIELDS = new Set([
  'leadScore',
  'numberOfEmployees',
  'priority',
  'urgency',
  'relativeScore',
]);
const FLOAT_FIELDS = new Set(['annualRevenue']);
const BOOLEAN_FIELDS = new Set([
  'unsubscribed',
  'emailInvalid',
  'doNotCall',
  'marketingSuspended',
  'blackListed',
  'isLead',
  'isAnonymous',
]);
const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

/** createdAt, updatedAt, dateOfBirth, and camelCase names ending in `At` or `Date`. */
export function isDateField(name: string): boolean {
  return name === 'dateOfBirth' || /[a-z0-9](?:At|Date)$/.test(name);
}

/**
 * The value as the sync would store it: `""` (an empty token) is null, as the REST API reports
 * an empty field; typed standard fields are converted when the text is unambiguous, else kept.
 */
export function normalizeFieldValue(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text === '') return null;
  if (INTEGER_FIELDS.has(name) && /^[-+]?\d{1,15}$/.test(text)) return Number(text);
  if (FLOAT_FIELDS.has(name) && /^[-+]?\d{1,15}(\.\d+)?$/.test(text)) return Number(text);
  if (BOOLEAN_FIELDS.has(name)) {
    const lower = text.toLowerCase();
    if (TRUE.has(lower)) return true;
    if (FALSE.has(lower)) return false;
  }
  if (isDateField(name)) return normalizeDate(text) ?? value;
  return value;
}

/** Tried in order after the ISO forms; luxon parses with an English locale. */
const DATE_FORMATS = ['LLL d, yyyy', 'LLLL d, yyyy', 'M/d/yyyy'];
const DATETIME_FORMATS = [
  'LLL d, yyyy h:mm a',
  'LLL d, yyyy HH:mm',
  'M/d/yyyy h:mm a',
  'M/d/yyyy HH:mm:ss',
  'M/d/yyyy HH:mm',
];

/**
 * Marketo's date renderings to what the REST API returns: `2026-11-24` for a date, and
 * `2026-11-24T10:15:00Z` for a datetime. A datetime without a zone (`2026-11-24 10:15:00`) is
 * read as UTC: Adobe does not document the zone of a rendered datetime token, and the sync
 * overwrites the value with the API's zoned one at its next run. Undefined when unparseable.
 */
export function normalizeDate(text: string): string | undefined {
  // The ISO forms are what templates send most: parsed by hand, about 20 times faster than
  // luxon, which a webhook would otherwise pay for every date field of every call.
  const iso = ISO.exec(text);
  if (iso) return fromIsoParts(iso);
  const opts = { zone: 'utc', locale: 'en-US' } as const;
  for (const format of DATE_FORMATS) {
    const date = DateTime.fromFormat(text, format, opts);
    if (date.isValid) return date.toISODate() ?? undefined;
  }
  for (const format of DATETIME_FORMATS) {
    const dateTime = DateTime.fromFormat(text, format, opts);
    if (dateTime.isValid)
      return dateTime.toUTC().toISO({ suppressMilliseconds: true }) ?? undefined;
  }
  return undefined;
}

/** `2026-11-24`, `2026-11-24 10:15`, `2026-11-24T10:15:00.5Z`, `...T10:15:00-06:00`. */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function fromIsoParts(match: RegExpExecArray): string | undefined {
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (h === undefined) return `${y}-${mo}-${d}`;
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = Number(s ?? 0);
  if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
  // A UTC time to the second, what templates send most, is already in the API's form: no Date
  // objects, which cost several microseconds per call on a busy server (bench/webhooks.ts).
  if (fraction === undefined && (zone === undefined || zone === 'Z')) {
    return `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}Z`;
  }
  const ms = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMinutes =
      (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3)));
  }
  const at = Date.UTC(year, month - 1, day, hours, minutes, seconds, ms) - offsetMinutes * 60_000;
  const text = new Date(at).toISOString();
  return ms === 0 ? text.replace(/\.000Z$/, 'Z') : text;
}

/** Days in `month` (1-12) of `year`, Gregorian leap years included. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
