import { copyFile, lstat, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonFileStore } from '../../src/store/index.js';
import { moveStoreAside } from '../../src/store/move-store-aside.js';
import { createTempDir, leadIds, makeLead } from '../helpers/store-fixtures.js';

const journal = { durability: 'journal' } as const;
const NOW = Date.parse('2026-12-07T03:00:00Z');

let temp: Awaited<ReturnType<typeof createTempDir>>;
let file: string;
beforeEach(async () => {
  temp = await createTempDir();
  file = path.join(temp.dir, 'store.json');
});
afterEach(() => temp.remove());

describe('npm run reset-store (moveStoreAside)', () => {
  it('when a crash left acknowledged writes in the journal, then they move aside with the document and the moved store still has them', async () => {
    const store = await createJsonFileStore({ file });
    await store.applyLeadChanges({ upserts: [makeLead(1), makeLead(2)] }, journal);
    // A crash: the files as the open store has them, copied where no process holds them.
    const dir = path.join(temp.dir, 'crashed');
    await mkdir(dir);
    const names = (await readdir(temp.dir)).filter((n) => /^store\.json(\.journal-\d+)?$/.test(n));
    expect(names.length).toBeGreaterThan(1);
    for (const name of names) await copyFile(path.join(temp.dir, name), path.join(dir, name));
    await store.close();
    file = path.join(dir, 'store.json');

    const aside = await moveStoreAside(file, NOW);

    expect(aside).toBeDefined();
    const fresh = await createJsonFileStore({ file });
    expect(await fresh.countLeads()).toBe(0);
    await fresh.close();
    const moved = await createJsonFileStore({ file: aside! });
    expect(await leadIds(moved, [1, 2])).toEqual([1, 2]);
    await moved.close();
  });

  it('when DATA_FILE is a symlink to a store in use, then the reset is refused and the link and the store stay', async () => {
    const real = path.join(temp.dir, 'real');
    await mkdir(real);
    const target = path.join(real, 'store.json');
    const link = path.join(temp.dir, 'linked.json');
    await symlink(target, link);
    const store = await createJsonFileStore({ file: target });

    await expect(moveStoreAside(link, NOW)).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(target);
    await store.close();

    // Once the store is closed, the reset moves the store it points to, not the link.
    const aside = await moveStoreAside(link, NOW);
    expect(path.dirname(aside!)).toBe(real);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
  });
});
