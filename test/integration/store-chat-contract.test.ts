import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatConfiguration } from '../../src/records/chat-configuration.js';
import type { Dialogue, DialogueContent } from '../../src/records/chat-dialogue.js';
import type { ChatEvent } from '../../src/records/chat-event.js';
import { createDefaultConfiguration } from '../../src/chat/default-configuration.js';
import { createJsonFileStore } from '../../src/store/index.js';
import { EVENT_DEDUPE_WINDOW_MS, MAX_HELD_PER_CONVERSATION } from '../../src/store/chat-records.js';
import { initialSyncState, type NewOutboxItem, type Store } from '../../src/store/types.js';
import {
  createStoreFile,
  storeImplementations,
  type StoreTestData,
} from '../helpers/store-implementations.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function content(name = 'Welcome', text = 'Hello {{lead.firstName:"there"}}'): DialogueContent {
  return {
    name,
    audience: { visitors: 'all', match: 'all', groups: [] },
    pages: { include: ['https://example.com/*'], exclude: [] },
    priority: 10,
    start: 'hi',
    cards: [{ id: 'hi', type: 'message', text, next: null }],
  };
}

function dialogue(id = 'd1', overrides: Partial<Dialogue> = {}): Dialogue {
  return {
    id,
    enabled: true,
    draft: content(),
    published: null,
    createdAt: iso(T0),
    updatedAt: iso(T0),
    ...overrides,
  };
}

function publishedAs(d: Dialogue, version: number, body = d.draft, at = T0 + version): Dialogue {
  return { ...d, published: { version, content: body, publishedAt: iso(at) } };
}

function event(overrides: Partial<ChatEvent> = {}): ChatEvent {
  return {
    type: 'email-given',
    dialogueId: 'd1',
    dialogueVersion: 1,
    conversationId: 'conv-0001',
    eventId: 'event-0001',
    pageUrl: 'https://example.com/pricing',
    visitor: { anonymousId: 'anon-0001', mktoTrk: 'id:123-ABC-456&token:_mch-example.com-1' },
    value: 'anna@example.com',
    ...overrides,
  };
}

const activity = (key: string): NewOutboxItem => ({
  kind: 'marketo-activity',
  dedupeKey: key,
  payload: { activity: 'email-given', key },
});

describe.each(storeImplementations)('chat store contract: $kind', (impl) => {
  let data: StoreTestData;
  let store: Store;

  beforeEach(async () => {
    data = await impl.createData();
    store = await data.open();
  });

  afterEach(() => data.remove());

  const reopen = async () => {
    store = await data.reopen(store);
  };

  describe('configuration and revision', () => {
    it('when nothing is saved, then there is no configuration and the revision is 0', async () => {
      expect(await store.getChatConfiguration()).toBeUndefined();
      expect(await store.chatRevision()).toBe(0);
    });

    it('when a configuration is saved, then it is returned, survives a restart, and the revision moves once', async () => {
      const configuration: ChatConfiguration = {
        ...createDefaultConfiguration(),
        allowedDomains: ['Example.COM'],
      };
      await store.saveChatConfiguration(configuration);
      await store.saveChatConfiguration(configuration);
      await reopen();

      expect(await store.getChatConfiguration()).toEqual({
        ...configuration,
        allowedDomains: ['example.com'],
      });
      expect(await store.chatRevision()).toBe(1);
    });

    it('when an invalid configuration is saved, then it is refused and nothing changes', async () => {
      const bad = {
        ...createDefaultConfiguration(),
        bot: { name: '' },
      } as unknown as ChatConfiguration;
      await expect(store.saveChatConfiguration(bad)).rejects.toMatchObject({
        code: 'STORE_INVALID_RECORD',
      });
      expect(await store.getChatConfiguration()).toBeUndefined();
      expect(await store.chatRevision()).toBe(0);
    });

    it('when the configuration, a publish, a switch and a delete happen, then the revision moves for each; a draft does not move it', async () => {
      const revisions: number[] = [];
      const step = async (action: () => Promise<unknown>) => {
        await action();
        revisions.push(await store.chatRevision());
      };
      await step(() => store.saveChatConfiguration(createDefaultConfiguration()));
      await step(() => store.saveDialogue(dialogue()));
      await step(() => store.saveDialogue(dialogue('d1', { draft: content('Edited') })));
      await step(() => store.saveDialogue(publishedAs(dialogue(), 1)));
      await step(() => store.saveDialogue({ ...publishedAs(dialogue(), 1), enabled: false }));
      await step(() => store.saveDialogue(dialogue('d2')));
      await step(() => store.deleteDialogue('d2'));
      await step(() => store.deleteDialogue('d1'));
      await reopen();

      expect(revisions).toEqual([1, 1, 1, 2, 3, 3, 3, 4]);
      expect(await store.chatRevision()).toBe(4);
    });
  });

  describe('dialogues', () => {
    it('when dialogues are saved, then they are listed in creation order, found by id, and survive a restart', async () => {
      await store.saveDialogue(dialogue('d1'));
      await store.saveDialogue(publishedAs(dialogue('d2'), 1));
      await store.saveDialogue(dialogue('d1', { draft: content('Renamed') }));
      await reopen();

      expect((await store.listDialogues()).map((d) => [d.id, d.draft.name])).toEqual([
        ['d1', 'Renamed'],
        ['d2', 'Welcome'],
      ]);
      expect(await store.getDialogue('d2')).toEqual(publishedAs(dialogue('d2'), 1));
      expect(await store.getDialogue('nope')).toBeUndefined();
    });

    it('when a dialogue is read, then it is frozen: a change in place cannot reach the store', async () => {
      await store.saveDialogue(publishedAs(dialogue(), 1));
      const read = (await store.getDialogue('d1'))!;

      expect(() => {
        read.enabled = false;
      }).toThrow(TypeError);
      expect(() => {
        read.published!.content.cards.push(read.draft.cards[0]!);
      }).toThrow(TypeError);
    });

    it('when the caller changes the object it saved, then the stored dialogue does not change', async () => {
      const mine = dialogue();
      await store.saveDialogue(mine);
      mine.draft.name = 'Changed afterwards';

      expect((await store.getDialogue('d1'))!.draft.name).toBe('Welcome');
    });

    it('when a dialogue is invalid, then it is refused and nothing is saved', async () => {
      const bad = dialogue('d1', { draft: { ...content(), cards: [] } });
      await expect(store.saveDialogue(bad)).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });
      expect(await store.listDialogues()).toEqual([]);
    });

    it.each<[string, (stored: Dialogue) => Dialogue]>([
      ['an older version', (d) => publishedAs(d, 1)],
      ['the same version with other content', (d) => publishedAs(d, 2, content('Other'), T0 + 2)],
      ['the same version published at another time', (d) => publishedAs(d, 2, d.draft, T0 + 99)],
      ['no published version', (d) => ({ ...d, published: null })],
    ])(
      'when a save brings %s, then it is refused with 409 and the published version stays',
      async (_label, change) => {
        const stored = publishedAs(dialogue(), 2);
        await store.saveDialogue(stored);

        await expect(store.saveDialogue(change(stored))).rejects.toMatchObject({
          code: 'DIALOGUE_VERSION_CONFLICT',
          httpStatus: 409,
        });
        expect(await store.getDialogue('d1')).toEqual(stored);
      },
    );

    it('when a dialogue is deleted, then it and its counters are gone; deleting again returns false', async () => {
      await store.saveDialogue(publishedAs(dialogue(), 1));
      await store.recordChatEvent({ event: event(), now: T0, counters: { triggered: 1 } });

      expect(await store.deleteDialogue('d1')).toBe(true);
      expect(await store.deleteDialogue('d1')).toBe(false);
      await reopen();
      expect(await store.getDialogue('d1')).toBeUndefined();
      expect(await store.dialogueStats('d1')).toEqual({
        triggered: 0,
        engaged: 0,
        completed: 0,
        peopleAcquired: 0,
        meetingsBooked: 0,
        goalsReached: 0,
      });
    });
  });

  describe('chat events', () => {
    beforeEach(async () => {
      await store.saveDialogue(publishedAs(dialogue(), 1));
    });

    it('when an event is recorded, then counters, visitor links and outbox items are all stored, and survive a restart', async () => {
      const recorded = await store.recordChatEvent({
        event: event(),
        now: T0,
        counters: { peopleAcquired: 1, engaged: 1 },
        visitorEmail: ' Anna@Example.com ',
        outbox: [activity('chat:event-0001')],
      });
      await reopen();

      expect(recorded).toBe(true);
      expect(await store.dialogueStats('d1')).toEqual({
        triggered: 0,
        engaged: 1,
        completed: 0,
        peopleAcquired: 1,
        meetingsBooked: 0,
        goalsReached: 0,
      });
      expect(await store.findVisitorEmail({ anonymousId: 'anon-0001' })).toBe('anna@example.com');
      expect(await store.findVisitorEmail({ mktoTrk: event().visitor.mktoTrk })).toBe(
        'anna@example.com',
      );
      expect(await store.findVisitorEmail({ anonymousId: 'anon-other' })).toBeUndefined();
      expect(await store.findVisitorEmail({})).toBeUndefined();
      expect(await store.findOutboxItem('chat:event-0001')).toMatchObject({
        kind: 'marketo-activity',
        status: 'pending',
        createdAt: T0,
      });
    });

    it('when the same event is retried, even after a restart, then it is a no-op returning false', async () => {
      const args = {
        event: event(),
        now: T0,
        counters: { triggered: 1 },
        outbox: [activity('chat:event-0001')],
      };
      expect(await store.recordChatEvent(args)).toBe(true);
      await reopen();
      expect(
        await store.recordChatEvent({ ...args, now: T0 + 1000, outbox: [activity('x')] }),
      ).toBe(false);

      expect((await store.dialogueStats('d1')).triggered).toBe(1);
      expect((await store.listOutbox()).map((item) => item.dedupeKey)).toEqual(['chat:event-0001']);
    });

    it('when the same event id comes in another conversation, then it is another event', async () => {
      await store.recordChatEvent({ event: event(), now: T0, counters: { triggered: 1 } });
      await store.recordChatEvent({
        event: event({ conversationId: 'conv-0002' }),
        now: T0,
        counters: { triggered: 1 },
      });

      expect((await store.dialogueStats('d1')).triggered).toBe(2);
    });

    it('when a visitor gives another email later, then the newest link wins; the anonymous id is asked first', async () => {
      await store.recordChatEvent({
        event: event(),
        now: T0,
        counters: {},
        visitorEmail: 'old@example.com',
      });
      await store.recordChatEvent({
        event: event({ eventId: 'event-0002', visitor: { anonymousId: 'anon-0001' } }),
        now: T0 + 1,
        counters: {},
        visitorEmail: 'new@example.com',
      });

      expect(
        await store.findVisitorEmail({
          anonymousId: 'anon-0001',
          mktoTrk: event().visitor.mktoTrk,
        }),
      ).toBe('new@example.com');
      expect(await store.findVisitorEmail({ mktoTrk: event().visitor.mktoTrk })).toBe(
        'old@example.com',
      );
    });

    it('when an outbox item is invalid, then nothing of the event is recorded and a retry can still record it', async () => {
      const bad = {
        kind: 'marketo-activity',
        dedupeKey: 'k',
        payload: { n: 10n },
      } as NewOutboxItem;
      await expect(
        store.recordChatEvent({
          event: event(),
          now: T0,
          counters: { triggered: 1 },
          visitorEmail: 'a@b.co',
          outbox: [bad],
        }),
      ).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });

      expect((await store.dialogueStats('d1')).triggered).toBe(0);
      expect(await store.findVisitorEmail({ anonymousId: 'anon-0001' })).toBeUndefined();
      expect(await store.listOutbox()).toEqual([]);
      expect(
        await store.recordChatEvent({ event: event(), now: T0, counters: { triggered: 1 } }),
      ).toBe(true);
    });

    it.each<[string, Partial<Parameters<Store['recordChatEvent']>[0]>]>([
      ['a negative counter', { counters: { triggered: -1 } }],
      ['a fractional counter', { counters: { engaged: 0.5 } }],
      ['an invalid email', { visitorEmail: 'not-an-email' }],
      ['an invalid event', { event: { ...event(), eventId: 'bad id!' } }],
    ])(
      'when the arguments hold %s, then they are refused and nothing is recorded',
      async (_label, change) => {
        await expect(
          store.recordChatEvent({ event: event(), now: T0, counters: { triggered: 1 }, ...change }),
        ).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });
        expect((await store.dialogueStats('d1')).triggered).toBe(0);
      },
    );

    it('when an event is for a dialogue that no longer exists, then it is recorded without counters', async () => {
      const recorded = await store.recordChatEvent({
        event: event({ dialogueId: 'gone' }),
        now: T0,
        counters: { triggered: 1 },
        outbox: [activity('chat:gone')],
      });

      expect(recorded).toBe(true);
      expect((await store.dialogueStats('gone')).triggered).toBe(0);
      expect(await store.findOutboxItem('chat:gone')).toBeDefined();
    });

    it('when an event id is older than the dedupe window, then it is forgotten (the set stays bounded)', async () => {
      await store.recordChatEvent({ event: event(), now: T0, counters: { triggered: 1 } });
      await store.recordChatEvent({
        event: event({ eventId: 'event-0002' }),
        now: T0 + EVENT_DEDUPE_WINDOW_MS + 1,
        counters: { triggered: 1 },
      });

      expect(
        await store.recordChatEvent({
          event: event(),
          now: T0 + EVENT_DEDUPE_WINDOW_MS + 2,
          counters: { triggered: 1 },
        }),
      ).toBe(true);
      expect((await store.dialogueStats('d1')).triggered).toBe(3);
    });

    it('when events were held for a conversation and a later one releases them, then they are enqueued in that write, once, and survive a restart', async () => {
      const held = (eventId: string) => ({ eventId, what: 'triggered' });
      const e = (eventId: string) => event({ type: 'triggered', eventId, value: undefined });
      await store.recordChatEvent({
        event: e('event-0001'),
        now: T0,
        counters: {},
        hold: held('a'),
      });
      await store.recordChatEvent({
        event: e('event-0002'),
        now: T0,
        counters: {},
        hold: held('b'),
      });
      // A repeat holds nothing more; another conversation's hold is its own.
      await store.recordChatEvent({
        event: e('event-0002'),
        now: T0,
        counters: {},
        hold: held('x'),
      });
      await store.recordChatEvent({
        event: event({ conversationId: 'conv-0002', eventId: 'event-0009' }),
        now: T0,
        counters: {},
        hold: held('other'),
      });
      await reopen();
      expect(await store.listOutbox()).toEqual([]);

      const release = (values: readonly unknown[]) =>
        values.map((v) => activity(`released:${(v as { eventId: string }).eventId}`));
      await store.recordChatEvent({
        event: event({ eventId: 'event-0003' }),
        now: T0 + 1,
        counters: {},
        outbox: [activity('given')],
        release,
      });
      await reopen();
      expect((await store.listOutbox()).map((item) => item.dedupeKey).sort()).toEqual([
        'given',
        'released:a',
        'released:b',
      ]);
      // Released once: a later release of the same conversation finds nothing held.
      await store.recordChatEvent({
        event: event({ eventId: 'event-0004' }),
        now: T0 + 2,
        counters: {},
        release,
      });
      expect(await store.listOutbox()).toHaveLength(3);
    });

    it('when a release or its items are invalid, then nothing is recorded and the held values stay', async () => {
      const e = event({ type: 'triggered', value: undefined });
      await store.recordChatEvent({ event: e, now: T0, counters: {}, hold: { eventId: 'a' } });
      const bad = { kind: 'k', dedupeKey: 'k', payload: { n: 10n } } as NewOutboxItem;
      await expect(
        store.recordChatEvent({
          event: event({ eventId: 'event-0002' }),
          now: T0,
          counters: { engaged: 1 },
          release: () => [bad],
        }),
      ).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });
      await expect(
        store.recordChatEvent({
          event: event({ eventId: 'event-0003' }),
          now: T0,
          counters: {},
          hold: { n: 10n },
        }),
      ).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });
      expect((await store.dialogueStats('d1')).engaged).toBe(0);
      await store.recordChatEvent({
        event: event({ eventId: 'event-0002' }),
        now: T0,
        counters: {},
        release: (values) => values.map(() => activity('released')),
      });
      expect(await store.findOutboxItem('released')).toBeDefined();
    });

    it('when held values are older than the dedupe window or past the caps, then they are forgotten', async () => {
      const hold = (conversationId: string, eventId: string, now: number) =>
        store.recordChatEvent({
          event: event({ type: 'triggered', conversationId, eventId, value: undefined }),
          now,
          counters: {},
          hold: { eventId },
        });
      await hold('conv-old-001', 'event-0001', T0);
      for (let i = 0; i < MAX_HELD_PER_CONVERSATION + 5; i += 1) {
        await hold(
          'conv-busy-01',
          `event-b${String(i).padStart(4, '0')}`,
          T0 + EVENT_DEDUPE_WINDOW_MS,
        );
      }
      await hold('conv-new-001', 'event-0002', T0 + EVENT_DEDUPE_WINDOW_MS + 1);
      const released: Record<string, number> = {};
      for (const conversationId of ['conv-old-001', 'conv-busy-01', 'conv-new-001']) {
        await store.recordChatEvent({
          event: event({ conversationId, eventId: 'event-9999' }),
          now: T0 + EVENT_DEDUPE_WINDOW_MS + 2,
          counters: {},
          release: (values) => {
            released[conversationId] = values.length;
            return [];
          },
        });
      }
      expect(released).toEqual({ 'conv-busy-01': MAX_HELD_PER_CONVERSATION, 'conv-new-001': 1 });
    });

    it('when events are recorded concurrently, then every counter lands', async () => {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.recordChatEvent({
            event: event({ eventId: `event-${String(i).padStart(4, '0')}` }),
            now: T0 + i,
            counters: { engaged: 1, goalsReached: 2 },
          }),
        ),
      );
      await reopen();

      expect(await store.dialogueStats('d1')).toMatchObject({ engaged: 50, goalsReached: 100 });
    });
  });
});

describe('chat store: files written before the chat existed', () => {
  it('when such a file is opened, then it opens with no configuration, no dialogues and revision 0', async () => {
    const storeFile = await createStoreFile();
    const before = { version: 1, leads: {}, deletedLeadIds: [], sync: initialSyncState() };
    await writeFile(storeFile.file, JSON.stringify(before));
    const store = await createJsonFileStore({ file: storeFile.file });
    try {
      expect(await store.getChatConfiguration()).toBeUndefined();
      expect(await store.listDialogues()).toEqual([]);
      expect(await store.chatRevision()).toBe(0);
      await store.saveDialogue(dialogue());
      expect(await store.getDialogue('d1')).toBeDefined();
    } finally {
      await store.close();
      await storeFile.remove();
    }
  });
});
