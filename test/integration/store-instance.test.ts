import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createManualClock, createSequentialIds } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { seedAgents } from '../../src/meetings/seed-agents.js';
import { DEMO_AGENTS } from '../../src/routing/routing-agents.js';
import { encodePosition } from '../../src/sandbox/sandbox-activity-log.js';
import { createJsonFileStore } from '../../src/store/index.js';
import { moveStoreAside } from '../../src/store/move-store-aside.js';
import { initialSyncState } from '../../src/store/types.js';
import { makeLead } from '../helpers/store-fixtures.js';

const REAL_KEYS = {
  MARKETO_CLIENT_ID: 'client-id',
  MARKETO_CLIENT_SECRET: 'client-secret',
  ADMIN_TOKEN: 'a'.repeat(32),
  WEBHOOK_SECRET: 'w'.repeat(32),
  SSFS_API_KEY: 'k'.repeat(32),
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function dataFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'store-instance-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'store.json');
}

/** Opens the runtime the service and the CLI use; nothing here calls Marketo. */
async function start(file: string, marketoBaseUrl?: string): Promise<Runtime> {
  const env = marketoBaseUrl
    ? { DATA_FILE: file, MARKETO_BASE_URL: marketoBaseUrl, ...REAL_KEYS }
    : { DATA_FILE: file, SANDBOX_LEADS: '5' };
  const clock = createManualClock(Date.parse('2026-12-07T02:00:00Z'));
  return createRuntime(loadConfig(env), silentLogger, clock);
}

async function startAndClose(file: string, marketoBaseUrl?: string): Promise<void> {
  const runtime = await start(file, marketoBaseUrl);
  await runtime.close();
}

describe('a store belongs to one Marketo instance', () => {
  it('when the same instance starts again, however its URL is written, then the store opens', async () => {
    const sandboxFile = await dataFile();
    await startAndClose(sandboxFile);
    await expect(startAndClose(sandboxFile)).resolves.toBeUndefined();

    const realFile = await dataFile();
    await startAndClose(realFile, 'https://123-ABC-456.mktorest.com');
    const again = await start(realFile, 'https://123-abc-456.mktorest.com/rest/');
    expect((await again.store.loadInstance())?.id).toBe('munchkin:123-ABC-456');
    await again.close();
  });

  it('when a sandbox store is started with a real instance, then the start is refused naming the file and the way to start afresh, and the store is unchanged', async () => {
    const file = await dataFile();
    await startAndClose(file);

    const refused = start(file, 'https://123-ABC-456.mktorest.com');
    await expect(refused).rejects.toMatchObject({ code: 'STORE_OTHER_INSTANCE' });
    const message = await refused.catch((error: Error) => error.message);
    expect(message).toContain(file);
    expect(message).toContain('the built-in Marketo sandbox');
    expect(message).toContain('Marketo instance 123-ABC-456');
    expect(message).toContain('npm run reset-store');
    expect(message).toContain('DATA_FILE');

    // Refused before anything was written; the sandbox still opens it.
    const sandbox = await start(file);
    expect((await sandbox.store.loadInstance())?.id).toBe('sandbox');
    await sandbox.close();
  });

  it('when two real instances share a file, then the second is refused', async () => {
    const file = await dataFile();
    await startAndClose(file, 'https://123-ABC-456.mktorest.com');
    await expect(start(file, 'https://987-XYZ-654.mktorest.com')).rejects.toThrow(
      /holds the data of Marketo instance 123-ABC-456.*configured for Marketo instance 987-XYZ-654/s,
    );
  });

  it('when the store is moved aside as documented, then the real instance starts on an empty store and the old file is kept', async () => {
    const file = await dataFile();
    await startAndClose(file);

    const aside = await moveStoreAside(file, Date.parse('2026-12-07T02:05:00Z'));
    expect(aside).toBe(file.replace(/store\.json$/, 'store.2026-12-07T02-05-00-000Z.json'));
    const real = await start(file, 'https://123-ABC-456.mktorest.com');
    expect((await real.store.loadInstance())?.id).toBe('munchkin:123-ABC-456');
    expect((await real.store.loadSyncState()).phase).toBe('none');
    expect(await real.store.listAgents()).toEqual([]);

    // While the store is open, it cannot be moved aside.
    await expect(moveStoreAside(file, Date.now())).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    await real.close();
    const files = await readdir(join(file, '..'));
    expect(files.sort()).toEqual(['store.2026-12-07T02-05-00-000Z.json', 'store.json']);
  });

  describe('a store from an older release, which records no instance', () => {
    const REAL = 'https://123-ABC-456.mktorest.com';

    /** Writes a store as a release before instances were recorded left it. */
    async function olderStore(
      file: string,
      content: { leads?: number; token?: string; demoAgents?: boolean },
    ): Promise<void> {
      const store = await createJsonFileStore({ file });
      const state = initialSyncState(['email']);
      if (content.token !== undefined) {
        state.phase = 'incremental';
        state.changes.nextPageToken = content.token;
        state.deletions.nextPageToken = content.token;
      }
      const upserts = Array.from({ length: content.leads ?? 0 }, (_, i) => makeLead(i + 1));
      await store.commitSync({ upserts, state });
      if (content.demoAgents) {
        const deps = {
          store,
          clock: createManualClock(),
          ids: createSequentialIds('agent'),
          logger: silentLogger,
        };
        await seedAgents(deps, DEMO_AGENTS, { demo: true });
      }
      expect(await store.loadInstance()).toBeUndefined();
      await store.close();
    }

    it('when it holds the sandbox paging token and demo leads, then a real instance is refused with the reset advice and the sandbox still opens it', async () => {
      const file = await dataFile();
      await olderStore(file, { leads: 3, token: encodePosition('activities', 2060) });

      const refused = start(file, REAL);
      await expect(refused).rejects.toMatchObject({ code: 'STORE_OTHER_INSTANCE' });
      const message = await refused.catch((error: Error) => error.message);
      expect(message).toContain('the built-in Marketo sandbox');
      expect(message).toContain('npm run reset-store');

      const sandbox = await start(file);
      expect((await sandbox.store.loadInstance())?.id).toBe('sandbox');
      await sandbox.close();
    });

    it('when it holds only the seeded demo agents, then a real instance is refused', async () => {
      const file = await dataFile();
      await olderStore(file, { demoAgents: true });

      await expect(start(file, REAL)).rejects.toThrow(
        /holds the data of the built-in Marketo sandbox/,
      );
    });

    it('when it holds leads and a cursor that do not tell the instance, then the start is refused with the reset advice', async () => {
      const file = await dataFile();
      await olderStore(file, { leads: 2, token: 'NOTASANDBOXTOKEN' });

      const refused = start(file, REAL);
      await expect(refused).rejects.toMatchObject({ code: 'STORE_OTHER_INSTANCE' });
      const message = await refused.catch((error: Error) => error.message);
      expect(message).toContain(file);
      expect(message).toContain('older release');
      expect(message).toContain('npm run reset-store');
    });

    it('when it is empty, then the instance that opens it adopts it', async () => {
      const file = await dataFile();
      await olderStore(file, {});

      const real = await start(file, REAL);
      expect((await real.store.loadInstance())?.id).toBe('munchkin:123-ABC-456');
      await real.close();
    });
  });
});
