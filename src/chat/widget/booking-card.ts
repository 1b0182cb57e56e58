import type { PublicMeeting, SlotsResponse } from '../../meetings/booking-contract.js';
import type { ChatApi } from './chat-api-client.js';
import type { ChatView, FormField, MeetingCard } from './chat-view.js';
import { isEmailAddress } from './email-address.js';
import { fill, STRINGS, type WidgetStrings } from './widget-strings.js';
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
 * books (POST /chat/meetings); then the meeting card with its links and a cancel button. When
 * the pool (or the named agent) offers several meeting types, the visitor picks one first.
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
  /** The widget's words in the visitor's language; English when absent. */
  strings?: WidgetStrings;
}

type MeetingType = NonNullable<SlotsResponse['meetingType']>;

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
  /** The card's `meetingTypes`: only these are offered, in this order. */
  meetingTypes?: string[] | undefined;
}

export interface Booked {
  meeting: PublicMeeting;
  name: string;
  email: string;
  format: SlotFormat;
  /** The meeting type picked, when the visitor had several. */
  meetingType?: MeetingType;
}

/** The English booking texts (tests read them). */
export const BOOKING_TEXT: WidgetStrings = STRINGS.en;

/** The form, filled in with what the visitor already gave: they are not asked twice. */
const fields = (T: WidgetStrings, known: { name: string; email: string }): FormField[] => [
  {
    label: T.name,
    type: 'text',
    autocomplete: 'name',
    ...(known.name ? { value: known.name } : {}),
  },
  {
    label: T.email,
    type: 'email',
    autocomplete: 'email',
    ...(known.email ? { value: known.email } : {}),
  },
];

/** The days offered so far, a week at a time from today in the visitor's zone. */
function createSlotList(
  deps: BookingDeps,
  agentEmail: string | undefined,
  domain: string | undefined,
) {
  let days: SlotDay[] = [];
  let loaded = false;
  let next = dateIn(deps.timeZone, deps.now());
  let meetingType: string | undefined;
  let offered: SlotsResponse | undefined;
  let failure: string | null = null;
  return {
    /** Why the last load failed, once (the picker shows it instead of loading again). */
    takeFailure(): string | null {
      const message = failure;
      failure = null;
      return message;
    },
    days: () => days,
    loaded: () => loaded,
    /** The first answer of GET /chat/slots: which meeting types there are. */
    offered: () => offered,
    /** Slots of this meeting type from now on, from the first day again. */
    useType(id: string): void {
      meetingType = id;
      days = [];
      loaded = false;
      next = dateIn(deps.timeZone, deps.now());
    },
    /** The first day the next call of `more` loads. */
    next: () => next,
    /** Loads seven more days; the message to show when that failed. */
    async more(): Promise<string | null> {
      deps.view.typing(true);
      const got = await deps.api.slots({
        from: next,
        days: 7,
        timeZone: deps.timeZone,
        ...(agentEmail ? { agentEmail } : domain ? { domain } : {}),
        ...(meetingType ? { meetingType } : {}),
      });
      deps.view.typing(false);
      if (!got.ok) return (failure = got.message);
      offered ||= got.slots;
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
  T: WidgetStrings,
): Promise<string> {
  let { note, date } = labels;
  let failed = list.loaded() ? null : list.takeFailure() || (await list.more());
  list.takeFailure();
  for (;;) {
    const empty = list.days().length === 0 ? T.none : null;
    const pick = await view.pickSlot(
      slotOffer(format, list.days(), {
        note: failed || note || empty,
        later: failed ? T.retry : T.later,
        timesIn: T.timesIn,
        ...(date === undefined ? {} : { date }),
      }),
    );
    if (pick !== 'later') return pick.start;
    note = null;
    date = list.next();
    failed = await list.more();
  }
}

/**
 * The meeting types the visitor chooses from: those the service offers, narrowed to the card's
 * list (in the card's order) when it has one.
 */
export function offeredTypes(
  served: SlotsResponse['meetingTypes'],
  card: string[] | undefined,
): MeetingType[] {
  const all = served || [];
  if (!card || card.length === 0) return all;
  return card.flatMap((id) => all.filter((type) => type.id === id));
}

/**
 * Loads the first slots; with several meeting types the visitor picks one, and one type left
 * by the card's list is taken as is. The type chosen, if any.
 */
async function pickType(
  deps: BookingDeps,
  ctx: BookingContext,
  list: SlotList,
  T: WidgetStrings,
): Promise<MeetingType | undefined> {
  if ((await list.more()) !== null) return undefined; // pickTime shows the failure
  const served = list.offered();
  const types = offeredTypes(served?.meetingTypes, ctx.meetingTypes);
  if (types.length === 0) return undefined;
  let type = types[0] as MeetingType;
  if (types.length > 1) {
    deps.view.say('bot', T.meetingType);
    const labels = types.map((m) => `${m.name} (${fill(T.minutes, { n: m.minutes })})`);
    const index = await deps.view.choose(labels);
    ctx.engage();
    type = types[index] || type;
    deps.view.say('visitor', labels[index] || type.name);
  }
  if (!served?.meetingType || served.meetingType.id !== type.id) list.useType(type.id);
  return type;
}

/** Plays the booking card until a meeting is booked. */
export async function bookMeeting(deps: BookingDeps, ctx: BookingContext): Promise<Booked> {
  const T = deps.strings || BOOKING_TEXT;
  const format = createSlotFormat(deps.timeZone, deps.locale);
  // The domain only, never the address: the slots of the visitor's account agent, if any.
  const domain = ctx.email?.includes('@') ? ctx.email.split('@').pop() : undefined;
  const list = createSlotList(deps, ctx.agentEmail, domain);
  const keys = createAttemptKeys(deps.newId);
  const meetingType = await pickType(deps, ctx, list, T);
  let note: string | null = null;
  let date: string | undefined;
  // After a taken slot the form comes back with the answers of the last attempt.
  const known = { name: '', email: ctx.email ?? '' };
  for (;;) {
    const start = await pickTime(
      deps.view,
      list,
      format,
      { note, ...(date === undefined ? {} : { date }) },
      T,
    );
    note = null;
    const got: { booked?: Booked; taken?: { message: string; slots: SlotDay[] } } = {};
    await deps.view.fillIn(
      fields(T, known),
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
          ...(meetingType ? { meetingType: meetingType.id } : {}),
        });
        if (outcome.kind === 'refused') return outcome.message;
        if (outcome.kind === 'ok')
          got.booked = {
            meeting: outcome.meeting,
            name,
            email,
            format,
            ...(meetingType ? { meetingType } : {}),
          };
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
  const T = deps.strings || BOOKING_TEXT;
  const { format } = booked;
  // The service's name for the type booked; the one picked when it does not say.
  const type = booked.meeting.meetingType || booked.meetingType;
  let meeting = booked.meeting;
  let busy = false;
  const content = (note?: string): MeetingCard => {
    const cancelled = meeting.status === 'cancelled';
    const join =
      meeting.meetingUrl && !cancelled ? [{ label: T.join, href: meeting.meetingUrl }] : [];
    return {
      title: cancelled ? T.cancelled : T.booked,
      lines: [
        ...(type ? [type.name] : []),
        format.span(meeting),
        `${T.with} ${meeting.agent.name}`,
      ],
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
  const what = type ? ` (${type.name})` : '';
  return `${T.booked}${what}: ${format.span(meeting)}. ${T.with} ${meeting.agent.name}.`;
}
