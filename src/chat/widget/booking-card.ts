import type { PublicMeeting } from '../../meetings/booking-contract.js';
import type { ChatApi } from './chat-api-client.js';
import type { ChatView, FormField, MeetingCard } from './chat-view.js';
import { isEmailAddress } from './email-address.js';
import {
  addDays,
  createAttemptKeys,
  createSlotFormat,
  dateIn,
  mergeDays,
  slotOffer,
  type SlotDay,
  type SlotFormat,
} from './slot-picker.js';

/**
 * The booking card: the visitor picks a free time in their own zone, gives name and email, and
 * books (POST /chat/meetings); then the meeting card with its links and a cancel button.
 * DOM-free: view, API, clock and ids are injected.
 */

export interface BookingDeps {
  api: Pick<ChatApi, 'slots' | 'book' | 'cancelMeeting'>;
  view: ChatView;
  newId(): string;
  now(): number;
  /** The visitor's IANA zone (slot-picker.ts visitorTimeZone). */
  timeZone: string;
  /** undefined: the browser's. */
  locale?: string;
}

export interface BookingContext {
  dialogueId: string;
  conversationId: string;
  anonymousId: string;
  /** The agent the card names (routing: agent); round robin when absent. */
  agentEmail?: string | undefined;
  /** The email the visitor already gave (in this conversation or before, on this browser). */
  email?: string | undefined;
  /** The Munchkin cookie: the service routes on the lead's stored fields only when it proves them. */
  mktoTrk?: string | undefined;
  /** Marks the conversation engaged (the visitor's first answer). */
  engage(): void;
  /** Sends email-given; the service's refusal, or null. */
  giveEmail(email: string): Promise<string | null>;
}

export interface Booked {
  meeting: PublicMeeting;
  name: string;
  email: string;
  format: SlotFormat;
}

export const BOOKING_TEXT = {
  invalidEmail: 'Please enter a valid email address.',
  missingField: 'Please fill in every field.',
  book: 'Book',
  otherTimes: 'Other times',
  later: 'Later dates',
  retry: 'Try again',
  none: 'No free times on these days.',
  booked: 'Meeting booked',
  cancelled: 'Meeting cancelled',
  with: 'With',
  join: 'Join the meeting',
  ics: 'Add to calendar (.ics)',
  icsCancelled: 'Update your calendar (.ics)',
  cancel: 'Cancel meeting',
  confirmCancel: 'Yes, cancel it',
  keep: 'Keep this time',
};
const T = BOOKING_TEXT;

/** The form, filled in with what the visitor already gave: they are not asked twice. */
const fields = (known: { name: string; email: string }): FormField[] => [
  {
    label: 'Name',
    type: 'text',
    autocomplete: 'name',
    ...(known.name ? { value: known.name } : {}),
  },
  {
    label: 'Email',
    type: 'email',
    autocomplete: 'email',
    ...(known.email ? { value: known.email } : {}),
  },
];

/** The days offered so far, a week at a time from today in the visitor's zone. */
function createSlotList(deps: BookingDeps, agentEmail: string | undefined) {
  let days: SlotDay[] = [];
  let loaded = false;
  let next = dateIn(deps.timeZone, deps.now());
  return {
    days: () => days,
    loaded: () => loaded,
    /** The first day the next call of `more` loads. */
    next: () => next,
    /** Loads seven more days; the message to show when that failed. */
    async more(): Promise<string | null> {
      deps.view.typing(true);
      const got = await deps.api.slots({
        from: next,
        days: 7,
        timeZone: deps.timeZone,
        ...(agentEmail ? { agentEmail } : {}),
      });
      deps.view.typing(false);
      if (!got.ok) return got.message;
      days = mergeDays(days, got.slots.days);
      next = addDays(next, 7);
      loaded = true;
      return null;
    },
    /** A day's slots changed (the 409 of a booking sends them along): that day as it is now. */
    replaceDay(date: string, fresh: SlotDay[]): void {
      days = mergeDays(
        days.filter((d) => d.date !== date),
        fresh,
      );
    },
  };
}
type SlotList = ReturnType<typeof createSlotList>;

/** Offers the slots until the visitor picks one; resolves with its start. */
async function pickTime(
  view: Pick<ChatView, 'pickSlot'>,
  list: SlotList,
  format: SlotFormat,
  labels: { note: string | null; date?: string },
): Promise<string> {
  let { note, date } = labels;
  let failed = list.loaded() ? null : await list.more();
  for (;;) {
    const empty = list.days().length === 0 ? T.none : null;
    const pick = await view.pickSlot(
      slotOffer(format, list.days(), {
        note: failed || note || empty,
        later: failed ? T.retry : T.later,
        ...(date === undefined ? {} : { date }),
      }),
    );
    if (pick !== 'later') return pick.start;
    note = null;
    date = list.next();
    failed = await list.more();
  }
}

/** Plays the booking card until a meeting is booked. */
export async function bookMeeting(deps: BookingDeps, ctx: BookingContext): Promise<Booked> {
  const format = createSlotFormat(deps.timeZone, deps.locale);
  const list = createSlotList(deps, ctx.agentEmail);
  const keys = createAttemptKeys(deps.newId);
  let note: string | null = null;
  let date: string | undefined;
  // After a taken slot the form comes back with the answers of the last attempt.
  const known = { name: '', email: ctx.email ?? '' };
  for (;;) {
    const start = await pickTime(deps.view, list, format, {
      note,
      ...(date === undefined ? {} : { date }),
    });
    note = null;
    const got: { booked?: Booked; taken?: { message: string; slots: SlotDay[] } } = {};
    await deps.view.fillIn(
      fields(known),
      `${T.book} ${format.when(start)}`,
      async ([name = '', email = '']) => {
        Object.assign(known, { name, email });
        ctx.engage();
        if (!isEmailAddress(email)) return T.invalidEmail;
        if (!name) return T.missingField;
        const refused = await ctx.giveEmail(email);
        if (refused) return refused;
        const outcome = await deps.api.book({
          start,
          email,
          name,
          timeZone: deps.timeZone,
          idempotencyKey: keys.keyFor(start, email),
          dialogueId: ctx.dialogueId,
          conversationId: ctx.conversationId,
          anonymousId: ctx.anonymousId,
          ...(ctx.agentEmail ? { agentEmail: ctx.agentEmail } : {}),
          ...(ctx.mktoTrk ? { mktoTrk: ctx.mktoTrk } : {}),
        });
        if (outcome.kind === 'refused') return outcome.message;
        if (outcome.kind === 'ok') got.booked = { meeting: outcome.meeting, name, email, format };
        else {
          keys.forget(start, email);
          got.taken = { message: outcome.message, slots: outcome.slots ? outcome.slots.days : [] };
        }
        return null;
      },
      T.otherTimes,
    );
    if (got.booked) return got.booked;
    if (got.taken) {
      // Taken meanwhile: that day again, as it is now, with the service's words.
      date = start.slice(0, 10);
      list.replaceDay(date, got.taken.slots);
      note = got.taken.message;
    }
  }
}

/**
 * Shows the booked meeting: time in the visitor's zone, agent, join and .ics links, and a
 * cancel button that posts to the meeting's cancel link (a POST endpoint, not a page). Returns
 * the line the transcript keeps.
 */
export function presentMeeting(deps: BookingDeps, booked: Booked): string {
  const { format } = booked;
  let meeting = booked.meeting;
  let busy = false;
  const content = (note?: string): MeetingCard => {
    const cancelled = meeting.status === 'cancelled';
    const join =
      meeting.meetingUrl && !cancelled ? [{ label: T.join, href: meeting.meetingUrl }] : [];
    return {
      title: cancelled ? T.cancelled : T.booked,
      lines: [format.span(meeting), `${T.with} ${meeting.agent.name}`],
      // A cancelled meeting's invitation says so: importing it takes the event off the calendar.
      links: [...join, { label: cancelled ? T.icsCancelled : T.ics, href: meeting.icsUrl }],
      actions: busy || cancelled ? [] : [T.cancel],
      ...(note ? { note } : {}),
    };
  };
  const card = deps.view.showMeeting(content(), async () => {
    if (busy) return;
    busy = true;
    card.show(content());
    let note: string | undefined;
    if ((await card.choose([T.confirmCancel, T.keep])) === 0) {
      const outcome = await deps.api.cancelMeeting(meeting.cancelUrl);
      if (outcome.kind === 'ok') meeting = outcome.meeting;
      else note = outcome.message;
    }
    busy = false;
    card.show(content(note));
  });
  return `${T.booked}: ${format.span(meeting)}. ${T.with} ${meeting.agent.name}.`;
}
