import { describe, expect, it } from 'vitest';
import type { Meeting } from '../../src/records/meeting-contract.js';
import { composeNotification } from '../../src/notifications/compose-notification.js';
import {
  bookedNotice,
  cancelledNotice,
  reassignedNotices,
  reminderItem,
  rescheduledNotice,
  type NotificationPayload,
} from '../../src/notifications/notification-items.js';

/** Wednesday 25 November 2026, 09:00 in Berlin (08:00 UTC), 30 minutes. */
const START = Date.UTC(2026, 10, 25, 8, 0, 0);
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

function meeting(overrides: Partial<Meeting> = {}): Meeting {
  return {
    id: 'm-1',
    status: 'booked',
    agentId: 'agent-ana',
    agentName: 'Ana Silva',
    agentEmail: 'ana@seller.example',
    start: START,
    end: START + 30 * MINUTE,
    bufferAfterMs: 0,
    visitor: { email: 'ada@buyer.example', name: 'Ada Lovelace', timeZone: 'Europe/Berlin' },
    routing: { rule: 'round-robin', pool: 'default', skipped: [] },
    provider: 'local',
    providerEventId: 'm-1',
    manageTokenHash: 'hash',
    history: [
      { status: 'pending', at: T0, by: 'visitor' },
      { status: 'booked', at: T0, by: 'system' },
    ],
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

const payloadOf = (item: { payload: unknown }) => item.payload as NotificationPayload;

/** Intl's spaces vary with the ICU version (U+202F before AM, thin spaces around dashes). */
const plain = (text: string) => text.replace(/[\u202f\u2009\u00a0]/g, ' ');

describe('the agent notices', () => {
  it.each([
    {
      locale: 'en-US',
      timeZone: 'America/New_York',
      subject: /^New meeting: Ada Lovelace, Wed, Nov 25, 3:00 AM$/,
      when: /^When: Wednesday, November 25, 2026,? 3:00 – 3:30 AM EST \(America\/New_York\)$/m,
      attached: 'The calendar invitation is attached.',
    },
    {
      locale: 'de-DE',
      timeZone: 'Europe/Berlin',
      subject: /^Neuer Termin: Ada Lovelace, Mi\., 25\. Nov\., 9:00$/,
      when: /^Wann: Mittwoch, 25\. November 2026, 0?9:00 ?– ?0?9:30 Uhr MEZ \(Europe\/Berlin\)$/m,
      attached: 'Die Kalendereinladung ist angehängt.',
    },
    {
      locale: 'ja',
      timeZone: 'Asia/Tokyo',
      subject: /^新しいミーティング: Ada Lovelace様、11月25日\(水\) 17:00$/,
      when: /^日時: 2026\/11\/25水曜日 17時00分～17時30分\(JST\) \(Asia\/Tokyo\)$/m,
      attached: 'カレンダーの招待状を添付しています。',
    },
  ])(
    'when an agent in $timeZone ($locale) gets a booking, then the times are in their zone and locale',
    ({ locale, timeZone, subject, when, attached }) => {
      const message = composeNotification(payloadOf(bookedNotice(meeting(), T0)), {
        timeZone,
        locale,
      });

      expect(message.to).toEqual({ address: 'ana@seller.example', name: 'Ana Silva' });
      expect(plain(message.subject)).toMatch(subject);
      expect(plain(message.text)).toMatch(when);
      expect(message.text).toContain('Ada Lovelace <ada@buyer.example>');
      expect(message.text).toContain(attached);
    },
  );

  it('when an agent on the local calendar gets a booking, then it carries a REQUEST invitation with the meeting UID and revision', () => {
    const item = bookedNotice(meeting({ meetingUrl: 'https://meet.example/x' }), T0);
    const message = composeNotification(payloadOf(item), { timeZone: 'UTC', locale: 'en' });

    expect(item.dedupeKey).toBe('notify:agent-booked:m-1#2');
    expect(message.invitation).toMatchObject({ method: 'REQUEST', sequence: 2 });
    const ics = message.invitation!.content;
    expect(ics).toContain('METHOD:REQUEST\r\n');
    expect(ics).toContain('UID:m-1@marketo-chat\r\n');
    expect(ics).toContain('SEQUENCE:2\r\n');
    expect(ics).toContain('DTSTART:20261125T080000Z\r\n');
    expect(ics).toContain('DTEND:20261125T083000Z\r\n');
    expect(ics).toContain('STATUS:CONFIRMED\r\n');
    expect(ics).toContain('ORGANIZER;CN="Ana Silva":mailto:ana@seller.example\r\n');
    expect(ics).toContain('URL:https://meet.example/x\r\n');
    expect(message.text).toContain('Video link: https://meet.example/x');
  });

  it('when the agent is on Google or Outlook, then the email carries no invitation (their calendar has the event)', () => {
    for (const provider of ['google', 'microsoft'] as const) {
      const message = composeNotification(payloadOf(bookedNotice(meeting({ provider }), T0)), {
        timeZone: 'UTC',
        locale: 'en',
      });
      expect(message.invitation).toBeUndefined();
      expect(message.text).not.toContain('invitation');
    }
  });

  it('when the meeting moves and then is cancelled, then the same UID comes with a growing SEQUENCE, REQUEST then CANCEL, and the move names where it was', () => {
    const booked = meeting();
    const moved = meeting({
      status: 'rescheduled',
      start: START + 120 * MINUTE,
      end: START + 150 * MINUTE,
      history: [...booked.history, { status: 'rescheduled', at: T0 + 1, by: 'visitor' }],
    });
    const cancelled = meeting({
      ...moved,
      status: 'cancelled',
      history: [...moved.history, { status: 'cancelled', at: T0 + 2, by: 'visitor' }],
    });
    const first = composeNotification(payloadOf(bookedNotice(booked, T0)), {
      timeZone: 'Europe/Berlin',
      locale: 'en-GB',
    });
    const second = composeNotification(payloadOf(rescheduledNotice(moved, booked, T0 + 1)), {
      timeZone: 'Europe/Berlin',
      locale: 'en-GB',
    });
    const third = composeNotification(payloadOf(cancelledNotice(cancelled, T0 + 2)), {
      timeZone: 'Europe/Berlin',
      locale: 'en-GB',
    });

    expect(
      [first, second, third].map((m) => [m.invitation?.method, m.invitation?.sequence]),
    ).toEqual([
      ['REQUEST', 2],
      ['REQUEST', 3],
      ['CANCEL', 4],
    ]);
    for (const m of [first, second, third]) {
      expect(m.invitation!.content).toContain('UID:m-1@marketo-chat\r\n');
    }
    expect(third.invitation!.content).toContain('METHOD:CANCEL\r\n');
    expect(third.invitation!.content).toContain('STATUS:CANCELLED\r\n');
    expect(plain(second.subject)).toBe('Meeting moved: Ada Lovelace, Wed 25 Nov, 11:00');
    expect(plain(second.text)).toMatch(
      /^When: Wednesday,? 25 November 2026,? 11:00 ?– ?11:30 CET/m,
    );
    expect(plain(second.text)).toMatch(
      /^Previously: Wednesday,? 25 November 2026,? 09:00 ?– ?09:30 CET/m,
    );
    expect(plain(third.subject)).toBe('Meeting cancelled: Ada Lovelace, Wed 25 Nov, 11:00');
    expect(third.text).toContain('The attached cancellation removes it from your calendar.');
  });

  it('when a reschedule gives the meeting to another agent, then the old agent gets a cancellation and the new one a booking, each saying why', () => {
    const before = meeting();
    const after = meeting({
      status: 'rescheduled',
      agentId: 'agent-ben',
      agentName: 'Ben Okafor',
      agentEmail: 'ben@seller.example',
      provider: 'google',
      start: START + 120 * MINUTE,
      end: START + 150 * MINUTE,
      history: [...before.history, { status: 'rescheduled', at: T0 + 1, by: 'visitor' }],
    });
    const [toOld, toNew] = reassignedNotices(before, after, T0 + 1).map(payloadOf);
    const old = composeNotification(toOld!, { timeZone: 'UTC', locale: 'en' });
    const fresh = composeNotification(toNew!, { timeZone: 'UTC', locale: 'en' });

    expect(old.to.address).toBe('ana@seller.example');
    expect(old.text).toContain('The meeting with Ada Lovelace <ada@buyer.example> was cancelled.');
    expect(old.text).toContain('It was reassigned to Ben Okafor.');
    // Ana is on the local calendar: her copy is removed at the new revision, at the old time.
    expect(old.invitation).toMatchObject({ method: 'CANCEL', sequence: 3 });
    expect(old.invitation!.content).toContain('DTSTART:20261125T080000Z\r\n');
    expect(fresh.to.address).toBe('ben@seller.example');
    expect(fresh.text).toContain('The meeting was reassigned to you from Ana Silva.');
    // Ben is on Google: the event is in his calendar already.
    expect(fresh.invitation).toBeUndefined();
  });
});

describe('the visitor reminder', () => {
  const links = {
    manageUrl: 'https://chat.example.com/chat/meetings/manage/tok',
    icsUrl: 'https://chat.example.com/chat/meetings/manage/tok/invite.ics',
  };

  it('when the visitor booked in French from Toronto, then the reminder is in French, in their zone, with their links and no invitation', () => {
    const payload = payloadOf(
      reminderItem(
        meeting({
          meetingUrl: 'https://meet.example/x',
          visitor: {
            email: 'ada@buyer.example',
            name: 'Ada',
            timeZone: 'America/Toronto',
            locale: 'fr-CA',
          },
        }),
        T0,
      ),
    );
    const message = composeNotification(payload, {
      timeZone: payload.recipient.timeZone,
      locale: payload.recipient.locale,
      links,
    });

    expect(message.to).toEqual({ address: 'ada@buyer.example', name: 'Ada' });
    expect(plain(message.subject)).toMatch(
      /^Rappel : votre rendez-vous avec Ana Silva, mer\. 25 nov\.,? 3 h 00$/,
    );
    expect(message.text).toMatch(
      /^Bonjour Ada,\n\nNous vous rappelons votre rendez-vous avec Ana Silva\.\n/,
    );
    expect(plain(message.text)).toMatch(
      /^Quand : mercredi 25 novembre 2026,? 3 h 00 ?– ?3 h 30 HNE \(America\/Toronto\)$/m,
    );
    expect(message.text).toContain('Lien de la visio : https://meet.example/x');
    expect(message.text).toContain(`Le déplacer ou l'annuler : ${links.manageUrl}`);
    expect(message.text).toContain(`L'ajouter à votre agenda : ${links.icsUrl}`);
    expect(message.text).not.toContain('ada@buyer.example');
    expect(message.invitation).toBeUndefined();
  });

  it.each([
    ['es-ES', /^Recordatorio: su reunión con Ana Silva, /],
    ['nl', /^Herinnering: uw afspraak met Ana Silva, /],
    ['de-AT', /^Erinnerung: Ihr Termin mit Ana Silva, /],
    ['ja-JP', /^リマインダー: Ana Silvaとのミーティング、/],
    ['pt-BR', /^Reminder: your meeting with Ana Silva, Wed, Nov 25, 8:00 AM$/],
    ['not a locale!', /^Reminder: your meeting with Ana Silva, /],
    [undefined, /^Reminder: your meeting with Ana Silva, /],
  ])(
    'when the visitor’s locale is %s, then the reminder is written in it or in English',
    (locale, subject) => {
      const payload = payloadOf(reminderItem(meeting(), T0));
      const message = composeNotification(payload, { timeZone: 'UTC', locale, links });
      expect(plain(message.subject)).toMatch(subject);
    },
  );

  it('when the meeting moves, then its reminder has a new id (one per start)', () => {
    const first = reminderItem(meeting(), T0);
    const moved = reminderItem(meeting({ start: START + 60 * MINUTE }), T0);
    expect(first.dedupeKey).toBe(`notify:visitor-reminder:m-1@${START}`);
    expect(moved.dedupeKey).toBe(`notify:visitor-reminder:m-1@${START + 60 * MINUTE}`);
  });
});
