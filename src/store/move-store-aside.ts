import { rename } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from '../errors.js';
import { acquireFileLock } from './file-lock.js';

/**
 * Starts afresh without losing anything: renames the data file to `<name>.<time>.json` beside
 * it, under the file's lock, so a store that is open elsewhere is refused (the lock names its
 * holder). The next start creates an empty store. Returns the new path, or undefined when there
 * was no file.
 */
export async function moveStoreAside(file: string, now: number): Promise<string | undefined> {
  const resolved = path.resolve(file);
  const lock = await acquireFileLock(resolved, { now: () => now });
  try {
    const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
    const { dir, name, ext } = path.parse(resolved);
    const aside = path.join(dir, `${name}.${stamp}${ext || '.json'}`);
    try {
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
