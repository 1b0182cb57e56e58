import { describe, expect, it } from 'vitest';
import {
  createDialogue,
  saveDialogueDraft,
  setDialogueEnabled,
} from '../../src/chat/dialogue-admin.js';
import { DEFAULT_SYNC_FIELDS } from '../../src/config.js';
import { createManualClock, createSequentialIds } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/store/index.js';
import { draft, T0 } from '../helpers/chat-admin-app.js';

describe('chat admin: concurrent changes to one dialogue', () => {
  it('when a draft save and a switch-off arrive at once, then the dialogue keeps both', async () => {
    const store = createMemoryStore();
    const deps = {
      store,
      clock: createManualClock(T0),
      ids: createSequentialIds('dlg'),
      logger: silentLogger,
      syncedFields: DEFAULT_SYNC_FIELDS,
    };
    const { id } = await createDialogue(deps, draft());

    await Promise.all([
      saveDialogueDraft(deps, id, draft({ name: 'Renamed' })),
      setDialogueEnabled(deps, id, false),
    ]);

    expect(await store.getDialogue(id)).toMatchObject({
      enabled: false,
      draft: { name: 'Renamed' },
    });
  });
});
