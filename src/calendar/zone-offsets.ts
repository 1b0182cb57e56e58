import type { IANAZone } from 'luxon';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const MAX_ENTRIES = 20_000;

/**
 * A zone's UTC offset at an instant, in minutes, memoised per zone and UTC day. Asking the
 * zone (Intl underneath) costs a few microseconds, and listing a week of slots for a few agents
 * asks hundreds of times: that was 85% of a slots request. A day whose offset is the same at
 * its start and its end has that offset throughout (real zones change offset at most once a
 * day), so one entry serves the whole day; a day with a change asks the zone every time.
 */
const days = new Map<string, number | null>();

export function offsetMinutes(zone: IANAZone, instant: number): number {
  const day = Math.floor(instant / DAY);
  const key = `${zone.name}|${day}`;
  let offset = days.get(key);
  if (offset === undefined) {
    const first = zone.offset(day * DAY);
    offset = first === zone.offset(day * DAY + DAY - 1) ? first : null;
    if (days.size >= MAX_ENTRIES) days.clear();
    days.set(key, offset);
  }
  return offset ?? zone.offset(instant);
}

/** Within UTC day `day`, the first instant whose offset differs from the day's start's. */
const changes = new Map<string, number>();

function changeWithinDay(zone: IANAZone, day: number): number | undefined {
  const start = day * DAY;
  const first = offsetMinutes(zone, start);
  if (first === offsetMinutes(zone, start + DAY - 1)) return undefined;
  const key = `${zone.name}|${day}`;
  let change = changes.get(key);
  if (change === undefined) {
    let before = start;
    let after = start + DAY - 1;
    while (after - before > 1) {
      const mid = before + Math.floor((after - before) / 2);
      if (zone.offset(mid) === first) before = mid;
      else after = mid;
    }
    change = after;
    if (changes.size >= MAX_ENTRIES) changes.clear();
    changes.set(key, change);
  }
  return change;
}

/**
 * The first instant in (from, to] at which the zone's offset differs from its offset at `from`,
 * if any: at a UTC midnight, or found once per change day and memoised (a week of slots around
 * a change asks for it once per working block).
 */
export function nextOffsetChange(zone: IANAZone, from: number, to: number): number | undefined {
  const first = offsetMinutes(zone, from);
  for (let day = Math.floor(from / DAY); day * DAY <= to; day += 1) {
    const start = day * DAY;
    if (start > from && offsetMinutes(zone, start) !== first) return start;
    const change = changeWithinDay(zone, day);
    if (change !== undefined && change > from && change <= to) return change;
  }
  return undefined;
}

/** ISO 8601 with the zone's offset, as luxon's toISO(): 2026-11-30T10:00:00.000+01:00. */
export function isoInZone(zone: IANAZone, instant: number): string {
  const offset = offsetMinutes(zone, instant);
  // luxon writes the UTC zone itself as Z; every other zone with its offset, even +00:00.
  if (zone.name === 'UTC') return new Date(instant).toISOString();
  const local = new Date(instant + offset * MINUTE).toISOString().slice(0, 23);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}
