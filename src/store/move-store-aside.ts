import { rename } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from '../errors.js';
import { acquireFileLock } from './file-lock.js';
import { resolveStoreFile } from './json-file-store.js';
import { listJournalFiles } from './lead-journal.js';

/**
 * Starts afresh without losing anything: renames the data file to `<name>.<time>.json` beside
 * it, with its lead-journal files (acknowledged writes a crash left unmerged) renamed to match,
 * under the file's lock, so a store that is open elsewhere is refused (the lock names its
 * holder). A symlinked DATA_FILE is followed as the store follows it: the store is moved, not
 * the link, and the lock is the one the service holds. The next start creates an empty store.
 * Returns the new path, or undefined when there was no file.
 */
export async function moveStoreAside(file: string, now: number): Promise<string | undefined> {
  const resolved = await resolveStoreFile(file);
  const lock = await acquireFileLock(resolved, { now: () => now });
  try {
    const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
    const { dir, name, ext } = path.parse(resolved);
    const aside = path.join(dir, `${name}.${stamp}${ext || '.json'}`);
    try {
      // Journals first: a stop between the renames leaves them beside the moved name, where
      // opening it replays them, never beside a document the next start would keep.
      for (const journal of await listJournalFiles(resolved)) {
        const suffix = journal.path.slice(resolved.length);
        await rename(journal.path, `${aside}${suffix}`);
      }
      await rename(resolved, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StoreError(
        'STORE_RESET_FAILED',
        `Could not move data file ${resolved} aside: ${(error as Error).message}`,
        error,
      );
    }
    return aside;
  } finally {
    await lock.release();
  }
}
