import { DateTime, IANAZone } from 'luxon';
import type { DateTimeTimeZone } from './wire-schemas.js';

/**
 * Graph's dateTimeTimeZone carries a wall time with no offset and a separate zone name
 * (learn.microsoft.com/graph/api/resources/datetimetimezone). We send and ask for UTC only:
 * the doc warns that create and update "might not support all" zones (only Windows names and
 * a listed subset of IANA names), while UTC always works and Outlook shows every event in the
 * viewer's own zone anyway. Reads carry `Prefer: outlook.timezone="UTC"`.
 */

const UTC_NAMES = new Set(['utc', 'etc/utc', 'etc/gmt', 'gmt', 'coordinated universal time']);
const WALL_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?$/;

/** Epoch ms as Graph's UTC wall time: `2026-11-24T09:00:00.000`. */
export function toGraphUtc(ms: number): DateTimeTimeZone {
  return { dateTime: new Date(ms).toISOString().slice(0, 23), timeZone: 'UTC' };
}

/**
 * Epoch ms of a Graph dateTimeTimeZone, or undefined when the zone is neither UTC nor an IANA
 * zone (a Windows name would mean the Prefer header was ignored: the caller reports drift).
 */
export function parseGraphDateTime(value: DateTimeTimeZone): number | undefined {
  const match = WALL_TIME.exec(value.dateTime.trim());
  if (match === null) return undefined;
  // Graph writes seven fractional digits; Date and luxon take milliseconds.
  const wall = `${match[1]}.${(match[2] ?? '').padEnd(3, '0').slice(0, 3)}`;
  const zone = value.timeZone.trim();
  if (UTC_NAMES.has(zone.toLowerCase())) {
    const ms = Date.parse(`${wall}Z`);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (!IANAZone.isValidZone(zone)) return undefined;
  const parsed = DateTime.fromISO(wall, { zone });
  return parsed.isValid ? parsed.toMillis() : undefined;
}
