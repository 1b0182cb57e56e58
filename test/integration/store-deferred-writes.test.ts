import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Memory } from 'lowdb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { StoreDocumentFile } from '../../src/store/json-file-store.js';
import { createJsonFileStore, createMemoryStore, type LowdbStore } from '../../src/store/index.js';
import { createTempDir, makeLead } from '../helpers/store-fixtures.js';

/**
 * `applyLeadChanges(changes, { durability: 'deferred' })`: applied at once, written within
 * `deferredWriteMs` in one write shared by every change of the window (the lead webhook's
 * path). Writes are counted at the adapter, the one place a whole document goes out.
 */
const implementations = [
  {
    kind: 'memory',
    open: async (_file: string, deferredWriteMs: number) => createMemoryStore({ deferredWriteMs }),
    adapter: Memory.prototype,
  },
  {
    kind: 'json-file',
    open: (file: string, deferredWriteMs: number) => createJsonFileStore({ file, deferredWriteMs }),
    adapter: StoreDocumentFile.prototype,
  },
];

const deferred = { durability: 'deferred' } as const;
/** Long enough that no deferred write starts by itself during a test. */
const NEVER_MS = 60_000;

let temp: Awaited<ReturnType<typeof createTempDir>>;
let file: string;

beforeEach(async () => {
  temp = await createTempDir();
  file = path.join(temp.dir, 'store.json');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await temp.remove();
});

/** Lead ids in the file as it is on disk now. */
async function leadIdsOnDisk(): Promise<number[]> {
  const saved = JSON.parse(await readFile(file, 'utf8')) as { leads: Record<string, unknown> };
  return Object.keys(saved.leads).map(Number);
}

describe.each(implementations)('deferred lead changes: $kind', ({ open, adapter }) => {
  let store: LowdbStore;

  beforeEach(async () => {
    store = await open(file, NEVER_MS);
  });
  afterEach(() => store.close());

  it('when a change is deferred, then it is readable at once and nothing is written yet', async () => {
    const writes = vi.spyOn(adapter, 'write');

    await store.applyLeadChanges({ upserts: [makeLead(7)] }, deferred);

    expect(store.getLead(7)).toEqual(makeLead(7));
    expect(store.findLeadsByEmail('LEAD7@example.com').map((lead) => lead.id)).toEqual([7]);
    expect(store.countLeads()).toBe(1);
    expect(writes).not.toHaveBeenCalled();
  });

  it('when many changes are deferred in one window, then flush writes them all in one write', async () => {
    const writes = vi.spyOn(adapter, 'write');

    for (let id = 1; id <= 100; id++) {
      await store.applyLeadChanges({ upserts: [makeLead(id)] }, deferred);
    }
    await store.flush();

    expect(writes).toHaveBeenCalledTimes(1);
    await store.flush();
    expect(writes).toHaveBeenCalledTimes(1);
  });

  it('when an awaited commit follows a deferred change, then one write makes both durable', async () => {
    const writes = vi.spyOn(adapter, 'write');

    await store.applyLeadChanges({ upserts: [makeLead(1)] }, deferred);
    // An awaited whole write (a sync page is a journal append now, so a plain lead change).
    await store.applyLeadChanges({ upserts: [makeLead(2)] });

    expect(writes).toHaveBeenCalledTimes(1);
    expect([...(writes.mock.calls[0]![0] as { leads: Map<number, unknown> }).leads.keys()]).toEqual(
      [1, 2],
    );
    await store.flush();
    expect(writes).toHaveBeenCalledTimes(1);
  });

  it('when a deferred change is invalid, then it is refused, nothing changes and no write is scheduled', async () => {
    const writes = vi.spyOn(adapter, 'write');
    const bad = makeLead(2, { fields: { email: 'x@example.com', score: 10n } });

    await expect(
      store.applyLeadChanges({ upserts: [makeLead(1), bad] }, deferred),
    ).rejects.toMatchObject({ code: 'STORE_INVALID_RECORD' });
    await store.flush();

    expect(store.countLeads()).toBe(0);
    expect(writes).not.toHaveBeenCalled();
  });

  it('when the store is closed, then a deferred change is refused with STORE_CLOSED', async () => {
    await store.close();

    await expect(
      store.applyLeadChanges({ upserts: [makeLead(1)] }, deferred),
    ).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    expect(store.getLead(1)).toBeUndefined();
  });
});

describe('deferred lead changes on the JSON file', () => {
  it('when flush returns, then the deferred changes are in the file and a reopen shows them', async () => {
    const store = await createJsonFileStore({ file, deferredWriteMs: NEVER_MS });
    await store.applyLeadChanges({ upserts: [makeLead(1), makeLead(2)] }, deferred);
    expect(await leadIdsOnDisk()).toEqual([]);

    await store.flush();

    expect(await leadIdsOnDisk()).toEqual([1, 2]);
    await store.close();
    const reopened = await createJsonFileStore({ file });
    expect(reopened.getLead(2)).toEqual(makeLead(2));
    await reopened.close();
  });

  it('when the store is closed, then the deferred changes are written first', async () => {
    const store = await createJsonFileStore({ file, deferredWriteMs: NEVER_MS });
    await store.applyLeadChanges({ upserts: [makeLead(1)] }, deferred);
    await store.applyLeadChanges({ deletes: [1], upserts: [makeLead(3)] }, deferred);

    await store.close();

    const reopened = await createJsonFileStore({ file });
    expect(reopened.getLead(1)).toBeUndefined();
    expect(reopened.getLead(3)).toEqual(makeLead(3));
    await reopened.applyLeadChanges({ upserts: [makeLead(1)] });
    expect(reopened.getLead(1)).toBeUndefined(); // the deletion was written too
    await reopened.close();
  });

  it('when deferredWriteMs passes with no other write, then one write puts the window in the file', async () => {
    const store = await createJsonFileStore({ file, deferredWriteMs: 50 });
    const writes = vi.spyOn(StoreDocumentFile.prototype, 'write');
    const started = performance.now();

    await store.applyLeadChanges({ upserts: [makeLead(1)] }, deferred);
    await store.applyLeadChanges({ upserts: [makeLead(2)] }, deferred);

    await vi.waitFor(async () => expect(await leadIdsOnDisk()).toEqual([1, 2]), { timeout: 2_000 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(49);
    expect(writes).toHaveBeenCalledTimes(1);
    await store.close();
  });

  it('when a deferred write fails, then the store logs it and its next write carries the changes', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = createLogger({
      level: 'warn',
      destination: { write: (line: string) => lines.push(JSON.parse(line)) },
    });
    const dir = path.join(temp.dir, 'data');
    file = path.join(dir, 'store.json');
    const store = await createJsonFileStore({ file, logger, deferredWriteMs: 10 });
    await rm(dir, { recursive: true }); // the temp file can no longer be created

    await store.applyLeadChanges({ upserts: [makeLead(1)] }, deferred);
    await vi.waitFor(() =>
      expect(lines.map((line) => line.msg)).toContain(
        'deferred store changes not written yet; kept in memory, the next write carries them',
      ),
    );
    await mkdir(dir);
    await store.applyLeadChanges({ upserts: [makeLead(2)] });

    expect(await leadIdsOnDisk()).toEqual([1, 2]);
    await store.close();
  });
});
