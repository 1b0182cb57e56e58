import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dialogue, DialogueContent } from '../../src/records/chat-dialogue.js';
import type { ChatEvent } from '../../src/records/chat-event.js';
import { MAX_LOG_ENTRIES_PER_CONVERSATION } from '../../src/records/conversation-log.js';
import type { Store } from '../../src/store/types.js';
import { firstFree, T0 as MEETINGS_T0 } from '../helpers/store-decisions.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

function content(text = 'Hello'): DialogueContent {
  return {
    name: 'Welcome',
    audience: { visitors: 'all', match: 'all', groups: [] },
    pages: { include: ['https://example.com/*'], exclude: [] },
    priority: 10,
    start: 'hi',
    cards: [{ id: 'hi', type: 'message', text, next: null }],
  };
}

function published(id: string, version: number, text: string): Dialogue {
  return {
    id,
    enabled: true,
    draft: content(text),
    published: { version, content: content(text), publishedAt: iso(T0 + version) },
    createdAt: iso(T0),
    updatedAt: iso(T0),
  };
}

let seq = 0;
function event(overrides: Partial<ChatEvent> = {}): ChatEvent {
  seq += 1;
  return {
    type: 'triggered',
    dialogueId: 'd1',
    dialogueVersion: 1,
    conversationId: 'conv-0001',
    eventId: `event-${String(seq).padStart(6, '0')}`,
    pageUrl: 'https://example.com/pricing',
    visitor: { anonymousId: 'anon-0001' },
    ...overrides,
  };
}

describe.each(storeImplementations)('conversation log store contract: $kind', (impl) => {
  let data: StoreTestData;
  let store: Store;

  beforeEach(async () => {
    data = await impl.createData();
    store = await data.open();
    await store.saveDialogue(published('d1', 1, 'Hello v1'));
    await store.saveDialogue(published('d2', 1, 'Other'));
  });

  afterEach(() => data.remove());

  const record = (e: ChatEvent, now: number, visitorEmail?: string) =>
    store.recordChatEvent({
      event: e,
      now,
      counters: {},
      ...(visitorEmail === undefined ? {} : { visitorEmail }),
    });

  it('when events are recorded, then the conversation log holds them in order with the summary, and survives a restart', async () => {
    await record(event({ type: 'triggered', language: 'fr' }), T0);
    await record(event({ type: 'engaged', cardsSeen: ['hi'] }), T0 + 1_000);
    await record(
      event({ type: 'answered', cardId: 'phone', answers: { phone: '+33 1 23 45 67 89' } }),
      T0 + 2_000,
    );
    await record(
      event({ type: 'email-given', value: 'anna@example.com' }),
      T0 + 3_000,
      'Anna@Example.com',
    );
    store = await data.reopen(store);

    const log = await store.getConversation('conv-0001');
    expect(log?.summary).toEqual({
      conversationId: 'conv-0001',
      dialogueId: 'd1',
      dialogueVersion: 1,
      anonymousId: 'anon-0001',
      email: 'anna@example.com',
      startedAt: T0,
      lastEventAt: T0 + 3_000,
      types: ['triggered', 'engaged', 'answered', 'email-given'],
      entries: 4,
    });
    expect(log?.entries.map((e) => [e.type, e.at])).toEqual([
      ['triggered', T0],
      ['engaged', T0 + 1_000],
      ['answered', T0 + 2_000],
      ['email-given', T0 + 3_000],
    ]);
    expect(log?.entries[0]).toMatchObject({ language: 'fr', dialogueVersion: 1 });
    expect(log?.entries[1]).toMatchObject({ cardsSeen: ['hi'] });
    expect(log?.entries[2]).toMatchObject({
      cardId: 'phone',
      answers: { phone: '+33 1 23 45 67 89' },
    });
    expect(await store.getConversation('nope-0001')).toBeUndefined();
  });

  it('when the same event is recorded twice, then it is logged once', async () => {
    const once = event({ type: 'engaged' });
    expect(await record(once, T0)).toBe(true);
    expect(await record(once, T0 + 5)).toBe(false);

    expect((await store.getConversation('conv-0001'))?.entries).toHaveLength(1);
  });

  it('when a conversation passes the entry cap, then later events are not logged but the conversation goes on', async () => {
    for (let i = 0; i < MAX_LOG_ENTRIES_PER_CONVERSATION + 2; i += 1) {
      await record(event({ type: 'answered', cardId: 'c' }), T0 + i);
    }
    const log = (await store.getConversation('conv-0001'))!;
    expect(log.entries).toHaveLength(MAX_LOG_ENTRIES_PER_CONVERSATION);
    expect(log.summary.entries).toBe(MAX_LOG_ENTRIES_PER_CONVERSATION);
    expect(log.summary.lastEventAt).toBe(T0 + MAX_LOG_ENTRIES_PER_CONVERSATION + 1);
  }, 60_000);

  it('when conversations are listed, then newest started come first, filtered by dialogue and start, paged by cursor', async () => {
    const ids = ['conv-a001', 'conv-b001', 'conv-c001', 'conv-d001'];
    for (const [i, id] of ids.entries()) {
      await record(event({ conversationId: id, dialogueId: i === 3 ? 'd2' : 'd1' }), T0 + i * HOUR);
    }

    const first = await store.listConversations({ limit: 2 });
    expect(first.conversations.map((c) => c.conversationId)).toEqual(['conv-d001', 'conv-c001']);
    const second = await store.listConversations({ limit: 2, cursor: first.next! });
    expect(second.conversations.map((c) => c.conversationId)).toEqual(['conv-b001', 'conv-a001']);
    expect(second.next).toBeUndefined();

    const d1 = await store.listConversations({
      limit: 10,
      dialogueId: 'd1',
      from: T0 + HOUR,
      to: T0 + 3 * HOUR,
    });
    expect(d1.conversations.map((c) => c.conversationId)).toEqual(['conv-c001', 'conv-b001']);
  });

  it('when a dialogue is published again, then each published version keeps its own content, also after the dialogue is deleted', async () => {
    await store.saveDialogue(published('d1', 2, 'Hello v2'));
    await store.deleteDialogue('d1');
    store = await data.reopen(store);

    expect((await store.getDialogueVersion('d1', 1))?.cards[0]).toMatchObject({ text: 'Hello v1' });
    expect((await store.getDialogueVersion('d1', 2))?.cards[0]).toMatchObject({ text: 'Hello v2' });
    expect(await store.getDialogueVersion('d1', 3)).toBeUndefined();
  });

  it('when the dialogue report is read, then events are counted per dialogue, type and day in the time zone, within the range', async () => {
    // 2026-11-24 23:30 UTC is 2026-11-25 in Berlin (UTC+1).
    const late = Date.UTC(2026, 10, 24, 23, 30);
    await record(event({ conversationId: 'conv-x001', type: 'triggered' }), late - 2 * HOUR);
    await record(event({ conversationId: 'conv-x001', type: 'engaged' }), late);
    await record(event({ conversationId: 'conv-x001', type: 'email-given' }), late + 60_000);
    await record(event({ conversationId: 'conv-x001', type: 'meeting-booked' }), late + 120_000);
    await record(event({ conversationId: 'conv-y001', dialogueId: 'd2', type: 'triggered' }), late);
    await record(event({ conversationId: 'conv-z001', type: 'triggered' }), late + 2 * DAY);

    const report = await store.dialogueReport({
      from: Date.UTC(2026, 10, 23, 23),
      to: Date.UTC(2026, 10, 25, 23),
      timeZone: 'Europe/Berlin',
    });
    const sorted = [...report.days].sort((a, b) =>
      `${a.dialogueId}${a.day}${a.type}` < `${b.dialogueId}${b.day}${b.type}` ? -1 : 1,
    );
    expect(sorted).toEqual([
      { dialogueId: 'd1', day: '2026-11-24', type: 'triggered', count: 1 },
      { dialogueId: 'd1', day: '2026-11-25', type: 'email-given', count: 1 },
      { dialogueId: 'd1', day: '2026-11-25', type: 'engaged', count: 1 },
      { dialogueId: 'd1', day: '2026-11-25', type: 'meeting-booked', count: 1 },
      { dialogueId: 'd2', day: '2026-11-25', type: 'triggered', count: 1 },
    ]);
    expect(report.converted).toEqual({ d1: 1 });
  });

  it('when the agent report is read, then meetings created in the range count as booked and those starting in it by status', async () => {
    for (const n of [1, 2]) {
      await store.saveAgent({
        id: `a${n}`,
        name: `Agent ${n}`,
        email: `agent${n}@example.com`,
        timeZone: 'UTC',
        availability: [],
        meetingMinutes: 30,
        bufferAfterMinutes: 0,
        minimumNoticeMinutes: 0,
        active: true,
        groups: [],
        conferencing: false,
        calendar: { provider: 'local', status: 'connected' },
        createdAt: MEETINGS_T0,
        updatedAt: MEETINGS_T0,
      });
    }
    const start = MEETINGS_T0 + DAY;
    const hold = (id: string, agent: number, offsetHours: number) =>
      store.holdMeeting(firstFree(id, { agents: [agent], start: start + offsetHours * HOUR }));
    const setStatus = (id: string, status: 'booked' | 'completed' | 'no-show' | 'cancelled') =>
      store.updateMeeting(id, (m) => ({ meeting: { ...m, status } }), MEETINGS_T0);
    await hold('m1', 1, 0);
    await setStatus('m1', 'completed');
    await hold('m2', 1, 2);
    await setStatus('m2', 'no-show');
    await hold('m3', 2, 0);
    await setStatus('m3', 'cancelled');
    await hold('m4', 2, 4); // still pending: not counted

    const report = await store.agentMeetingReport({ from: MEETINGS_T0, to: start + DAY });
    expect(report).toEqual([
      {
        agentId: 'a1',
        agentName: 'Agent 1',
        agentEmail: 'agent1@example.com',
        booked: 2,
        held: 1,
        noShows: 1,
        cancelled: 0,
      },
      {
        agentId: 'a2',
        agentName: 'Agent 2',
        agentEmail: 'agent2@example.com',
        booked: 1,
        held: 0,
        noShows: 0,
        cancelled: 1,
      },
    ]);
    // Created before the range, started in it: held counts, booked does not.
    const later = await store.agentMeetingReport({ from: start - HOUR, to: start + DAY });
    expect(later.map((r) => [r.agentId, r.booked, r.held])).toEqual([
      ['a1', 0, 1],
      ['a2', 0, 0],
    ]);
  });

  it.runIf(impl.concurrentOpen === 'shared')(
    'when two replicas record events of one new conversation at once, then both are logged once each',
    async () => {
      const other = await data.open();
      const events = Array.from({ length: 10 }, () => event({ conversationId: 'conv-race1' }));
      await Promise.all(
        events.map((e, i) =>
          (i % 2 === 0 ? store : other).recordChatEvent({ event: e, now: T0 + i, counters: {} }),
        ),
      );
      // A retry of each, on the other replica: nothing more.
      await Promise.all(
        events.map((e, i) =>
          (i % 2 === 0 ? other : store).recordChatEvent({
            event: e,
            now: T0 + 20 + i,
            counters: {},
          }),
        ),
      );

      const log = (await store.getConversation('conv-race1'))!;
      expect(log.summary.entries).toBe(10);
      expect(new Set(log.entries.map((e) => e.eventId)).size).toBe(10);
      expect(log.summary.startedAt).toBe(T0);
    },
  );

  it('when old conversations are pruned, then those whose last event is older go and the rest stay', async () => {
    await record(event({ conversationId: 'conv-old1' }), T0);
    await record(event({ conversationId: 'conv-new1' }), T0 + DAY);

    expect(await store.pruneConversations(T0 + HOUR)).toBe(1);
    expect(await store.getConversation('conv-old1')).toBeUndefined();
    expect(await store.getConversation('conv-new1')).toBeDefined();
    const report = await store.dialogueReport({
      from: T0 - DAY,
      to: T0 + 2 * DAY,
      timeZone: 'UTC',
    });
    expect(report.days).toEqual([
      { dialogueId: 'd1', day: '2026-11-25', type: 'triggered', count: 1 },
    ]);
  });
});
