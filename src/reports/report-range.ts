import { DateTime } from 'luxon';
import { z } from 'zod';
import { timeZoneSchema } from '../records/meeting-contract.js';

/** A report covers at most this many days (a leap year), so one query stays bounded. */
export const MAX_REPORT_DAYS = 366;

/** A calendar date, checked for existence (2026-02-30 is refused). */
export const calendarDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date as YYYY-MM-DD', abort: true })
  .refine((value) => DateTime.fromISO(value, { zone: 'UTC' }).isValid, {
    error: 'must be a real calendar date',
  });

export interface DateRange {
  /** The first day, YYYY-MM-DD. */
  fromDate: string;
  /** The last day, included. */
  toDate: string;
  timeZone: string;
  /** [from, to) in epoch ms: the first day's start to the start of the day after the last. */
  from: number;
  to: number;
}

/** Start of `date` in `zone`, epoch ms (a day that starts in a DST gap starts when it can). */
export function startOfDay(date: string, zone: string): number {
  return DateTime.fromISO(date, { zone }).startOf('day').toMillis();
}

/**
 * `?from=YYYY-MM-DD&to=YYYY-MM-DD[&timeZone=Europe/Berlin]`: both days included, in the time
 * zone (UTC by default). Refused, naming the field: a bad date, `to` before `from`, a range of
 * more than MAX_REPORT_DAYS days, an unknown time zone.
 */
export const dateRangeQuerySchema = z
  .object({
    from: calendarDateSchema,
    to: calendarDateSchema,
    timeZone: timeZoneSchema.default('UTC'),
  })
  .superRefine((query, ctx) => {
    const days = daysBetween(query.from, query.to);
    if (days < 0) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    } else if (days + 1 > MAX_REPORT_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `the range may cover at most ${MAX_REPORT_DAYS} days`,
      });
    }
  })
  .transform((query): DateRange => ({
    fromDate: query.from,
    toDate: query.to,
    timeZone: query.timeZone,
    from: startOfDay(query.from, query.timeZone),
    to: startOfDay(nextDay(query.to), query.timeZone),
  }));

function daysBetween(from: string, to: string): number {
  const a = DateTime.fromISO(from, { zone: 'UTC' });
  const b = DateTime.fromISO(to, { zone: 'UTC' });
  return Math.round(b.diff(a, 'days').days);
}

export function nextDay(date: string): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days: 1 }).toISODate()!;
}

/** Every day from `fromDate` to `toDate`, both included. */
export function daysOf(range: Pick<DateRange, 'fromDate' | 'toDate'>): string[] {
  const days: string[] = [];
  for (let day = range.fromDate; day <= range.toDate; day = nextDay(day)) days.push(day);
  return days;
}
