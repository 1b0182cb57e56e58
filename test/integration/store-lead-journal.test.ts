import {
  appendFile,
  copyFile,
  mkdir,
  readdir,
  readFile,
  symlink,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonFileStore, createMemoryStore } from '../../src/store/index.js';
import { LeadJournal } from '../../src/store/lead-journal.js';
import { initialSyncState } from '../../src/store/types.js';
import { createTempDir, leadIds, makeLead } from '../helpers/store-fixtures.js';

const journal = { durability: 'journal' } as const;

let temp: Awaited<ReturnType<typeof createTempDir>>;
let file: string;
beforeEach(async () => {
  temp = await createTempDir();
  file = path.join(temp.dir, 'store.json');
});
afterEach(() => temp.remove());

const journalNames = async (dir: string) =>
  (await readdir(dir)).filter((name) => name.includes('.journal-')).sort();

/** The files of a store still open, as a crash would leave them, copied to another folder. */
async function copyAsCrashed(): Promise<string> {
  const dir = path.join(temp.dir, 'crashed');
  await mkdir(dir);
  for (const name of ['store.json', ...(await journalNames(temp.dir))]) {
    await copyFile(path.join(temp.dir, name), path.join(dir, name));
  }
  return path.join(dir, 'store.json');
}

describe('lead journal of the JSON-file store', () => {
  it('when lead changes are journaled, then they are durable without a whole write and a store opened after a crash has them', async () => {
    const store = await createJsonFileStore({ file });
    const before = await readFile(file, 'utf8');
    await store.applyLeadChanges({ upserts: [makeLead(1), makeLead(2)] }, journal);
    await store.applyLeadChanges({ upserts: [makeLead(3)], deletes: [1] }, journal);

    expect(await readFile(file, 'utf8')).toBe(before);
    const crashed = await copyAsCrashed();
    const reopened = await createJsonFileStore({ file: crashed });

    expect(await leadIds(reopened, [1, 2, 3])).toEqual([undefined, 2, 3]);
    expect(await journalNames(path.dirname(crashed))).toEqual([]);
    expect(JSON.parse(await readFile(crashed, 'utf8')).journalGeneration).toBe(1);
    await reopened.close();
    await store.close();
  });

  it('when merging upserts are journaled, then a store opened after a crash has the merged leads', async () => {
    const store = await createJsonFileStore({ file });
    const merge = (id: number, observedAt: number, fields: Record<string, unknown>) => ({
      id,
      fields,
      observedAt,
      source: 'webhook' as const,
      merge: true,
    });
    const t = makeLead(1).observedAt;
    await store.applyLeadChanges({ upserts: [makeLead(1), makeLead(2)] }, journal);
    await store.applyLeadChanges({ upserts: [merge(1, t + 1, { title: 'CTO' })] }, journal);
    await store.applyLeadChanges({ upserts: [merge(1, t + 2, { city: 'Oslo' })] }, journal);
    await store.applyLeadChanges({ upserts: [merge(1, t, { title: 'Stale' })] }, journal);
    await store.applyLeadChanges({ upserts: [merge(3, t, { email: 'c@example.com' })] }, journal);

    const crashed = await copyAsCrashed();
    const reopened = await createJsonFileStore({ file: crashed });

    for (const id of [1, 2, 3]) expect(await reopened.getLead(id)).toEqual(await store.getLead(id));
    expect((await reopened.getLead(1))?.fields).toMatchObject({ title: 'CTO', city: 'Oslo' });
    expect((await reopened.getLead(1))?.observedAt).toBe(t + 2);
    await reopened.close();
    await store.close();
  });

  it('when sync pages are committed, then each is one journal append and a store opened after a crash has the leads and the cursor of the last page', async () => {
    const store = await createJsonFileStore({ file });
    const before = await readFile(file, 'utf8');
    const page = (n: number) => ({
      ...initialSyncState(['email']),
      changes: { highWater: `2026-12-07T0${n}:00:00Z`, pendingLeadIds: [n] },
    });
    await store.commitSync({ upserts: [makeLead(1), makeLead(2)], state: page(1) });
    const { deleted } = await store.commitSync({
      upserts: [makeLead(3)],
      deletes: [1],
      state: page(2),
    });

    expect(deleted).toBe(1);
    expect(await readFile(file, 'utf8')).toBe(before); // no whole rewrite per page
    const crashed = await copyAsCrashed();
    const reopened = await createJsonFileStore({ file: crashed });

    expect(await leadIds(reopened, [1, 2, 3])).toEqual([undefined, 2, 3]);
    expect(await reopened.loadSyncState()).toEqual(page(2));
    await reopened.close();
    await store.close();
  });

  it('when a journal line was torn by a crash, then it is dropped and the lines before it replay', async () => {
    const store = await createJsonFileStore({ file });
    await store.applyLeadChanges({ upserts: [makeLead(1)] }, journal);
    const crashed = await copyAsCrashed();
    await appendFile(`${crashed}.journal-0`, '{"upserts":[{"id":2,"fields":{');

    const reopened = await createJsonFileStore({ file: crashed });

    expect((await reopened.getLead(1))?.id).toBe(1);
    expect(await reopened.getLead(2)).toBeUndefined();
    await reopened.close();
    await store.close();
  });

  it('when a complete journal line is damaged, then the store refuses to open and changes nothing', async () => {
    const store = await createJsonFileStore({ file });
    await store.applyLeadChanges({ upserts: [makeLead(1)] }, journal);
    const crashed = await copyAsCrashed();
    await writeFile(`${crashed}.journal-0`, 'not json\n{"upserts":[]}\n');

    await expect(createJsonFileStore({ file: crashed })).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
    });
    expect(await readFile(`${crashed}.journal-0`, 'utf8')).toBe('not json\n{"upserts":[]}\n');
    await store.close();
  });

  it('when a journal is older than the document, then it is not replayed and is removed', async () => {
    const store = await createJsonFileStore({ file });
    await store.applyLeadChanges({ upserts: [makeLead(1)] }, journal);
    await store.applyLeadChanges({ upserts: [makeLead(2)] }); // whole: the document holds both
    await store.applyLeadChanges({ upserts: [makeLead(3)] }); // and moves on a generation again
    const crashed = await copyAsCrashed();
    // As if the crash came between the whole write and the removal of the older journal.
    await writeFile(
      `${crashed}.journal-0`,
      `${JSON.stringify({ upserts: [makeLead(1, { fields: { email: 'stale@example.com' } })] })}\n`,
    );

    const reopened = await createJsonFileStore({ file: crashed });

    expect((await reopened.getLead(1))?.fields['email']).toBe('lead1@example.com');
    expect(await journalNames(path.dirname(crashed))).toEqual([]);
    // The generation never goes back, so no later append reuses the name of an older file.
    expect(JSON.parse(await readFile(crashed, 'utf8')).journalGeneration).toBe(2);
    await reopened.close();
    await store.close();
  });

  it('when the journal passes its checkpoint size, then the document is written whole and the journal removed', async () => {
    const store = await createJsonFileStore({ file, journalCheckpointBytes: 1 });
    await store.applyLeadChanges({ upserts: [makeLead(1)] }, journal);
    await store.flush();

    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')).leads)).toEqual(['1']);
    expect(await journalNames(temp.dir)).toEqual([]);
    await store.applyLeadChanges({ upserts: [makeLead(2)] }, journal);
    await store.close();
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')).leads)).toEqual(['1', '2']);
  });

  it('when journal files are found without their data file, then they are removed and the store starts empty', async () => {
    await writeFile(`${file}.journal-3`, `${JSON.stringify({ upserts: [makeLead(1)] })}\n`);

    const store = await createJsonFileStore({ file });

    expect(await store.countLeads()).toBe(0);
    expect(await journalNames(temp.dir)).toEqual([]);
    await store.close();
  });

  it('when appends overlap, then their lines land in the order they were appended', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `{"n":${i}}`);
    const writer = new LeadJournal(file, 0);

    await Promise.all(lines.map((line) => writer.append([line])));
    await writer.close();

    expect(await readFile(`${file}.journal-0`, 'utf8')).toBe(`${lines.join('\n')}\n`);
  });

  it('when a write fails, then later appends to that file fail too until it is sealed', async () => {
    await symlink('/dev/full', `${file}.journal-0`);
    const writer = new LeadJournal(file, 0);

    const results = await Promise.allSettled([
      writer.append(['{"n":1}']),
      writer.append(['{"n":2}']),
    ]);
    writer.seal();
    await writer.append(['{"n":3}']);
    await writer.close();

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await readFile(`${file}.journal-1`, 'utf8')).toBe('{"n":3}\n');
  });

  it('when the memory store is asked for a journaled write, then it is written as a durable one', async () => {
    const store = createMemoryStore();
    await store.applyLeadChanges({ upserts: [makeLead(1)] }, journal);
    expect((await store.getLead(1))?.id).toBe(1);
    await store.close();
  });
});
