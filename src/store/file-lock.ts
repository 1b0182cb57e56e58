import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { errorCode } from './durable-file-adapter.js';
import {
  describeCurrentProcess,
  holderLiveness,
  lockHolderSchema,
  type LockHolder,
} from './process-identity.js';

/**
 * An exclusive lock file (`<file>.lock`) so that one process at a time uses a lowdb file:
 * lowdb supports one process per file, and two writers corrupt or lose data (research D1).
 *
 * The lock is created with O_EXCL ('wx'). A stale lock (holder dead on this host) is removed
 * only while holding `<file>.lock.break`, itself created with O_EXCL, and only if it is still
 * the very lock judged stale: a plain "unlink, then create" lets two racing starters both win
 * (A replaces the stale lock, then B, still acting on the stale view, deletes A's new one).
 */
export interface FileLock {
  readonly path: string;
  release(): Promise<void>;
}

const RETRY_MS = 25;
const MAX_ATTEMPTS = 80; // about 2 s of waiting for a lock that another starter is writing
/** A lock file this young with unreadable content is probably being written right now. */
const UNREADABLE_GRACE_MS = 2_000;

/** Locks of this process by lock path: the token once held, null while being acquired. */
const held = new Map<string, string | null>();
let exitHookInstalled = false;

export async function acquireFileLock(
  file: string,
  options: { now?: () => number; logger?: Logger } = {},
): Promise<FileLock> {
  const lockPath = `${file}.lock`;
  const logger = options.logger ?? silentLogger;
  if (held.has(lockPath)) {
    throw new StoreError(
      'STORE_LOCKED',
      `Data file ${file} is already open in this process (pid ${process.pid}). The JSON-file ` +
        'store allows one open store per file: close the other store first, or set DATA_FILE ' +
        'to another path.',
    );
  }
  held.set(lockPath, null);
  const token = randomBytes(12).toString('hex');
  const content = `${JSON.stringify(describeCurrentProcess(options.now?.() ?? Date.now(), token))}\n`;
  try {
    for (let attempt = 1; ; attempt++) {
      if (await createExclusive(lockPath, content)) break;
      if (attempt >= MAX_ATTEMPTS) throw busy(file, lockPath);
      const found = await inspect(lockPath);
      if (found === undefined) continue; // released meanwhile: try again at once
      const liveness = judge(found);
      if (liveness === 'alive' || liveness === 'other-host') {
        const holder = found.holder!; // an unreadable lock is judged 'busy' or 'dead'
        throw liveness === 'alive'
          ? locked(file, lockPath, holder)
          : lockedElsewhere(file, lockPath, holder);
      }
      if (liveness === 'dead' && (await breakStaleLock(lockPath, found, content, logger))) continue;
      await sleep(RETRY_MS);
    }
  } catch (error) {
    held.delete(lockPath);
    if (error instanceof StoreError) throw error;
    throw new StoreError(
      'STORE_LOCK_FAILED',
      `Could not create the lock file ${lockPath}: ${(error as Error).message}. Check that the ` +
        'directory of DATA_FILE exists and is writable by the service.',
      error,
    );
  }
  held.set(lockPath, token);
  installExitHook();
  return {
    path: lockPath,
    async release() {
      if (held.get(lockPath) !== token) return;
      held.delete(lockPath);
      if (holdsToken(await readFile(lockPath, 'utf8').catch(() => ''), token)) {
        await unlink(lockPath).catch(() => undefined);
      }
    },
  };
}

interface FoundLock {
  raw: string;
  ino: number;
  mtimeMs: number;
  holder: LockHolder | undefined;
}

async function inspect(lockPath: string): Promise<FoundLock | undefined> {
  let handle;
  try {
    handle = await open(lockPath, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { ino, mtimeMs } = await handle.stat();
    const raw = await handle.readFile('utf8');
    return { raw, ino, mtimeMs, holder: parseHolder(raw) };
  } finally {
    await handle.close();
  }
}

function judge(found: FoundLock): 'alive' | 'dead' | 'other-host' | 'busy' {
  if (found.holder !== undefined) return holderLiveness(found.holder);
  // No readable content: another starter may be between creating and writing the file. The
  // file's mtime is set by the file system, so it is compared with the real clock.
  return Date.now() - found.mtimeMs < UNREADABLE_GRACE_MS ? 'busy' : 'dead';
}

/** Removes `stale` if it is still the lock file; returns false if another starter is at it. */
async function breakStaleLock(
  lockPath: string,
  stale: FoundLock,
  content: string,
  logger: Logger,
): Promise<boolean> {
  const breaker = `${lockPath}.break`;
  if (!(await createExclusive(breaker, content))) {
    const other = await inspect(breaker);
    if (other !== undefined && judge(other) === 'dead') {
      throw new StoreError(
        'STORE_LOCKED',
        `${breaker} was left by a process that died while replacing a stale lock. Check that no ` +
          `process uses ${lockPath.slice(0, -'.lock'.length)}, then delete ${breaker}.`,
      );
    }
    return false;
  }
  try {
    const current = await inspect(lockPath);
    if (current !== undefined && current.ino === stale.ino && current.raw === stale.raw) {
      await unlink(lockPath);
      logger.warn({ lockPath, holder: stale.holder ?? stale.raw }, 'took over a stale store lock');
    }
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
  return true;
}

/** Creates `path` with `content` unless it exists (O_EXCL); false if it does. */
async function createExclusive(path: string, content: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(content);
  } catch (error) {
    await handle.close();
    await unlink(path).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return true;
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const parsed = lockHolderSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function holdsToken(raw: string, token: string): boolean {
  return parseHolder(raw)?.token === token;
}

/** A process that exits without close() (an uncaught error, process.exit) leaves no lock. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [lockPath, token] of held) {
      if (token === null) continue;
      try {
        if (holdsToken(readFileSync(lockPath, 'utf8'), token)) unlinkSync(lockPath);
      } catch {
        // Exiting anyway; a lock left behind is taken over as stale on the next start.
      }
    }
  });
}

function locked(file: string, lockPath: string, holder: LockHolder): StoreError {
  return new StoreError(
    'STORE_LOCKED',
    `Data file ${file} is in use by another process: pid ${holder.pid} on ${holder.hostname}, ` +
      `since ${holder.startedAt} (lock file ${lockPath}). The JSON-file store allows one ` +
      'process per file: stop the other process or set DATA_FILE to another path.',
  );
}

function lockedElsewhere(file: string, lockPath: string, holder: LockHolder): StoreError {
  return new StoreError(
    'STORE_LOCKED',
    `Data file ${file} is locked by pid ${holder.pid} on host ${holder.hostname}, since ` +
      `${holder.startedAt}, which this host cannot check (lock file ${lockPath}). The JSON-file ` +
      'store allows one process per file: stop the other process or set DATA_FILE to another ' +
      `path. If no process on ${holder.hostname} uses the file any more, delete ${lockPath}.`,
  );
}

function busy(file: string, lockPath: string): StoreError {
  return new StoreError(
    'STORE_LOCKED',
    `Data file ${file} is being opened by another process (its lock file ${lockPath} is being ` +
      'created or taken over). Stop the other process or set DATA_FILE to another path.',
  );
}
