import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonFileStore } from '../../src/store/index.js';
import { initialSyncState } from '../../src/store/types.js';
import { createTempDir, makeLead, spawnHelper } from '../helpers/store-fixtures.js';

let temp: Awaited<ReturnType<typeof createTempDir>>;
let file: string;

beforeEach(async () => {
  temp = await createTempDir();
  file = path.join(temp.dir, 'store.json');
});
afterEach(() => temp.remove());

/** A file holding a few leads, written by the store itself and closed again. */
async function seedFile(): Promise<Buffer> {
  const store = await createJsonFileStore({ file });
  await store.applyLeadChanges({ upserts: [makeLead(1), makeLead(2)] });
  await store.close();
  return readFile(file);
}

/** The pid of a process that has exited, so no process has it (barring quick pid reuse). */
/** Whether a helper printed `word` before it exited. */
async function printed(run: ReturnType<typeof spawnHelper>, word: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const check = () => {
      if (run.stdout().includes(word)) resolve(true);
    };
    run.child.stdout!.on('data', check);
    void run.done.then(() => resolve(run.stdout().includes(word)));
    check();
  });
}

/** Resolves once a writer has printed `count` acknowledged ids (rejects if it exits first). */
async function acknowledgedCount(
  run: ReturnType<typeof spawnHelper>,
  count: number,
): Promise<void> {
  const enough = () =>
    run
      .stdout()
      .split('\n')
      .filter((line) => /^\d+$/.test(line)).length >= count;
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (enough()) resolve();
    };
    run.child.stdout!.on('data', check);
    void run.done.then((result) => reject(new Error(`writer exited: ${result.stderr}`)));
    check();
  });
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

async function writeLock(holder: Partial<{ pid: number; hostname: string }>): Promise<void> {
  const lock = {
    pid: deadPid(),
    hostname: os.hostname(),
    startedAt: '2026-11-01T00:00:00.000Z',
    token: 'old',
    ...holder,
  };
  await writeFile(`${file}.lock`, JSON.stringify(lock));
}

describe('JSON-file store: the lock (one process per file)', () => {
  it('when the file is opened twice in one process, then the second open is refused and the file untouched', async () => {
    const bytes = await seedFile();
    const first = await createJsonFileStore({ file });

    await expect(createJsonFileStore({ file })).rejects.toMatchObject({
      code: 'STORE_LOCKED',
      message: expect.stringContaining(file),
    });
    expect(await readFile(file)).toEqual(bytes);
    await first.close();
  });

  it('when another process opens a file this process holds, then it exits with STORE_LOCKED naming the holder', async () => {
    const bytes = await seedFile();
    const first = await createJsonFileStore({ file });

    const run = await spawnHelper('store-open.ts', [file]).done;

    expect(run.code).toBe(2);
    const error = JSON.parse(run.stderr) as { code: string; message: string };
    expect(error.code).toBe('STORE_LOCKED');
    expect(error.message).toContain(file);
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(error.message).toContain('stop the other process or set DATA_FILE to another path');
    expect(await readFile(file)).toEqual(bytes);
    await first.close();
  });

  it('when the store is closed, then the lock file is gone and another process can open it', async () => {
    const store = await createJsonFileStore({ file });
    expect(existsSync(`${file}.lock`)).toBe(true);
    await store.close();

    expect(existsSync(`${file}.lock`)).toBe(false);
    expect((await spawnHelper('store-open.ts', [file]).done).code).toBe(0);
  });

  it('when the lock was left by a dead process, then it is taken over', async () => {
    await seedFile();
    await writeLock({});

    const store = await createJsonFileStore({ file });

    const lock = JSON.parse(await readFile(`${file}.lock`, 'utf8')) as { pid: number };
    expect(lock.pid).toBe(process.pid);
    expect(await store.countLeads()).toBe(2);
    await store.close();
  });

  it('when processes race to take over a stale lock, then exactly one opens the store', async () => {
    await seedFile();
    await writeLock({});

    // Lined up by messages, not by a guessed start time: a racer slow to load (a busy machine)
    // once opened the store after the winner had already closed it.
    const racers = [0, 1, 2, 3].map(() => spawnHelper('store-open.ts', [file, '--coordinated']));
    expect(await Promise.all(racers.map((racer) => printed(racer, 'ready')))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    for (const racer of racers) racer.child.stdin!.write('go\n');
    // The winner prints `opened` and holds the store; the losers exit.
    const opened = await Promise.all(racers.map((racer) => printed(racer, 'opened')));
    expect(opened.filter(Boolean)).toHaveLength(1);
    const winner = racers[opened.indexOf(true)]!;
    const lost = await Promise.all(racers.filter((r) => r !== winner).map((r) => r.done));
    winner.child.stdin!.write('close\n');
    const won = await winner.done;

    expect(won.code).toBe(0);
    expect(lost.map((run) => run.code)).toEqual([2, 2, 2]);
    expect(lost.every((run) => run.stderr.includes('STORE_LOCKED'))).toBe(true);
  });

  it('when the file is opened through a symlink while in use under its own name, then the open is refused', async () => {
    const first = await createJsonFileStore({ file });
    const link = path.join(temp.dir, 'linked-store.json');
    await symlink(file, link);

    await expect(createJsonFileStore({ file: link })).rejects.toMatchObject({
      code: 'STORE_LOCKED',
    });
    const run = await spawnHelper('store-open.ts', [link]).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('STORE_LOCKED');
    await first.close();
  });

  it('when the directory is reached through a symlink, then it is the same store and the same lock', async () => {
    const first = await createJsonFileStore({ file });
    const linkedDir = path.join(temp.dir, 'linked-dir');
    await symlink(temp.dir, linkedDir);

    await expect(
      createJsonFileStore({ file: path.join(linkedDir, 'store.json') }),
    ).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    await first.close();
  });

  it('when the store is written through a symlink, then the file it points to holds the writes and the link stays a link', async () => {
    await seedFile();
    const link = path.join(temp.dir, 'linked-store.json');
    await symlink('store.json', link); // relative, as `ln -s store.json linked-store.json`

    const store = await createJsonFileStore({ file: link });
    await store.applyLeadChanges({ upserts: [makeLead(3)] });
    await store.close();

    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { leads: Record<string, unknown> };
    expect(Object.keys(saved.leads).sort()).toEqual(['1', '2', '3']);
    expect(existsSync(`${link}.lock`)).toBe(false);
  });

  it('when the lock belongs to another host, then the open is refused with how to clear it', async () => {
    await seedFile();
    await writeLock({ hostname: 'other-host.example', pid: 4242 });

    await expect(createJsonFileStore({ file })).rejects.toMatchObject({
      code: 'STORE_LOCKED',
      message: expect.stringMatching(
        /pid 4242 on host other-host\.example.*delete .*store\.json\.lock/s,
      ),
    });
  });
});

describe('JSON-file store: a corrupt file stops the start', () => {
  const valid = JSON.stringify({
    version: 1,
    leads: {},
    deletedLeadIds: [],
    sync: initialSyncState(),
  });
  it.each([
    ['truncated JSON', Buffer.from(valid.slice(0, valid.length - 7)), 'not valid JSON'],
    ['NUL bytes (power loss)', Buffer.alloc(4096), 'NUL bytes'],
    [
      'NUL bytes after content',
      Buffer.concat([Buffer.from(valid.slice(0, 40)), Buffer.alloc(64)]),
      'NUL bytes',
    ],
    ['an empty file', Buffer.alloc(0), 'empty'],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'not valid JSON'],
    [
      'a document of the wrong shape',
      Buffer.from(JSON.stringify({ version: 1, leads: [] })),
      'does not match the schema',
    ],
    [
      'a lead under the wrong key',
      Buffer.from(
        valid.replace(
          '"leads":{}',
          '"leads":{"5":{"id":6,"fields":{},"observedAt":1,"source":"sync"}}',
        ),
      ),
      'stored under key',
    ],
  ])(
    'when the file holds %s, then STORE_CORRUPT and the bytes are unchanged',
    async (_name, bytes, reason) => {
      await writeFile(file, bytes);

      const opening = createJsonFileStore({ file });

      await expect(opening).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
      const message = (
        await opening.then(
          () => undefined,
          (error: unknown) => error as Error,
        )
      )?.message;
      expect(message).toContain(file);
      expect(message).toContain(reason);
      expect(message).toMatch(/Restore the file from a backup, or move it away/);
      expect(await readFile(file)).toEqual(bytes);
      expect(await readdir(temp.dir)).toEqual(['store.json']); // no lock, no temp file left
    },
  );

  it('when the file was written by a newer release, then STORE_UNSUPPORTED_VERSION and the file is kept', async () => {
    const bytes = Buffer.from(JSON.stringify({ version: 2, everything: 'else' }));
    await writeFile(file, bytes);

    await expect(createJsonFileStore({ file })).rejects.toMatchObject({
      code: 'STORE_UNSUPPORTED_VERSION',
    });
    expect(await readFile(file)).toEqual(bytes);
  });

  it('when the file and its directory are missing, then both are created with an empty document', async () => {
    const nested = path.join(temp.dir, 'data', 'deeper', 'store.json');

    const store = await createJsonFileStore({ file: nested });

    expect(JSON.parse(await readFile(nested, 'utf8'))).toMatchObject({
      version: 1,
      leads: {},
      deletedLeadIds: [],
    });
    expect(store.sizeBytes()).toBe((await readFile(nested)).length);
    await store.close();
  });

  it('when a killed writer left a temp file, then the next open removes it and keeps other files', async () => {
    await seedFile();
    await writeFile(path.join(temp.dir, '.store.json.12345-0a1b2c3d.tmp'), '{"half":');
    await writeFile(path.join(temp.dir, '.store.json.other.12345-0a1b2c3d.tmp'), 'not ours');

    const store = await createJsonFileStore({ file });
    await store.close();

    expect((await readdir(temp.dir)).sort()).toEqual([
      '.store.json.other.12345-0a1b2c3d.tmp',
      'store.json',
    ]);
  });
});

describe('JSON-file store: failed writes', () => {
  it('when the disk write fails, then every waiting caller gets STORE_WRITE_FAILED and close writes again', async () => {
    const dir = path.join(temp.dir, 'data');
    const dataFile = path.join(dir, 'store.json');
    const store = await createJsonFileStore({ file: dataFile });
    await rm(dir, { recursive: true }); // the temp file can no longer be created

    const results = await Promise.allSettled(
      [1, 2].map((id) => store.applyLeadChanges({ upserts: [makeLead(id)] })),
    );

    const failed = {
      status: 'rejected',
      reason: expect.objectContaining({ code: 'STORE_WRITE_FAILED' }),
    };
    expect(results).toEqual([failed, failed]);
    await mkdir(dir);
    await store.close();
    const saved = JSON.parse(await readFile(dataFile, 'utf8')) as {
      leads: Record<string, unknown>;
    };
    expect(Object.keys(saved.leads)).toEqual(['1', '2']);
  });
});

describe('JSON-file store: durability under SIGKILL', () => {
  it('when a writer is killed at random moments, then the file parses and holds every acknowledged write', async () => {
    const runs = 8;
    for (let run = 0; run < runs; run++) {
      const firstId = 1_000_000 + run * 100_000;
      const writer = spawnHelper('store-writer.ts', [file, '2000', String(firstId)]);
      // The kill lands after a seeded number of acknowledged writes, while the writer is in the
      // middle of the next ones: a moment set by the writer's progress, not by a timer that a
      // busy machine can stretch until nothing was acknowledged yet.
      const ackedBeforeKill = 1 + ((run * 37 + 11) % 120);
      await acknowledgedCount(writer, ackedBeforeKill);
      writer.child.kill('SIGKILL');
      const result = await writer.done;
      expect(result.signal).toBe('SIGKILL');

      const acknowledged = result.stdout.split('\n').filter((line) => /^\d+$/.test(line));
      const document = JSON.parse(await readFile(file, 'utf8')) as {
        leads: Record<string, unknown>;
      };
      const missing = acknowledged.filter((id) => document.leads[id] === undefined);
      expect({ run, acknowledged: acknowledged.length >= ackedBeforeKill, missing }).toEqual({
        run,
        acknowledged: true,
        missing: [],
      });
    }

    // The last writer's lock is stale now: this process takes it over and sees every lead.
    const store = await createJsonFileStore({ file });
    expect(await store.countLeads()).toBeGreaterThan(2000);
    await store.close();
  });
});
