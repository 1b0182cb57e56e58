import type { calendar_v3 } from '@googleapis/calendar';
import {
  CalendarProviderError,
  type CalendarAccess,
  type Interval,
} from '../../calendar/calendar-types.js';
import type { GoogleApiCaller } from './google-request.js';
import { freeBusyResponseSchema, parseGoogleAnswer } from './google-wire.js';

/**
 * Longest window asked in one freebusy.query. Google answers 400 to a range it finds too long
 * (our reading: a little over three months is refused), so a longer range is asked in pieces.
 */
export const MAX_FREE_BUSY_SPAN_MS = 90 * 24 * 60 * 60 * 1_000;

/**
 * Busy intervals of the agent's calendar in [range.start, range.end), from freebusy.query
 * (Calendar API reference, Freebusy: query). Google already leaves out what does not block:
 * events shown as free (`transparency: transparent`) and cancelled ones.
 */
export async function queryGoogleBusy(
  api: calendar_v3.Calendar,
  call: GoogleApiCaller,
  access: CalendarAccess,
  range: Interval,
): Promise<Interval[]> {
  const calendarId = access.calendarId ?? 'primary';
  const busy: Interval[] = [];
  // One piece after the other: they are rare (long look-aheads) and share one user's quota.
  for (const piece of splitRange(range, MAX_FREE_BUSY_SPAN_MS)) {
    const answer = await call(access, {
      operation: 'freebusy.query',
      send: (authorization) =>
        api.freebusy.query(
          {
            requestBody: {
              timeMin: new Date(piece.start).toISOString(),
              timeMax: new Date(piece.end).toISOString(),
              items: [{ id: calendarId }],
            },
          },
          { headers: { authorization } },
        ),
    });
    const { calendars } = parseGoogleAnswer(freeBusyResponseSchema, answer.data, 'freebusy.query');
    // Keyed by the id we sent; a lone entry under another key (an alias resolved) is ours too.
    const entries = Object.values(calendars);
    const entry = calendars[calendarId] ?? (entries.length === 1 ? entries[0] : undefined);
    if (entry === undefined) {
      throw new CalendarProviderError('google', 'freebusy.query answered without the calendar', {
        retryable: false,
      });
    }
    if (entry.errors !== undefined && entry.errors.length > 0) {
      // A per-calendar error comes inside a 200: `notFound` (no such calendar, or no access)
      // will not pass on a retry; `backendError`/`internalError` may.
      const reasons = entry.errors.map((error) => error.reason ?? 'unknown');
      const notFound = reasons.every((reason) => reason === 'notFound');
      throw new CalendarProviderError(
        'google',
        `freebusy.query could not read the calendar (${reasons.join(', ')})`,
        { retryable: !notFound, ...(notFound ? { status: 404 } : {}) },
      );
    }
    busy.push(...entry.busy);
  }
  return mergeIntervals(busy, range);
}

/** [start, end) in consecutive pieces of at most `maxSpan`. */
export function splitRange(range: Interval, maxSpan: number): Interval[] {
  const pieces: Interval[] = [];
  for (let start = range.start; start < range.end; start += maxSpan) {
    pieces.push({ start, end: Math.min(start + maxSpan, range.end) });
  }
  return pieces;
}

/**
 * Sorted, clipped to the range, and overlapping or touching intervals joined (a busy block
 * across a piece boundary comes back in two halves).
 */
export function mergeIntervals(intervals: Interval[], range: Interval): Interval[] {
  const clipped = intervals
    .map(({ start, end }) => ({
      start: Math.max(start, range.start),
      end: Math.min(end, range.end),
    }))
    .filter(({ start, end }) => start < end)
    .sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const interval of clipped) {
    const last = merged.at(-1);
    if (last !== undefined && interval.start <= last.end)
      last.end = Math.max(last.end, interval.end);
    else merged.push({ ...interval });
  }
  return merged;
}
