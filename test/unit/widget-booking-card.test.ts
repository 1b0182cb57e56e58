import { describe, expect, it } from 'vitest';
import type { PublicMeeting, SlotsResponse } from '../../src/meetings/booking-contract.js';
import {
  bookMeeting,
  BOOKING_TEXT as T,
  presentMeeting,
  type BookingDeps,
} from '../../src/chat/widget/booking-card.js';
import type {
  BookingInput,
  MeetingOutcome,
  SlotsOutcome,
} from '../../src/chat/widget/chat-api-client.js';
import type { ChatView, MeetingCard, SlotPick } from '../../src/chat/widget/chat-view.js';
import { addDays } from '../../src/chat/widget/slot-picker.js';
import { STRINGS } from '../../src/chat/widget/widget-strings.js';
import type { SlotOffer } from '../../src/chat/widget/slot-picker.js';

/** 08:00 UTC on Tuesday 24 November 2026: 09:00 in Berlin. */
const NOW = Date.parse('2026-11-24T08:00:00Z');
const ZONE = 'Europe/Berlin';
const at = (date: string, time: string) => `${date}T${time}:00.000+01:00`;
const halfHourAfter = (start: string) => new Date(Date.parse(start) + 1_800_000).toISOString();

/** Free every day at 09:00 and 09:30 Berlin time, except on the dates in `closed`. */
function weekOf(from: string, days: number, closed: string[] = []): SlotsResponse {
  const dates = Array.from({ length: days }, (_, i) => addDays(from, i));
  return {
    timeZone: ZONE,
    durationMinutes: 30,
    days: dates
      .filter((date) => !closed.includes(date))
      .map((date) => ({
        date,
        slots: ['09:00', '09:30'].map((t) => ({
          start: at(date, t),
          end: halfHourAfter(at(date, t)),
        })),
      })),
  };
}

const meetingAt = (start: string, extra: Partial<PublicMeeting> = {}): PublicMeeting => ({
  id: 'mtg-1',
  status: 'booked',
  start,
  end: halfHourAfter(start),
  timeZone: ZONE,
  agent: { id: 'agt_eli', name: 'Eli Moreau' },
  manageUrl: 'https://chat.acme.example/chat/meetings/manage/tok',
  cancelUrl: 'https://chat.acme.example/chat/meetings/manage/tok/cancel',
  rescheduleUrl: 'https://chat.acme.example/chat/meetings/manage/tok/reschedule',
  icsUrl: 'https://chat.acme.example/chat/meetings/manage/tok/invite.ics',
  ...extra,
});

type Answer = number | string[] | 'later' | 'back' | { day: number; time: number };

/** A view and an API that answer from scripts and record what they were shown and asked. */
function setup(
  answers: Answer[],
  card: { agentEmail?: string; email?: string; meetingTypes?: string[] } = {},
) {
  const offers: SlotOffer[] = [];
  /** What the card asked (the meeting type) and offered as buttons. */
  const asked: string[] = [];
  const forms: string[] = [];
  /** Each form's fields as shown: label=value. */
  const filled: string[][] = [];
  const formErrors: string[] = [];
  const cards: MeetingCard[] = [];
  const actions: Array<(index: number) => void> = [];
  const slotCalls: Array<{ from: string; days: number; timeZone: string; agentEmail?: string }> =
    [];
  const bookings: BookingInput[] = [];
  const cancels: string[] = [];
  const slotAnswers: SlotsOutcome[] = [];
  const bookAnswers: MeetingOutcome[] = [];
  const cancelAnswers: MeetingOutcome[] = [];
  const given: string[] = [];
  const next = () => {
    const answer = answers.shift();
    if (answer === undefined) throw new Error('the view ran out of answers');
    return answer;
  };
  const pickSlot = async (offer: SlotOffer): Promise<SlotPick> => {
    offers.push(offer);
    const answer = next();
    if (answer === 'later') return answer;
    const { day, time } = answer as { day: number; time: number };
    return { start: offer.days[day]!.times[time]!.start };
  };
  const choose = async (labels: string[]) => {
    asked.push(labels.join(' | '));
    return next() as number;
  };
  const view: ChatView = {
    showLauncher: async () => {},
    open: () => {},
    reset: () => {},
    showDocument: () => {},
    navigate: () => {},
    canGoBack: () => {},
    say: (_from, text) => void asked.push(text),
    typing: () => {},
    choose,
    pickSlot,
    fillIn: async (fields, label, check) => {
      forms.push(label);
      filled.push(fields.map((f) => `${f.label}=${f.value ?? ''}`));
      for (;;) {
        const values = next();
        if (values === 'back') return null;
        const problem = await check(values as string[]);
        if (!problem) return values as string[];
        formErrors.push(typeof problem === 'string' ? problem : problem.message);
      }
    },
    showMeeting: (card, onAction) => {
      cards.push(card);
      actions.push(onAction);
      return { choose, pickSlot, show: (c) => void cards.push(c) };
    },
  };
  let n = 0;
  const deps: BookingDeps = {
    api: {
      slots: async (query) => {
        slotCalls.push(query);
        return slotAnswers.shift() ?? { ok: true, slots: weekOf(query.from, query.days) };
      },
      book: async (input) => {
        bookings.push(input);
        return bookAnswers.shift() ?? { kind: 'ok', meeting: meetingAt(input.start) };
      },
      cancelMeeting: async (url) => {
        cancels.push(url);
        return cancelAnswers.shift() ?? { kind: 'refused', message: 'unscripted' };
      },
    },
    view,
    newId: () => `key-${String(++n).padStart(8, '0')}`,
    now: () => NOW,
    timeZone: ZONE,
    locale: 'en-GB',
  };
  const context = {
    dialogueId: 'dlg-welcome',
    conversationId: 'conv-0001',
    anonymousId: 'anon-0001',
    ...card,
    engage: () => {},
    giveEmail: async (email: string) => {
      if (email.endsWith('@mailinator.com')) return 'Emails from this domain are not accepted';
      given.push(email);
      return null;
    },
  };
  const book = () => bookMeeting(deps, context);
  /** Lets the card's async action run to its end. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return {
    ...{ offers, forms, filled, formErrors, cards, actions, slotCalls, bookings, cancels, given },
    asked,
    ...{ slotAnswers, bookAnswers, cancelAnswers, deps, book, settle },
  };
}

describe('booking card', () => {
  it('when the card names an agent, then the slots and the booking ask for that agent', async () => {
    const t = setup([{ day: 0, time: 0 }, ['Sam Lee', 'sam@acme.com']], {
      agentEmail: 'dana.levi@example.com',
    });
    await t.book();
    expect(t.slotCalls).toEqual([
      { from: '2026-11-24', days: 7, timeZone: ZONE, agentEmail: 'dana.levi@example.com' },
    ]);
    expect(t.bookings[0]).toMatchObject({ agentEmail: 'dana.levi@example.com' });
  });

  it('when the visitor picks the first time and gives name and email, then it books that slot in their zone, and the card shows the agent, the local time and the links', async () => {
    const t = setup([{ day: 0, time: 0 }, ['Sam Lee', 'sam@acme.com']]);
    const booked = await t.book();

    expect(t.slotCalls).toEqual([{ from: '2026-11-24', days: 7, timeZone: ZONE }]);
    expect(t.offers[0]).toMatchObject({ note: null, caption: 'Times in Europe/Berlin', day: 0 });
    expect(t.offers[0]!.days.map((d) => d.label)).toEqual([
      'Tue 24 Nov',
      'Wed 25 Nov',
      'Thu 26 Nov',
      'Fri 27 Nov',
      'Sat 28 Nov',
      'Sun 29 Nov',
      'Mon 30 Nov',
    ]);
    expect(t.offers[0]!.days[0]!.times.map((x) => x.label)).toEqual(['9:00', '9:30']);
    expect(t.forms).toEqual(['Book Tue 24 Nov, 9:00']);
    expect(t.given).toEqual(['sam@acme.com']);
    expect(t.bookings).toEqual([
      {
        start: '2026-11-24T09:00:00.000+01:00',
        email: 'sam@acme.com',
        name: 'Sam Lee',
        timeZone: ZONE,
        idempotencyKey: 'key-00000001',
        dialogueId: 'dlg-welcome',
        conversationId: 'conv-0001',
        anonymousId: 'anon-0001',
      },
    ]);
    expect(booked).toMatchObject({
      name: 'Sam Lee',
      email: 'sam@acme.com',
      meeting: { id: 'mtg-1' },
    });

    booked.meeting.meetingUrl = 'https://meet.example/abc';
    expect(presentMeeting(t.deps, booked)).toBe(
      'Meeting booked: Tue 24 Nov, 9:00–9:30 (Europe/Berlin). With Eli Moreau.',
    );
    expect(t.cards).toEqual([
      {
        title: T.booked,
        lines: ['Tue 24 Nov, 9:00–9:30 (Europe/Berlin)', 'With Eli Moreau'],
        links: [
          { label: T.join, href: 'https://meet.example/abc' },
          { label: T.ics, href: booked.meeting.icsUrl },
        ],
        actions: [T.cancel],
      },
    ]);
  });

  it('when the slot was taken meanwhile, then that day comes back as it is now with the service message, and the next pick books with a new key', async () => {
    const t = setup([
      { day: 2, time: 0 },
      ['Sam', 'sam@acme.com'],
      { day: 2, time: 0 },
      ['Sam', 'sam@acme.com'],
    ]);
    const thursday = '2026-11-26';
    t.bookAnswers.push({
      kind: 'taken',
      message: 'That time is no longer available: please pick another slot',
      slots: {
        timeZone: ZONE,
        durationMinutes: 30,
        days: [
          { date: thursday, slots: [{ start: at(thursday, '15:00'), end: at(thursday, '15:30') }] },
        ],
      },
    });
    const booked = await t.book();

    const again = t.offers[1]!;
    expect(again.note).toBe('That time is no longer available: please pick another slot');
    // The day of the taken slot is shown first, with only its fresh times.
    expect(again.days[again.day]).toEqual({
      label: 'Thu 26 Nov',
      times: [{ label: '15:00', start: at(thursday, '15:00') }],
    });
    expect(again.days).toHaveLength(7);
    expect(t.bookings.map((b) => [b.start, b.idempotencyKey])).toEqual([
      [at(thursday, '09:00'), 'key-00000001'],
      [at(thursday, '15:00'), 'key-00000002'],
    ]);
    expect(booked.meeting.start).toBe(at(thursday, '15:00'));
    // The 409 brought the day along: no extra slot request.
    expect(t.slotCalls).toHaveLength(1);
  });

  it('when the visitor already gave their email, then the form comes with it, and after a taken time with both answers of the last attempt', async () => {
    const t = setup(
      [
        { day: 0, time: 0 },
        ['Ada Lovelace', 'ada@acme.com'],
        { day: 0, time: 1 },
        ['Ada Lovelace', 'ada@acme.com'],
      ],
      { email: 'ada@acme.com' },
    );
    t.bookAnswers.push({ kind: 'taken', message: 'Taken', slots: weekOf('2026-11-24', 1) });
    await t.book();
    expect(t.filled).toEqual([
      ['Name=', 'Email=ada@acme.com'],
      ['Name=Ada Lovelace', 'Email=ada@acme.com'],
    ]);
  });

  it('when no email is known yet, then the form starts empty', async () => {
    const t = setup([{ day: 0, time: 0 }, ['Sam Lee', 'sam@acme.com']]);
    await t.book();
    expect(t.filled).toEqual([['Name=', 'Email=']]);
  });

  it('when a booking is refused, then the form shows the message and a retry of the same slot and email reuses the key', async () => {
    const t = setup([
      { day: 0, time: 1 },
      ['Sam', 'sam@acme.com'],
      ['Sam', 'sam@acme.com'],
      ['Sam', 'sam@other.com'],
    ]);
    t.bookAnswers.push(
      { kind: 'refused', message: 'The calendar service is not answering: no meeting was booked' },
      { kind: 'refused', message: 'Sorry, that did not go through. Please try again.' },
    );
    await t.book();
    expect(t.formErrors).toEqual([
      'The calendar service is not answering: no meeting was booked',
      'Sorry, that did not go through. Please try again.',
    ]);
    expect(t.bookings.map((b) => [b.email, b.idempotencyKey])).toEqual([
      ['sam@acme.com', 'key-00000001'],
      ['sam@acme.com', 'key-00000001'],
      ['sam@other.com', 'key-00000002'],
    ]);
  });

  it('when the answers are incomplete or the email is refused, then nothing is booked until they are right', async () => {
    const t = setup([
      { day: 0, time: 0 },
      ['Sam', 'sam@'],
      ['', 'sam@acme.com'],
      ['Sam', 'sam@mailinator.com'],
      ['Sam', 'sam@acme.com'],
    ]);
    await t.book();
    expect(t.formErrors).toEqual([
      T.invalidEmail,
      T.missingField,
      'Emails from this domain are not accepted',
    ]);
    expect(t.bookings.map((b) => b.email)).toEqual(['sam@acme.com']);
  });

  it('when the visitor goes back to other times and asks for later dates, then the next week is added and shown first', async () => {
    const t = setup([
      { day: 0, time: 0 },
      'back',
      'later',
      { day: 7, time: 1 },
      ['Sam', 'sam@acme.com'],
    ]);
    const booked = await t.book();
    expect(t.slotCalls.map((c) => [c.from, c.days])).toEqual([
      ['2026-11-24', 7],
      ['2026-12-01', 7],
    ]);
    expect(t.offers.map((o) => [o.days.length, o.day])).toEqual([
      [7, 0],
      [7, 0],
      [14, 7],
    ]);
    expect(t.forms).toEqual(['Book Tue 24 Nov, 9:00', 'Book Tue 1 Dec, 9:30']);
    expect(booked.meeting.start).toBe(at('2026-12-01', '09:30'));
  });

  it('when the slots cannot be loaded or none are free, then the visitor reads why and can try again or look later', async () => {
    const t = setup(['later', 'later', { day: 0, time: 0 }, ['Sam', 'sam@acme.com']]);
    t.slotAnswers.push(
      { ok: false, message: 'Sorry, that did not go through. Please try again.' },
      {
        ok: true,
        slots: weekOf('2026-11-24', 7, [
          '2026-11-24',
          '2026-11-25',
          '2026-11-26',
          '2026-11-27',
          '2026-11-28',
          '2026-11-29',
          '2026-11-30',
        ]),
      },
    );
    await t.book();
    expect(t.offers.map((o) => [o.note, o.later, o.days.length])).toEqual([
      ['Sorry, that did not go through. Please try again.', T.retry, 0],
      [T.none, T.later, 0],
      [null, T.later, 7],
    ]);
    expect(t.slotCalls.map((c) => c.from)).toEqual(['2026-11-24', '2026-11-24', '2026-12-01']);
  });

  it('when the visitor cancels from the card, then it asks first, posts to the cancel link, and the card says cancelled without actions', async () => {
    const t = setup([{ day: 0, time: 0 }, ['Sam', 'sam@acme.com'], 1, 0, 0]);
    const booked = await t.book();
    presentMeeting(t.deps, booked);

    t.actions[0]!(0);
    t.actions[0]!(0); // a second click while the first runs is ignored
    await t.settle();
    expect(t.cancels).toEqual([]); // "Keep this time"
    expect(t.cards.at(-1)!.actions).toEqual([T.cancel]);

    t.cancelAnswers.push({ kind: 'refused', message: 'The calendar service is not answering' });
    t.actions[0]!(0);
    await t.settle();
    expect(t.cards.at(-1)).toMatchObject({
      title: T.booked,
      actions: [T.cancel],
      note: 'The calendar service is not answering',
    });

    t.cancelAnswers.push({ kind: 'ok', meeting: { ...booked.meeting, status: 'cancelled' } });
    t.actions[0]!(0);
    await t.settle();
    expect(t.cancels).toEqual([booked.meeting.cancelUrl, booked.meeting.cancelUrl]);
    expect(t.cards.at(-1)).toEqual({
      title: T.cancelled,
      lines: ['Tue 24 Nov, 9:00–9:30 (Europe/Berlin)', 'With Eli Moreau'],
      links: [{ label: T.icsCancelled, href: booked.meeting.icsUrl }],
      actions: [],
    });
  });
});

const TYPES = [
  { id: 'intro', name: 'Intro call', minutes: 15 },
  { id: 'demo', name: 'Product demo', minutes: 45 },
  { id: 'deep', name: 'Deep dive', minutes: 60 },
];
const typed = (from: string, type?: (typeof TYPES)[number]): SlotsOutcome => ({
  ok: true,
  slots: { ...weekOf(from, 7), meetingTypes: TYPES, ...(type ? { meetingType: type } : {}) },
});

describe('booking card with meeting types', () => {
  it('when the pool offers several types, then the visitor picks one first, and the slots, the booking and the confirmation carry it', async () => {
    const t = setup([1, { day: 0, time: 0 }, ['Sam', 'sam@acme.com']]);
    t.slotAnswers.push(typed('2026-11-24', TYPES[0]), typed('2026-11-24', TYPES[1]));
    t.bookAnswers.push({
      kind: 'ok',
      meeting: meetingAt(at('2026-11-24', '09:00'), { meetingType: TYPES[1] }),
    });
    const booked = await t.book();
    expect(t.asked).toEqual([
      T.meetingType,
      'Intro call (15 min) | Product demo (45 min) | Deep dive (60 min)',
      'Product demo (45 min)',
    ]);
    expect(t.slotCalls).toEqual([
      { from: '2026-11-24', days: 7, timeZone: ZONE },
      { from: '2026-11-24', days: 7, timeZone: ZONE, meetingType: 'demo' },
    ]);
    expect(t.bookings[0]).toMatchObject({ meetingType: 'demo' });
    expect(presentMeeting(t.deps, booked)).toBe(
      'Meeting booked (Product demo): Tue 24 Nov, 9:00–9:30 (Europe/Berlin). With Eli Moreau.',
    );
    expect(t.cards[0]!.lines[0]).toBe('Product demo');
  });

  it("when the card lists types, then only those are offered, in the card's order", async () => {
    const t = setup([0, { day: 0, time: 0 }, ['Sam', 'sam@acme.com']], {
      meetingTypes: ['deep', 'gone', 'intro'],
    });
    t.slotAnswers.push(typed('2026-11-24', TYPES[0]), typed('2026-11-24', TYPES[2]));
    await t.book();
    expect(t.asked[1]).toBe('Deep dive (60 min) | Intro call (15 min)');
    expect(t.bookings[0]).toMatchObject({ meetingType: 'deep' });
  });

  it('when the card leaves one type, then it is not asked and its slots are used', async () => {
    const t = setup([{ day: 0, time: 0 }, ['Sam', 'sam@acme.com']], { meetingTypes: ['intro'] });
    t.slotAnswers.push(typed('2026-11-24', TYPES[0]));
    await t.book();
    expect(t.asked).toEqual([]);
    // The first answer was already for that type: no second call.
    expect(t.slotCalls).toHaveLength(1);
    expect(t.bookings[0]).toMatchObject({ meetingType: 'intro' });
  });

  it('when the service offers no types, then nothing is asked and the booking names none', async () => {
    const t = setup([{ day: 0, time: 0 }, ['Sam', 'sam@acme.com']]);
    await t.book();
    expect(t.asked).toEqual([]);
    expect(t.bookings[0]).not.toHaveProperty('meetingType');
  });
});

describe('booking card in the visitor language', () => {
  it('when the visitor reads French, then the picker, the form and the confirmation speak French with French dates', async () => {
    const t = setup([{ day: 0, time: 0 }, ['Léa Martin', 'lea@acme.com']]);
    t.deps.strings = STRINGS.fr;
    t.deps.locale = 'fr-FR';
    const booked = await t.book();
    expect(t.offers[0]).toMatchObject({
      caption: 'Heures (Europe/Berlin)',
      later: 'Dates suivantes',
    });
    expect(t.offers[0]!.days[0]!.label).toBe('mar. 24 nov.');
    expect(t.filled[0]).toEqual(['Nom=', 'E-mail=']);
    expect(t.forms[0]).toBe('Réserver mar. 24 nov., 9:00');
    expect(presentMeeting(t.deps, booked)).toBe(
      'Rendez-vous réservé: mar. 24 nov., 9:00–9:30 (Europe/Berlin). Avec Eli Moreau.',
    );
    expect(t.cards[0]).toMatchObject({
      title: 'Rendez-vous réservé',
      actions: ['Annuler le rendez-vous'],
    });
  });
});
