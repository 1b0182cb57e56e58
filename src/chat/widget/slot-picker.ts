import type { PublicMeeting, SlotsResponse } from '../../meetings/booking-contract.js';

/**
 * The pure rules of the booking card's slot picker: the visitor's zone, the days asked for,
 * merging fresh slots into those shown, the labels the view renders, and one idempotency key
 * per booking attempt. DOM-free, so node tests cover them.
 */

export type SlotDay = SlotsResponse['days'][number];

/** What the view renders: labels only, formatted here in the visitor's zone. */
export interface SlotOffer {
  /** Why the visitor chooses (again), e.g. the slot was just taken; or that nothing is free. */
  note: string | null;
  /** e.g. "Times in Europe/Berlin". */
  caption: string;
  days: Array<{ label: string; times: Array<{ label: string; start: string }> }>;
  /** The index of the day shown first. */
  day: number;
  /** The label of the button that loads the next days. */
  later: string;
}

const DAY_MS = 86_400_000;

/** The browser's IANA zone; UTC when the engine has none to give. */
export function visitorTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** The date (YYYY-MM-DD) it is at `ms` in `timeZone`. */
export function dateIn(timeZone: string, ms: number): string {
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  for (const p of format.formatToParts(ms)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** `fresh` replaces the days it names (e.g. the one day a 409 sends back), in date order. */
export function mergeDays(shown: SlotDay[], fresh: SlotDay[]): SlotDay[] {
  const byDate = new Map(shown.map((d) => [d.date, d] as const));
  for (const day of fresh) byDate.set(day.date, day);
  return [...byDate.values()]
    .filter((d) => d.slots.length > 0)
    .sort((a, b) => (a.date < b.date ? -1 : 1));
}

/** Formats days and times for one visitor: their zone, their locale (undefined: the browser's). */
export function createSlotFormat(timeZone: string, locale?: string) {
  const dayIn = (zone: string) =>
    new Intl.DateTimeFormat(locale, {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      timeZone: zone,
    });
  // A date is a calendar day: formatted at its UTC midnight in UTC. An instant: in the zone.
  const date = dayIn('UTC');
  const day = dayIn(timeZone);
  const time = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone });
  const zone = timeZone.replace(/_/g, ' ');
  const timeOf = (iso: string) => time.format(Date.parse(iso));
  const when = (iso: string) => `${day.format(Date.parse(iso))}, ${timeOf(iso)}`;
  return {
    zone,
    dayOf: (d: string) => date.format(Date.parse(`${d}T00:00:00Z`)),
    timeOf,
    /** "Tue 24 Nov, 10:00" in the visitor's zone. */
    when,
    /** "Tue 24 Nov, 10:00–10:30 (Europe/Berlin)". */
    span: (m: Pick<PublicMeeting, 'start' | 'end'>) =>
      `${when(m.start)}–${timeOf(m.end)} (${zone})`,
  };
}
export type SlotFormat = ReturnType<typeof createSlotFormat>;

export function slotOffer(
  format: SlotFormat,
  days: SlotDay[],
  labels: { note: string | null; later: string; date?: string; timesIn?: string },
): SlotOffer {
  // The asked day, or the first one after it that has slots.
  const date = labels.date || '';
  const at = days.findIndex((d) => d.date >= date);
  return {
    note: labels.note,
    caption: (labels.timesIn || 'Times in {zone}').replace('{zone}', format.zone),
    days: days.map((d) => ({
      label: format.dayOf(d.date),
      times: d.slots.map((s) => ({ label: format.timeOf(s.start), start: s.start })),
    })),
    day: Math.max(at, 0),
    later: labels.later,
  };
}

/**
 * One idempotency key per attempt (a slot and an email): made when the visitor first books it
 * and reused on every retry of it, so a booking whose answer was lost is replayed, never
 * doubled. Another slot or email is another booking, with a key of its own (the service
 * refuses a key reused for different details).
 */
export function createAttemptKeys(newId: () => string) {
  const keys = new Map<string, string>();
  return {
    keyFor(start: string, email: string): string {
      const attempt = `${start} ${email}`;
      let key = keys.get(attempt);
      if (key === undefined) keys.set(attempt, (key = newId()));
      return key;
    },
    /** After a final answer (e.g. the slot was taken), the attempt is over. */
    forget(start: string, email: string): void {
      keys.delete(`${start} ${email}`);
    },
  };
}
