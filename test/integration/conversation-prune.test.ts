import { describe, expect, it } from 'vitest';
import { scheduleOutboxPrune } from '../../jobs/outbox-prune.js';
import type { ChatEvent } from '../../src/records/chat-event.js';
import { createManualClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { loadConfig } from '../../src/config.js';
import { createMemoryStore } from '../../src/store/index.js';
import { MAX_CONVERSATIONS_IN_DOCUMENT } from '../../src/store/conversation-records.js';

const DAY = 24 * 3_600_000;

const event = (conversationId: string): ChatEvent => ({
  type: 'triggered',
  dialogueId: 'd1',
  dialogueVersion: 1,
  conversationId,
  eventId: `event-${conversationId}`,
  pageUrl: 'https://example.com/',
  visitor: { anonymousId: 'anon-0001' },
});

describe('conversation retention', () => {
  it('when the prune job runs, then conversations idle longer than the retention are forgotten and younger ones stay', async () => {
    const store = createMemoryStore();
    const clock = createManualClock(Date.UTC(2026, 10, 1));
    await store.recordChatEvent({ event: event('conv-old-0001'), now: clock.now(), counters: {} });
    clock.advance(10 * DAY);
    await store.recordChatEvent({ event: event('conv-new-0001'), now: clock.now(), counters: {} });
    clock.advance(395 * DAY);

    const job = scheduleOutboxPrune({
      store,
      clock,
      logger: silentLogger,
      retentionMs: 7 * DAY,
      conversationRetentionMs: loadConfig({}).chat.conversationRetentionMs,
    });
    try {
      await job.runNow();
    } finally {
      job.stop();
    }
    expect(await store.getConversation('conv-old-0001')).toBeUndefined();
    expect(await store.getConversation('conv-new-0001')).toBeDefined();
  });

  it('when the JSON document holds more conversations than its cap, then the oldest started go first', async () => {
    const store = createMemoryStore();
    const t0 = Date.UTC(2026, 10, 1);
    const id = (n: number) => `conv-${String(n).padStart(8, '0')}`;
    for (let n = 0; n <= MAX_CONVERSATIONS_IN_DOCUMENT; n += 1) {
      await store.recordChatEvent({ event: event(id(n)), now: t0 + n, counters: {} });
    }
    expect(await store.getConversation(id(0))).toBeUndefined();
    expect(await store.getConversation(id(1))).toBeDefined();
    expect(await store.getConversation(id(MAX_CONVERSATIONS_IN_DOCUMENT))).toBeDefined();
  }, 60_000);

  it.each([
    [{}, 400, 90],
    [{ CONVERSATION_RETENTION_DAYS: '30', TRANSCRIPT_LINK_TTL_DAYS: '7' }, 30, 7],
  ])(
    'when the environment is %o, then conversations are kept %i days and links work %i days',
    (env, keep, link) => {
      const { chat } = loadConfig(env);
      expect(chat.conversationRetentionMs).toBe(keep * DAY);
      expect(chat.transcriptLinkTtlMs).toBe(link * DAY);
    },
  );

  it('when a retention is not a whole number of days from 1 to 3650, then the configuration names the key', () => {
    expect(() => loadConfig({ CONVERSATION_RETENTION_DAYS: '0' })).toThrow(
      /CONVERSATION_RETENTION_DAYS/,
    );
    expect(() => loadConfig({ TRANSCRIPT_LINK_TTL_DAYS: 'soon' })).toThrow(
      /TRANSCRIPT_LINK_TTL_DAYS/,
    );
  });
});
