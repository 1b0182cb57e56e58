import { describe, expect, it } from 'vitest';
import type { Card } from '../../src/records/chat-cards.js';
import { createNavigator, goBack, startOver } from '../../src/chat/widget/conversation-steps.js';
import { walkDialogue } from '../../src/chat/widget/dialogue-walker.js';
import {
  createVisitorMemory,
  pickConversation,
  type ConversationRecord,
  type KeyValueStorage,
} from '../../src/chat/widget/visitor-memory.js';

function mapStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

const record = (over: Partial<ConversationRecord> = {}): ConversationRecord => ({
  conversationId: 'conv-00000001',
  dialogueId: 'd1',
  version: 1,
  engaged: true,
  completed: false,
  at: 'q2',
  awaiting: true,
  transcript: [
    { from: 'bot', text: 'Hi' },
    { from: 'bot', text: 'Q1?' },
    { from: 'visitor', text: 'A1' },
    { from: 'bot', text: 'Q2?' },
  ],
  answers: { q1: 'a1' },
  history: [{ card: 'q1', transcript: 1, answers: {} }],
  cardsSeen: ['q2'],
  ...over,
});

describe('going back and starting over', () => {
  it('when the visitor goes back, then the last question is current again with what came after it forgotten', () => {
    const r = record();
    expect(goBack(r)).toBe(true);
    expect(r).toMatchObject({
      at: 'q1',
      awaiting: false,
      transcript: [{ from: 'bot', text: 'Hi' }],
      answers: {},
      history: [],
    });
    expect(goBack(r)).toBe(false);
  });

  it('when the visitor starts over, then the record is at the start with nothing kept but the cards not yet reported', () => {
    const r = record({ completed: true });
    startOver(r, 'hello');
    expect(r).toMatchObject({
      conversationId: 'conv-00000001',
      at: 'hello',
      awaiting: false,
      completed: false,
      transcript: [],
      answers: {},
      history: [],
      cardsSeen: ['q2'],
    });
  });
});

describe('navigator', () => {
  it('when a click comes while the player waits, then the wait ends with it', async () => {
    const nav = createNavigator();
    const waiting = nav.next();
    nav.go('back');
    expect(await waiting).toBe('back');
  });

  it('when a click comes while the player is busy, then the next wait gets it at once; start over wins over back', async () => {
    const nav = createNavigator();
    const abandoned = nav.next();
    nav.idle(); // the visitor answered instead
    nav.go('restart');
    nav.go('back');
    expect(await nav.next()).toBe('restart');
    let settled = false;
    void abandoned.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
  });
});

describe('walking the new cards', () => {
  const cards: Card[] = [
    { id: 'm', type: 'message', text: 'Hi', next: 'doc' },
    {
      id: 'doc',
      type: 'document',
      text: 'Guide',
      document: { title: 'Guide', url: 'https://acme.example/g.pdf' },
      next: 'act',
    },
    { id: 'act', type: 'action', action: { kind: 'request-campaign', campaignId: 7 }, next: 'c' },
    {
      id: 'c',
      type: 'condition',
      branches: [{ match: 'any', conditions: [{ source: 'known', known: true }], next: 'f' }],
      otherwise: null,
    },
    {
      id: 'f',
      type: 'form',
      text: 'Details',
      fields: [{ key: 'k', label: 'K', answer: { kind: 'phone' }, required: true }],
      submitLabel: 'Send',
      next: null,
    },
  ];
  const dialogue = { id: 'd', version: 1, name: 'd', start: 'm', cards };

  it('when documents and actions come before a condition, then they play by themselves and the condition stops the walk', () => {
    const walk = walkDialogue(dialogue, 'm');
    expect(walk.steps.map((s) => s.id)).toEqual(['m', 'doc', 'act']);
    expect(walk.stop).toEqual({ kind: 'condition', card: cards[3] });
  });

  it('when the walk reaches a form or an input, then the visitor is asked', () => {
    expect(walkDialogue(dialogue, 'f').stop).toEqual({ kind: 'ask', card: cards[4] });
  });
});

describe('conversational flows in memory', () => {
  const served = {
    id: 'd1',
    version: 1,
    name: 'Flow',
    start: 'm',
    cards: [{ id: 'm', type: 'message', text: 'Hi', next: null }] as Card[],
  };

  it('when a completed flow is opened again, then it starts afresh as a new conversation', () => {
    let n = 0;
    const newId = () => `id-${String(++n).padStart(8, '0')}`;
    const memory = createVisitorMemory(mapStorage(), mapStorage(), newId);
    const first = pickConversation(memory, served, newId)!;
    memory.saveConversation({ ...first.record, completed: true, at: null });
    expect(pickConversation(memory, served, newId)).toBeNull();
    const again = pickConversation(memory, served, newId, true)!;
    expect(again.record).toMatchObject({ at: 'm', completed: false, answers: {} });
    expect(again.record.conversationId).not.toBe(first.record.conversationId);
  });

  it('when a record of the older widget is read, then it gets empty answers, history and cards seen', () => {
    const local = mapStorage();
    const memory = createVisitorMemory(local, mapStorage(), () => 'id-00000009');
    const { answers: _a, history: _h, cardsSeen: _c, ...old } = record();
    local.setItem('marketo-chat:conversation:d1', JSON.stringify(old));
    expect(memory.conversation('d1')).toMatchObject({ answers: {}, history: [], cardsSeen: [] });
  });
});
