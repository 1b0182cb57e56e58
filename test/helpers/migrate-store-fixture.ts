import { createDefaultConfiguration } from '../../src/chat/default-configuration.js';
import type { Dialogue } from '../../src/records/chat-dialogue.js';
import type { ChatEvent } from '../../src/records/chat-event.js';
import type { Agent, RoutingRule } from '../../src/records/meeting-contract.js';
import { createJsonFileStore } from '../../src/store/index.js';
import { initialSyncState, type Store } from '../../src/store/types.js';
import { firstFree, nextInLine, T0 } from './store-decisions.js';
import { makeLead } from './store-fixtures.js';

/**
 * A JSON-file store with something in every collection the document holds, written through
 * the Store interface as the service writes it, for the moving-house tests (migrate:store).
 */
export const FIXTURE_LEADS = 23;
const iso = (ms: number) => new Date(ms).toISOString();

export async function writeFilledJsonStore(file: string): Promise<void> {
  const store = await createJsonFileStore({ file });
  try {
    await fillStore(store);
  } finally {
    await store.close();
  }
}

async function fillStore(store: Store): Promise<void> {
  const ids = Array.from({ length: FIXTURE_LEADS + 1 }, (_, i) => i + 1);
  await store.applyLeadChanges({
    upserts: ids.map((id) =>
      makeLead(id, id === 3 ? { fields: { email: 'Shared@Example.com' } } : {}),
    ),
  });
  await store.applyLeadChanges({ deletes: [FIXTURE_LEADS + 1] });
  await store.commitSync({
    upserts: [makeLead(2, { observedAt: T0 + 5, source: 'webhook' })],
    state: {
      ...initialSyncState(['email', 'firstName']),
      phase: 'incremental',
      changes: { nextPageToken: 'token-1', highWater: iso(T0), pendingLeadIds: [7, 8] },
      lastSuccessAt: iso(T0),
    },
  });
  await store.saveUsage({ day: '2026-11-24', calls: 1234, errorsByCode: { '606': 2 } });
  await store.saveInstance({ id: 'sandbox', boundAt: iso(T0) });
  await store.saveRoutingSettings({ cancellationReturnsTurn: true });

  for (const n of [3, 1, 2]) await store.saveAgent(agent(n));
  await store.reorderAgents(['a2', 'a3', 'a1']);
  await store.takeAssignmentTurn({ key: 'lead:1', keepSince: 0, decide: nextInLine('lead:1', T0) });
  await store.saveRoutingRule(rule('rule_b', 100, T0));
  await store.saveRoutingRule(rule('rule_a', 200, T0 + 1));
  await store.saveOAuthState({
    state: 'state-1',
    agentId: 'a1',
    provider: 'google',
    codeVerifier: 'verifier-1',
    redirectUri: 'https://chat.test/oauth/callback',
    expiresAt: T0 + 600_000,
  });
  await store.holdMeeting(firstFree('m1', { agents: [1], key: 'idem-1' }));
  await store.holdMeeting(firstFree('m2', { agents: [1, 2] }));

  // Outbox: one delivered, one dead letter, one claimed (its lease must not survive the move),
  // one waiting.
  await store.enqueueOutbox(
    ['done', 'dead', 'claimed', 'waiting'].map((name) => ({
      kind: 'marketo-activity',
      dedupeKey: `key-${name}`,
      payload: { name, nested: { n: 1.5 } },
      ...(name === 'waiting' ? { nextAttemptAt: T0 + 3_600_000 } : {}),
    })),
    T0,
  );
  const claimed = await store.claimOutbox({ now: T0 + 1, limit: 3, leaseMs: 60_000 });
  const byKey = (key: string) => claimed.find((item) => item.dedupeKey === key)!;
  await store.completeOutbox({
    id: byKey('key-done').id,
    leaseToken: lease(byKey('key-done')),
    now: T0 + 2,
  });
  await store.failOutbox({
    id: byKey('key-dead').id,
    leaseToken: lease(byKey('key-dead')),
    now: T0 + 2,
    error: 'Marketo said 1003',
    dead: true,
  });

  await store.saveChatConfiguration(createDefaultConfiguration());
  await store.saveDialogue(dialogue('d1'));
  await store.saveDialogue({ ...dialogue('d0'), published: null });
  await store.recordChatEvent({
    event: event('conv-0001', 'event-0001'),
    now: T0 + 10,
    counters: { triggered: 1, engaged: 1, peopleAcquired: 1 },
    visitorEmail: 'anna@example.com',
    outbox: [{ kind: 'marketo-activity', dedupeKey: 'chat:event-0001', payload: { e: 1 } }],
  });
  await store.recordChatEvent({
    event: event('conv-0002', 'event-0002'),
    now: T0 + 11,
    counters: { triggered: 1 },
    hold: { eventId: 'event-0002', what: 'held until the visitor is known' },
  });
}

function lease(item: { lease?: { token: string } }): string {
  return item.lease!.token;
}

function agent(n: number): Agent {
  return {
    id: `a${n}`,
    name: `Agent ${n}`,
    email: `agent${n}@example.com`,
    timeZone: 'UTC',
    availability: [{ day: 'wed', start: '09:00', end: '17:00' }],
    meetingMinutes: 30,
    bufferAfterMinutes: 15,
    minimumNoticeMinutes: 60,
    active: true,
    groups: ['emea'],
    conferencing: false,
    calendar: { provider: 'local', status: 'connected' },
    createdAt: T0,
    updatedAt: T0,
  };
}

function rule(id: string, priority: number, createdAt: number): RoutingRule {
  return {
    id,
    name: `Rule ${id}`,
    priority,
    conditions: [{ field: 'country', operator: 'equals', value: 'Germany' }],
    target: { group: 'emea' },
    enabled: true,
    createdAt,
    updatedAt: createdAt,
  };
}

function dialogue(id: string): Dialogue {
  const content = {
    name: `Dialogue ${id}`,
    audience: { visitors: 'all', match: 'all', groups: [] },
    pages: { include: ['https://example.com/*'], exclude: [] },
    priority: 10,
    start: 'hi',
    cards: [{ id: 'hi', type: 'message', text: 'Hello', next: null }],
  } as Dialogue['draft'];
  return {
    id,
    enabled: true,
    draft: content,
    published: { version: 1, content, publishedAt: iso(T0) },
    createdAt: iso(T0),
    updatedAt: iso(T0),
  };
}

export function event(conversationId: string, eventId: string): ChatEvent {
  return {
    type: 'email-given',
    dialogueId: 'd1',
    dialogueVersion: 1,
    conversationId,
    eventId,
    pageUrl: 'https://example.com/pricing',
    visitor: { anonymousId: `anon-${conversationId}`, mktoTrk: `trk-${conversationId}` },
    value: 'anna@example.com',
  };
}
