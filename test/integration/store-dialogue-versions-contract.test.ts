import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dialogue, DialogueContent } from '../../src/records/chat-dialogue.js';
import type { Store } from '../../src/store/types.js';
import { storeImplementations, type StoreTestData } from '../helpers/store-implementations.js';

const T0 = Date.UTC(2026, 11, 7, 9, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

function content(text: string): DialogueContent {
  return {
    name: 'Flow',
    audience: { visitors: 'all', match: 'all', groups: [] },
    pages: { include: ['https://example.com/*'], exclude: [] },
    priority: 1,
    start: 'hi',
    cards: [{ id: 'hi', type: 'message', text, next: null }],
  };
}

/** A dialogue's earlier published versions (dialogue-admin.ts keeps a few for conversations). */
describe.each(storeImplementations)('dialogue versions in the store: $kind', (impl) => {
  let data: StoreTestData;
  let store: Store;
  beforeEach(async () => {
    data = await impl.createData();
    store = await data.open();
  });
  afterEach(() => data.remove());

  it('when a dialogue is saved with earlier versions, then they come back as saved, also after a restart', async () => {
    const dialogue: Dialogue = {
      id: 'flow-1',
      enabled: true,
      draft: content('Three'),
      published: { version: 3, content: content('Three'), publishedAt: iso(T0 + 3) },
      earlier: [
        { version: 2, content: content('Two'), publishedAt: iso(T0 + 2) },
        { version: 1, content: content('One'), publishedAt: iso(T0 + 1) },
      ],
      createdAt: iso(T0),
      updatedAt: iso(T0 + 3),
    };
    await store.saveDialogue(dialogue);
    store = await data.reopen(store);
    expect(await store.getDialogue('flow-1')).toEqual(dialogue);
  });

  it('when a dialogue stored without earlier versions is read, then it has none', async () => {
    const dialogue: Dialogue = {
      id: 'flow-2',
      enabled: true,
      draft: content('One'),
      published: { version: 1, content: content('One'), publishedAt: iso(T0 + 1) },
      createdAt: iso(T0),
      updatedAt: iso(T0 + 1),
    };
    await store.saveDialogue(dialogue);
    expect((await store.getDialogue('flow-2'))?.earlier).toBeUndefined();
  });
});
