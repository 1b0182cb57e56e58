import { describe, expect, it } from 'vitest';
import type { DialogueCards } from '../../src/chat/widget/dialogue-walker.js';
import {
  createVisitorMemory,
  pickConversation,
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

function setup() {
  const local = mapStorage();
  const session = mapStorage();
  let n = 0;
  const newId = () => `id-${String(++n).padStart(8, '0')}`;
  return { local, session, newId, memory: createVisitorMemory(local, session, newId) };
}

const v = (version: number, text = `v${version}`): DialogueCards => ({
  id: 'd1',
  version,
  name: 'Welcome',
  start: 'm',
  cards: [{ id: 'm', type: 'message', text, next: null }],
});

describe('visitor memory', () => {
  it('when the widget first runs, then it makes an anonymous id and keeps it', () => {
    const { memory, local } = setup();
    const first = memory.visitor();
    expect(first).toEqual({ anonymousId: 'id-00000001' });
    expect(memory.visitor()).toEqual(first);
    memory.rememberEmail('jane@acme.com');
    expect(memory.visitor()).toEqual({ anonymousId: 'id-00000001', email: 'jane@acme.com' });
    expect(JSON.parse(local.map.get('marketo-chat:visitor')!)).toEqual({
      anonymousId: 'id-00000001',
      email: 'jane@acme.com',
    });
  });

  it.each([
    ['broken JSON', '{nope'],
    ['an id the contract refuses', JSON.stringify({ anonymousId: 'short' })],
    ['a number', '42'],
  ])('when storage holds %s, then a fresh anonymous id is made', (_label, stored) => {
    const { memory, local } = setup();
    local.map.set('marketo-chat:visitor', stored);
    expect(memory.visitor().anonymousId).toBe('id-00000001');
  });

  it('when a key is asked twice in a session, then only the first is first', () => {
    const { memory } = setup();
    expect(memory.firstThisSession('triggered:c1')).toBe(true);
    expect(memory.firstThisSession('triggered:c1')).toBe(false);
    expect(memory.firstThisSession('triggered:c2')).toBe(true);
  });

  it('when storage throws on write, then the memory still answers', () => {
    const { session, newId } = setup();
    const full: KeyValueStorage = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    };
    const memory = createVisitorMemory(full, session, newId);
    expect(memory.visitor().anonymousId).toBe('id-00000001');
    memory.saveCards(v(1));
    expect(memory.cards('d1', 1)).toBeNull();
  });
});

describe('pickConversation', () => {
  it('when resolve serves nothing, then nothing is played', () => {
    const { memory, newId } = setup();
    expect(pickConversation(memory, null, newId)).toBeNull();
  });

  it('when a dialogue is served for the first time, then a conversation starts at its start card and its cards are kept', () => {
    const { memory, newId } = setup();
    const picked = pickConversation(memory, v(1), newId);
    expect(picked?.record).toEqual({
      conversationId: 'id-00000001',
      dialogueId: 'd1',
      version: 1,
      engaged: false,
      completed: false,
      at: 'm',
      awaiting: false,
      transcript: [],
      answers: {},
      history: [],
      cardsSeen: [],
    });
    expect(memory.conversation('d1')).toEqual(picked?.record);
    expect(memory.cards('d1', 1)).toEqual(v(1));
  });

  it('when the visitor completed the dialogue, then a republished version is not shown', () => {
    const { memory, newId } = setup();
    const { record } = pickConversation(memory, v(1), newId)!;
    memory.saveConversation({ ...record, completed: true, at: null });
    expect(pickConversation(memory, v(2), newId)).toBeNull();
  });

  it('when an engaged visitor gets a republished version, then they continue with the one they started', () => {
    const { memory, newId } = setup();
    const { record } = pickConversation(memory, v(1), newId)!;
    memory.saveConversation({
      ...record,
      engaged: true,
      transcript: [{ from: 'bot', text: 'v1' }],
    });
    const picked = pickConversation(memory, v(2), newId);
    expect(picked?.dialogue).toEqual(v(1));
    expect(picked?.record).toMatchObject({
      version: 1,
      engaged: true,
      conversationId: 'id-00000001',
    });
  });

  it('when an unengaged visitor gets a republished version, then they get it, in the same conversation', () => {
    const { memory, newId } = setup();
    const { record } = pickConversation(memory, v(1), newId)!;
    memory.saveConversation({ ...record, transcript: [{ from: 'bot', text: 'v1' }] });
    const picked = pickConversation(memory, v(2), newId);
    expect(picked?.dialogue).toEqual(v(2));
    expect(picked?.record).toMatchObject({
      version: 2,
      conversationId: 'id-00000001',
      transcript: [],
    });
    expect(memory.cards('d1', 1)).toBeNull();
  });

  it("when the engaged version's cards are gone from storage, then the served version starts over", () => {
    const { memory, newId, local } = setup();
    const { record } = pickConversation(memory, v(1), newId)!;
    memory.saveConversation({ ...record, engaged: true });
    local.map.delete('marketo-chat:cards:d1:1');
    const picked = pickConversation(memory, v(2), newId);
    expect(picked?.record).toMatchObject({ version: 2, engaged: false, at: 'm' });
  });

  it('when the same version is served again, then the fresher cards (tokens) are used with the saved progress', () => {
    const { memory, newId } = setup();
    const { record } = pickConversation(memory, v(1, 'Hi there'), newId)!;
    memory.saveConversation({ ...record, engaged: true, at: null, awaiting: false });
    const picked = pickConversation(memory, v(1, 'Hi Jane'), newId);
    expect(picked?.dialogue.cards[0]).toMatchObject({ text: 'Hi Jane' });
    expect(picked?.record).toMatchObject({ engaged: true, at: null });
  });
});
