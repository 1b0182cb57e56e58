import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/index.js';
import { createSyncHarness } from '../helpers/sync-harness.js';

type Harness = Awaited<ReturnType<typeof createSyncHarness>>;
const open: Harness[] = [];
afterEach(async () => {
  for (const harness of open.splice(0)) await harness.close();
});

async function sandboxStart(store: ReturnType<typeof createMemoryStore>): Promise<Harness> {
  const harness = await createSyncHarness({ sandbox: { seedLeads: 50 }, store });
  open.push(harness);
  return harness;
}

describe('a saved paging token that Marketo refuses (1003)', () => {
  it('when the sandbox restarts between runs, then the next sync takes a fresh token from the high water and succeeds, and so does the one after', async () => {
    const store = createMemoryStore();
    const first = await sandboxStart(store);
    expect((await first.sync()).outcome).toBe('succeeded');
    for (let i = 0; i < 60; i += 1) {
      first.sandbox.upsertLead({ email: `created${i}@example.com`, firstName: `C${i}` });
    }
    expect((await first.sync()).outcome).toBe('succeeded');
    const saved = (await store.loadSyncState()).changes.nextPageToken;
    await open.shift()!.close();

    // A new sandbox: its log is shorter than the saved token's position.
    const second = await sandboxStart(store);
    const created = second.sandbox.upsertLead({ email: 'after.restart@example.com' });
    const report = await second.sync();

    expect(report).toMatchObject({ outcome: 'succeeded', mode: 'incremental' });
    expect((await store.getLead(created.id))?.fields.email).toBe('after.restart@example.com');
    expect((await store.loadSyncState()).changes.nextPageToken).not.toBe(saved);
    expect((await second.sync()).outcome).toBe('succeeded');
  });
});
