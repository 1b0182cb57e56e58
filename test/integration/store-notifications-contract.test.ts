import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CapturedNotification } from '../../src/records/notification.js';
import { MAX_NOTIFICATIONS_IN_DOCUMENT } from '../../src/store/notification-records.js';
import type { Store } from '../../src/store/types.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const DAY = 24 * 3_600_000;

function captured(overrides: Partial<CapturedNotification> = {}): CapturedNotification {
  const id = overrides.id ?? 'notify:agent-booked:m-1#1';
  return {
    id,
    notice: 'agent-booked',
    meetingId: 'm-1',
    to: 'ana@example.com',
    from: 'Marketo Chat <notifications@example.com>',
    subject: 'New meeting',
    text: 'Body',
    invitation: { method: 'REQUEST', sequence: 2 },
    messageId: `<${id}@marketo-chat>`,
    raw: 'From: x\r\n\r\nBody',
    capturedAt: T0,
    ...overrides,
  };
}

describe.each(storeImplementations)('captured notifications store contract: $kind', (impl) => {
  let data: StoreTestData;
  let store: Store;

  beforeEach(async () => {
    data = await impl.createData();
    store = await data.open();
  });

  afterEach(() => data.remove());

  it('when a message is captured, then it is listed as kept, and survives a restart', async () => {
    const message = captured({ to: 'Ana@Example.com' });
    expect(await store.saveNotification(message)).toBe(true);
    store = await data.reopen(store);

    const page = await store.listNotifications({ limit: 10 });
    expect(page).toEqual({ notifications: [{ ...message, to: 'ana@example.com' }] });
  });

  it('when the same id is captured again (a retried delivery), then the first is kept once', async () => {
    expect(await store.saveNotification(captured({ subject: 'first' }))).toBe(true);
    expect(await store.saveNotification(captured({ subject: 'second' }))).toBe(false);

    const { notifications } = await store.listNotifications({ limit: 10 });
    expect(notifications.map((n) => n.subject)).toEqual(['first']);
  });

  it('when listed with filters, then only matching messages come, newest first, paged by cursor', async () => {
    const made = [
      captured({ id: 'n-a', meetingId: 'm-1', to: 'ana@example.com', capturedAt: T0 }),
      captured({
        id: 'n-b',
        meetingId: 'm-1',
        to: 'visitor@example.org',
        notice: 'visitor-reminder',
        capturedAt: T0 + 1,
      }),
      captured({
        id: 'n-c',
        meetingId: 'm-2',
        to: 'ana@example.com',
        notice: 'agent-cancelled',
        capturedAt: T0 + 2,
      }),
      // Same instant as n-c: the id orders them (byte order, descending).
      captured({ id: 'n-d', meetingId: 'm-2', to: 'ben@example.com', capturedAt: T0 + 2 }),
    ];
    for (const n of made) await store.saveNotification(n);
    const ids = async (filter: Parameters<Store['listNotifications']>[0]) =>
      (await store.listNotifications(filter)).notifications.map((n) => n.id);

    expect(await ids({ limit: 10 })).toEqual(['n-d', 'n-c', 'n-b', 'n-a']);
    expect(await ids({ limit: 10, meetingId: 'm-1' })).toEqual(['n-b', 'n-a']);
    expect(await ids({ limit: 10, to: 'ANA@example.com' })).toEqual(['n-c', 'n-a']);
    expect(await ids({ limit: 10, notice: 'visitor-reminder' })).toEqual(['n-b']);
    expect(await ids({ limit: 10, meetingId: 'm-2', notice: 'agent-booked' })).toEqual(['n-d']);

    const first = await store.listNotifications({ limit: 3 });
    expect(first.notifications.map((n) => n.id)).toEqual(['n-d', 'n-c', 'n-b']);
    expect(first.next).toEqual(expect.any(String));
    const second = await store.listNotifications({ limit: 3, cursor: first.next! });
    expect(second).toEqual({ notifications: [made[0]] });
  });

  it('when a cursor was not made by the service, then the list is refused naming the cursor', async () => {
    await expect(store.listNotifications({ limit: 3, cursor: 'bogus' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'cursor',
    });
  });

  it('when pruned, then messages captured before the cut are forgotten and later ones stay', async () => {
    await store.saveNotification(captured({ id: 'old', capturedAt: T0 - 31 * DAY }));
    await store.saveNotification(captured({ id: 'new', capturedAt: T0 - DAY }));

    expect(await store.pruneNotifications(T0 - 30 * DAY)).toBe(1);
    expect(await store.pruneNotifications(T0 - 30 * DAY)).toBe(0);
    store = await data.reopen(store);
    const { notifications } = await store.listNotifications({ limit: 10 });
    expect(notifications.map((n) => n.id)).toEqual(['new']);
  });

  it('when a message is invalid, then it is refused and nothing is kept', async () => {
    const bad = { ...captured(), notice: 'spam' } as unknown as CapturedNotification;
    await expect(store.saveNotification(bad)).rejects.toMatchObject({
      code: 'STORE_INVALID_RECORD',
    });
    expect((await store.listNotifications({ limit: 10 })).notifications).toEqual([]);
  });
});

describe('captured notifications in the JSON document', () => {
  it('when more than the cap are captured, then the oldest go first', async () => {
    const data = await storeImplementations[0]!.createData();
    try {
      const store = await data.open();
      for (let i = 0; i <= MAX_NOTIFICATIONS_IN_DOCUMENT; i += 1) {
        await store.saveNotification(captured({ id: `n-${i}`, capturedAt: T0 + i }));
      }
      const { notifications } = await store.listNotifications({ limit: 10_000 });
      expect(notifications).toHaveLength(MAX_NOTIFICATIONS_IN_DOCUMENT);
      expect(notifications[0]?.id).toBe(`n-${MAX_NOTIFICATIONS_IN_DOCUMENT}`);
      expect(notifications.at(-1)?.id).toBe('n-1');
    } finally {
      await data.remove();
    }
  });
});
