import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';

/**
 * A lowdb adapter whose acknowledged writes survive a crash and, as far as the OS allows, a
 * power loss. lowdb's default writer (steno 4) renames a fixed `.<name>.tmp` without fsync,
 * so a power loss can leave an empty or NUL-filled file, and two writers share the temp name
 * (research D2). Here each write goes to a unique temp file in the same directory (rename is
 * atomic only within a file system), is fsynced, renamed over the target, and then the
 * directory is fsynced so the rename itself is on disk before the write is acknowledged.
 *
 * The content can come in chunks (`writeChunks`), each taken from the iterator only when the
 * previous one is with the OS, so a producer that serialises on demand never holds the whole
 * text, and the event loop runs between chunks: every disk write is awaited.
 */
export class DurableFileAdapter implements Adapter<Uint8Array> {
  readonly file: string;
  private readonly dir: string;
  private readonly base: string;

  constructor(file: string) {
    this.file = path.resolve(file);
    this.dir = path.dirname(this.file);
    this.base = path.basename(this.file);
  }

  /** The file's bytes, or null when it does not exist (any other error is thrown). */
  async read(): Promise<Uint8Array | null> {
    try {
      return await readFile(this.file);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw error;
    }
  }

  async write(data: Uint8Array): Promise<void> {
    await this.writeChunks([data]);
  }

  /**
   * Writes the chunks, in order, as the file's new content; resolves with the byte count once
   * it is durable. If the iterator throws, the write fails and the file is left as it was.
   */
  async writeChunks(chunks: Iterable<string | Uint8Array>): Promise<number> {
    const temp = path.join(
      this.dir,
      `.${this.base}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
    );
    let bytes = 0;
    try {
      // 0o600: the document holds personal data (lead emails and names).
      const handle = await open(temp, 'wx', 0o600);
      try {
        for (const chunk of chunks) {
          const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
          await writeFully(handle, data);
          bytes += data.length;
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw error;
    }
    await syncDirectory(this.dir);
    return bytes;
  }

  /**
   * Deletes temp files that a killed writer left behind. Call it only while holding the file's
   * lock: the pattern matches this file's temp names exactly, never another file's.
   */
  async removeStaleTempFiles(): Promise<string[]> {
    const pattern = new RegExp(`^\\.${escapeRegExp(this.base)}\\.\\d+-[0-9a-f]{8}\\.tmp$`);
    const names = (await readdir(this.dir)).filter((name) => pattern.test(name));
    await Promise.all(names.map((name) => rm(path.join(this.dir, name), { force: true })));
    return names;
  }
}

/** write(2) may take fewer bytes than offered: carry on from where it stopped. */
export async function writeFully(handle: FileHandle, data: Uint8Array): Promise<void> {
  for (let offset = 0; offset < data.length;) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    if (bytesWritten === 0) throw new Error(`write to ${handle.fd} made no progress`);
    offset += bytesWritten;
  }
}

/** Makes a rename durable: on Linux the new directory entry is on disk only after this. */
export async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
