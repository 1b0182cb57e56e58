import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { createManageLinks } from '../../src/meetings/manage-links.js';
import { createMailTransport } from '../../src/notifications/mail-transport.js';
import { runMeetingReminders } from '../../src/notifications/meeting-reminders.js';
import { createNotificationHandlers } from '../../src/notifications/notification-handler.js';
import { NOTIFICATION_KIND } from '../../src/notifications/notification-items.js';
import { runOutboxOnce } from '../../src/outbox/run-outbox-once.js';
import type { Meeting } from '../../src/records/meeting-contract.js';
import type { Store } from '../../src/store/types.js';
import { firstFree, T0 } from '../helpers/store-decisions.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const LEAD = 60 * MINUTE;
/** Thursday 26 November 2026, 10:00 UTC: two days after T0. */
const START = T0 + 46 * HOUR;

describe.each(storeImplementations)('visitor reminders: $kind store', (impl) => {
  let data: StoreTestData;
  let store: Store;
  const clock = createManualClock(T0);
  const links = createManageLinks({
    secrets: [Buffer.alloc(32, 7)],
    publicBaseUrl: 'https://chat.example.com',
  });

  beforeEach(async () => {
    clock.set(T0);
    data = await impl.createData();
    store = await data.open();
  });

  afterEach(() => data.remove());

  /** A meeting held and booked at `bookedAt` (T0 by default), as the booking does. */
  async function booked(id: string, start = START, bookedAt = T0, agent = 1): Promise<Meeting> {
    const hold = await store.holdMeeting(
      firstFree(id, { start, agents: [agent], createdAt: bookedAt }),
    );
    if (hold.outcome !== 'held') throw new Error(`not held: ${hold.outcome}`);
    return store.updateMeeting(
      id,
      (current) => ({
        meeting: {
          ...current,
          status: 'booked',
          manageTokenHash: links.hash(links.token(id)),
          visitor: { ...current.visitor, name: 'Ada', timeZone: 'Europe/Paris', locale: 'fr' },
          history: [...current.history, { status: 'booked', at: bookedAt, by: 'system' }],
          updatedAt: bookedAt,
        },
      }),
      bookedAt,
    );
  }

  const change = (id: string, to: Partial<Meeting>, status: Meeting['status']) =>
    store.updateMeeting(
      id,
      (current) => ({
        meeting: {
          ...current,
          ...to,
          status,
          history: [...current.history, { status, at: clock.now(), by: 'visitor' }],
          updatedAt: clock.now(),
        },
      }),
      clock.now(),
    );

  const remind = () => runMeetingReminders({ store, clock }, { leadMs: LEAD });
  const reminders = () => store.listOutbox({ kind: NOTIFICATION_KIND });
  const transport = () =>
    createMailTransport({ from: 'Acme <sales@acme.example>', capture: true, store });
  const deliver = () =>
    runOutboxOnce(
      { store, clock, logger: silentLogger },
      createNotificationHandlers({ store, transport: transport(), links }),
    );

  it('when the reminder time comes, then one reminder is enqueued for the meeting’s start, and later runs add none', async () => {
    await booked('m-1');

    clock.set(START - LEAD - 1);
    expect(await remind()).toEqual({ due: 0, enqueued: 0, bookedLate: 0 });
    clock.set(START - LEAD);
    expect(await remind()).toEqual({ due: 1, enqueued: 1, bookedLate: 0 });
    clock.advance(MINUTE);
    expect(await remind()).toEqual({ due: 1, enqueued: 0, bookedLate: 0 });

    expect((await reminders()).map((item) => item.dedupeKey)).toEqual([
      `notify:visitor-reminder:m-1@${START}`,
    ]);
    expect((await deliver()).done).toBe(1);
    const { notifications } = await store.listNotifications({ limit: 10 });
    expect(notifications).toHaveLength(1);
    expect(notifications[0]).toMatchObject({
      id: `notify:visitor-reminder:m-1@${START}`,
      notice: 'visitor-reminder',
      to: 'visitor-m-1@example.com',
      capturedAt: START - LEAD + MINUTE,
    });
    expect(notifications[0]!.subject).toMatch(/^Rappel : votre rendez-vous avec Agent 1, /);
    // Paris: 11:00 on 26 November.
    expect(notifications[0]!.text).toMatch(/jeudi 26 novembre 2026,? 11:00/);
    expect(notifications[0]!.text).toContain(
      `https://chat.example.com/chat/meetings/manage/${links.token('m-1')}`,
    );
  });

  it('when a meeting is moved after its reminder was enqueued, then the old one is dropped at delivery and the new start gets its own', async () => {
    await booked('m-1');
    clock.set(START - LEAD + MINUTE);
    await remind();
    await change(
      'm-1',
      { start: START + 2 * HOUR, end: START + 2 * HOUR + 30 * MINUTE },
      'rescheduled',
    );

    expect(await deliver()).toMatchObject({ claimed: 1, done: 1 });
    expect((await store.listNotifications({ limit: 10 })).notifications).toEqual([]);

    clock.set(START + 2 * HOUR - LEAD);
    expect(await remind()).toMatchObject({ enqueued: 1 });
    await deliver();
    const { notifications } = await store.listNotifications({ limit: 10 });
    expect(notifications.map((n) => n.id)).toEqual([
      `notify:visitor-reminder:m-1@${START + 2 * HOUR}`,
    ]);
  });

  it('when a meeting is cancelled, then it gets no reminder, and one enqueued before is dropped', async () => {
    await booked('m-1');
    await booked('m-2', START + 5 * MINUTE, T0, 2);
    clock.set(START - LEAD + 5 * MINUTE);
    await change('m-1', {}, 'cancelled');
    expect(await remind()).toMatchObject({ due: 1, enqueued: 1 });
    await change('m-2', {}, 'cancelled');

    await deliver();
    expect((await store.listNotifications({ limit: 10 })).notifications).toEqual([]);
    expect((await reminders()).map((item) => [item.dedupeKey, item.status])).toEqual([
      [`notify:visitor-reminder:m-2@${START + 5 * MINUTE}`, 'done'],
    ]);
  });

  it('when a meeting was booked within the reminder’s lead, then it gets none; meetings begun get none either', async () => {
    await booked('late', START, START - 30 * MINUTE);
    await booked('begun', START - 10 * MINUTE, T0, 2);
    clock.set(START - 5 * MINUTE);

    expect(await remind()).toEqual({ due: 0, enqueued: 0, bookedLate: 1 });
    expect(await reminders()).toEqual([]);
  });

  it('when reminders are off (lead 0), then nothing is read or enqueued', async () => {
    await booked('m-1');
    clock.set(START - 1);
    expect(await runMeetingReminders({ store, clock }, { leadMs: 0 })).toEqual({
      due: 0,
      enqueued: 0,
      bookedLate: 0,
    });
    expect(await reminders()).toEqual([]);
  });
});
