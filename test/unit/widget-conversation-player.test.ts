import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../src/records/chat-event.js';
import type { EventOutcome } from '../../src/chat/widget/chat-api-client.js';
import {
  playConversation,
  TEXT,
  type ChatView,
  type PlayerDeps,
} from '../../src/chat/widget/conversation-player.js';
import type { DialogueCards } from '../../src/chat/widget/dialogue-walker.js';
import {
  createVisitorMemory,
  pickConversation,
  type KeyValueStorage,
} from '../../src/chat/widget/visitor-memory.js';
import type { BookingInput } from '../../src/chat/widget/chat-api-client.js';
import type { PublicMeeting } from '../../src/meetings/booking-contract.js';
import { ACME_DIALOGUE } from '../helpers/fake-chat-server.js';

/** The dialogue as resolve serves it to an anonymous visitor (token default filled in). */
const SERVED: DialogueCards = {
  ...ACME_DIALOGUE,
  cards: ACME_DIALOGUE.cards.map((c) =>
    c.id === 'hello' ? { ...c, text: 'Hi there! Welcome to Acme Analytics.' } : c,
  ),
};

function mapStorage(): KeyValueStorage {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

type Answer = number | string[] | { slot: number };

/**
 * A view that answers from a script: a number picks a button, a list fills a form, a slot
 * picks that time of the first day offered (widget-booking-card.test.ts covers the picker).
 */
function scriptedView(answers: Answer[]) {
  const lines: string[] = [];
  const formErrors: string[] = [];
  /** Each form's fields as shown: label=value. */
  const forms: string[][] = [];
  let typing = 0;
  const next = () => {
    const answer = answers.shift();
    if (answer === undefined) throw new Error(`the view ran out of answers after ${lines.at(-1)}`);
    return answer;
  };
  const view: ChatView = {
    showLauncher: async () => {},
    open: () => {},
    reset: () => {},
    showDocument: () => {},
    navigate: () => {},
    canGoBack: () => {},
    say: (from, text) => void lines.push(`${from}: ${text}`),
    typing: (on) => void (on && typing++),
    choose: async (labels) => {
      const index = next() as number;
      lines.push(`(chose ${labels[index]})`);
      return index;
    },
    pickSlot: async (offer) => {
      const time = offer.days[0]!.times[(next() as { slot: number }).slot]!;
      lines.push(`(picked ${offer.days[0]!.label} ${time.label})`);
      return time;
    },
    showMeeting: (card) => {
      lines.push(`(card ${card.title}: ${card.lines.join('; ')})`);
      return { choose: async () => 0, pickSlot: async () => 'later', show: () => {} };
    },
    fillIn: async (fields, _label, check) => {
      forms.push(fields.map((f) => `${f.label}=${f.value ?? ''}`));
      for (;;) {
        const values = next() as string[];
        const problem = await check(values);
        if (!problem) return values;
        formErrors.push(typeof problem === 'string' ? problem : problem.message);
      }
    },
  };
  return { view, lines, formErrors, forms, typingCount: () => typing };
}

const MEETING: PublicMeeting = {
  id: 'mtg-0001',
  status: 'booked',
  start: '2026-11-24T14:00:00.000+01:00',
  end: '2026-11-24T14:30:00.000+01:00',
  timeZone: 'Europe/Berlin',
  agent: { id: 'agt_eli', name: 'Eli Moreau' },
  meetingUrl: 'https://meet.example/abc',
  manageUrl: 'https://chat.acme.example/chat/meetings/manage/tok',
  cancelUrl: 'https://chat.acme.example/chat/meetings/manage/tok/cancel',
  rescheduleUrl: 'https://chat.acme.example/chat/meetings/manage/tok/reschedule',
  icsUrl: 'https://chat.acme.example/chat/meetings/manage/tok/invite.ics',
};

function setup(answers: Answer[], refuse: (e: ChatEvent) => string | null = () => null) {
  const local = mapStorage();
  const session = mapStorage();
  let n = 0;
  const newId = () => `id-${String(++n).padStart(8, '0')}`;
  const memory = createVisitorMemory(local, session, newId);
  const sent: ChatEvent[] = [];
  const emitted: Array<[string, Record<string, unknown>]> = [];
  const sleeps: number[] = [];
  const bookings: BookingInput[] = [];
  const scripted = scriptedView(answers);
  const deps: PlayerDeps = {
    api: {
      sendEvent: async (event): Promise<EventOutcome> => {
        const problem = refuse(event);
        if (problem) return { ok: false, message: problem };
        sent.push(event);
        return { ok: true };
      },
      slots: async ({ from, timeZone }) => ({
        ok: true,
        slots: {
          timeZone,
          durationMinutes: 30,
          days: [
            {
              date: from,
              slots: [
                { start: `${from}T10:00:00.000+01:00`, end: `${from}T10:30:00.000+01:00` },
                { start: `${from}T14:00:00.000+01:00`, end: `${from}T14:30:00.000+01:00` },
              ],
            },
          ],
        },
      }),
      book: async (input) => {
        bookings.push(input);
        return { kind: 'ok', meeting: { ...MEETING, start: input.start } };
      },
      cancelMeeting: async () => ({ kind: 'refused', message: 'not in this test' }),
      branch: async () => null,
    },
    memory,
    view: scripted.view,
    emit: (name, detail) => void emitted.push([name, detail]),
    sleep: async (ms) => void sleeps.push(ms),
    newId,
    now: () => Date.parse('2026-11-24T08:00:00Z'),
    timeZone: 'Europe/Berlin',
    locale: 'en-GB',
    pageUrl: 'https://acme.example/pricing',
    mktoTrk: () => 'id:123-ABC-456&token:_mch-acme',
    responseDelayMs: 50,
  };
  const play = async (served: DialogueCards = SERVED) => {
    const picked = pickConversation(memory, served, newId);
    if (!picked) return false;
    await playConversation(deps, picked.dialogue, picked.record);
    return true;
  };
  return { ...scripted, deps, memory, sent, emitted, sleeps, bookings, play };
}

describe('playConversation', () => {
  it('when the visitor chooses pricing and gives an email, then the branch plays with typing and every event is sent', async () => {
    const t = setup([0, ['jane@acme.com']]);
    await t.play();
    expect(t.lines).toEqual([
      'bot: Hi there! Welcome to Acme Analytics.',
      'bot: What brings you here today?',
      '(chose See pricing)',
      'visitor: See pricing',
      'bot: Our Team plan starts at $49 per month.',
      'bot: Where can we send the full price list?',
      'visitor: jane@acme.com',
      'bot: Thanks! The price list is on its way.',
    ]);
    expect(t.typingCount()).toBe(5);
    expect(t.sleeps).toEqual([50, 50, 50, 50, 50]);
    expect(t.sent.map((e) => [e.type, e.value])).toEqual([
      ['triggered', undefined],
      ['engaged', undefined],
      ['goal-reached', 'Saw pricing'],
      ['email-given', 'jane@acme.com'],
      ['completed', undefined],
    ]);
    const conversationId = t.sent[0]!.conversationId;
    expect(t.sent.every((e) => e.conversationId === conversationId)).toBe(true);
    expect(new Set(t.sent.map((e) => e.eventId)).size).toBe(5);
    expect(t.sent[0]!.visitor).toEqual({
      anonymousId: expect.any(String),
      mktoTrk: 'id:123-ABC-456&token:_mch-acme',
    });
    expect(t.sent.at(-1)!.visitor.email).toBe('jane@acme.com');
    expect(t.emitted.map(([name]) => name)).toEqual([
      'triggered',
      'engaged',
      'goal-reached',
      'email-given',
      'completed',
    ]);
    expect(t.memory.conversation(SERVED.id)).toMatchObject({ completed: true, at: null });
    expect(await t.play()).toBe(false);
  });

  it('when the email is malformed and then refused by the service, then the visitor sees both messages and no email-given counts', async () => {
    const t = setup([0, ['jane@'], ['jane@mailinator.com'], ['jane@acme.com']], (e) =>
      e.value?.endsWith('@mailinator.com') ? 'Emails from this domain are not accepted' : null,
    );
    await t.play();
    expect(t.formErrors).toEqual([TEXT.invalidEmail, 'Emails from this domain are not accepted']);
    expect(t.sent.filter((e) => e.type === 'email-given').map((e) => e.value)).toEqual([
      'jane@acme.com',
    ]);
    expect(t.emitted.filter(([name]) => name === 'email-given')).toHaveLength(1);
    expect(t.memory.visitor().email).toBe('jane@acme.com');
  });

  it('when the visitor books a demo, then the slot is booked with the Munchkin cookie, the card shown, and meeting-booked carries the meeting id to the service and the page', async () => {
    const t = setup([1, { slot: 1 }, ['', 'sam@acme.com'], ['Sam', 'sam@acme.com']]);
    await t.play();
    expect(t.formErrors).toEqual([TEXT.missingField]);
    expect(t.lines.slice(-5)).toEqual([
      "bot: Let's find a time for your demo.",
      '(picked Tue 24 Nov 14:00)',
      'visitor: Tue 24 Nov, 14:00 · Sam · sam@acme.com',
      '(card Meeting booked: Tue 24 Nov, 14:00–14:30 (Europe/Berlin); With Eli Moreau)',
      'bot: Thanks, we will confirm your demo by email.',
    ]);
    const conversationId = t.sent[0]!.conversationId;
    expect(t.bookings).toEqual([
      {
        start: '2026-11-24T14:00:00.000+01:00',
        email: 'sam@acme.com',
        name: 'Sam',
        timeZone: 'Europe/Berlin',
        idempotencyKey: expect.stringMatching(/^id-\d{8}$/),
        dialogueId: SERVED.id,
        conversationId,
        anonymousId: t.memory.visitor().anonymousId,
        // The Munchkin cookie, as resolve sends it: the service routes on the lead's stored
        // fields only when Marketo associates it with the booking's email.
        mktoTrk: 'id:123-ABC-456&token:_mch-acme',
      },
    ]);
    expect(t.sent.map((e) => [e.type, e.value])).toEqual([
      ['triggered', undefined],
      ['engaged', undefined],
      ['email-given', 'sam@acme.com'],
      ['meeting-booked', 'mtg-0001'],
      ['completed', undefined],
    ]);
    expect(t.sent[3]!.visitor.email).toBe('sam@acme.com');
    expect(t.emitted.find(([name]) => name === 'meeting-booked')?.[1]).toEqual({
      dialogueId: SERVED.id,
      dialogueVersion: 1,
      dialogueName: SERVED.name,
      conversationId,
      agentName: 'Eli Moreau',
      agentID: 'agt_eli',
      meetingInfo: {
        id: 'mtg-0001',
        start: '2026-11-24T14:00:00.000+01:00',
        end: '2026-11-24T14:30:00.000+01:00',
        timeZone: 'Europe/Berlin',
        meetingUrl: 'https://meet.example/abc',
      },
      name: 'Sam',
      email: 'sam@acme.com',
    });
    // A reload shows the booking as text (the card's links are not kept).
    expect(t.memory.conversation(SERVED.id)?.transcript.slice(-3)).toEqual([
      { from: 'visitor', text: 'Tue 24 Nov, 14:00 · Sam · sam@acme.com' },
      {
        from: 'bot',
        text: 'Meeting booked: Tue 24 Nov, 14:00–14:30 (Europe/Berlin). With Eli Moreau.',
      },
      { from: 'bot', text: 'Thanks, we will confirm your demo by email.' },
    ]);
  });

  it('when the visitor’s email is known on this browser (given in a chat), then the booking form comes with it filled in', async () => {
    const t = setup([1, { slot: 0 }, ['Ada Lovelace', 'ada@acme.com']]);
    t.memory.rememberEmail('ada@acme.com');
    await t.play();
    expect(t.forms).toEqual([['Name=', 'Email=ada@acme.com']]);
    expect(t.bookings[0]).toMatchObject({ name: 'Ada Lovelace', email: 'ada@acme.com' });
  });

  it('when a page view ends at the email card and the next one resumes, then the transcript comes back and only the answer is asked', async () => {
    const t = setup([0]);
    await expect(t.play()).rejects.toThrow(/ran out of answers/);
    const saved = t.memory.conversation(SERVED.id);
    expect(saved).toMatchObject({ at: 'email', awaiting: true, engaged: true });

    const again = scriptedView([['jane@acme.com']]);
    t.deps.view = again.view;
    await t.play();
    expect(again.lines).toEqual([
      'bot: Hi there! Welcome to Acme Analytics.',
      'bot: What brings you here today?',
      'visitor: See pricing',
      'bot: Our Team plan starts at $49 per month.',
      'bot: Where can we send the full price list?',
      'visitor: jane@acme.com',
      'bot: Thanks! The price list is on its way.',
    ]);
    // Same session: triggered and engaged were not sent again.
    expect(t.sent.map((e) => e.type)).toEqual([
      'triggered',
      'engaged',
      'goal-reached',
      'email-given',
      'completed',
    ]);
  });

  it('when a card points nowhere, then the conversation stops without completing', async () => {
    const broken: DialogueCards = {
      id: 'd2',
      version: 1,
      name: 'Broken',
      start: 'm',
      cards: [{ id: 'm', type: 'message', text: 'Hello', next: 'gone' }],
    };
    const t = setup([]);
    await t.play(broken);
    expect(t.lines).toEqual(['bot: Hello']);
    expect(t.sent.map((e) => e.type)).toEqual(['triggered']);
    expect(t.memory.conversation('d2')).toMatchObject({ completed: false });
  });

  it('when the response delay is 0, then no typing indicator is shown', async () => {
    const t = setup([0, ['jane@acme.com']]);
    t.deps.responseDelayMs = 0;
    await t.play();
    expect(t.typingCount()).toBe(0);
    expect(t.sleeps).toEqual([]);
  });
});
