import { open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { StoreError } from '../errors.js';
import { syncDirectory, writeFully } from './durable-file-adapter.js';
import { LeadRecords, type LeadChanges } from './lead-records.js';
import { deepFreeze } from './document-snapshot.js';
import { refuseInvalid } from './record-validation.js';
import type { StoreDocument } from './store-document.js';
import { syncStateSchema } from './types.js';

/**
 * The lead journal: a write-ahead log beside the JSON document, for lead changes that must be
 * durable before they are acknowledged but are too small and too frequent to rewrite the whole
 * document for (the lead webhook: one lead per call, up to about 20 calls in flight per Marketo
 * instance), and for the lead sync's pages (a page's leads and the cursor after them, as one
 * line with `sync`). Each group commit appends one line per change and fsyncs the file once, about a
 * millisecond, where a whole-document write of 10,000 leads costs tens of ms of CPU.
 *
 * Files: `<data file>.journal-<generation>`, one JSON line per applied `LeadChanges`. The
 * document records `journalGeneration`, the first generation it does not hold. A whole-document
 * write (a checkpoint) first moves appends on to the next generation (`seal`), so its snapshot
 * holds every line of the older files, and removes them once it is durable. Opening replays
 * the files from the document's generation on, in order; a file left over from before it is
 * stale (a crash between the rename and the removal) and is only removed. Replay re-applies the
 * changes with the store's own rules (newer observation wins, deleted ids stay deleted), in the
 * order they were made. A line holds the leads as they were written (LeadRecords.apply): a
 * merging upsert's line carries the merged fields, not the merge, so replay never depends on
 * what the lead held before it, and an upsert the store ignored is not written at all.
 *
 * A line is acknowledged only after its fsync, so only an unacknowledged line can be torn: a
 * file's last line without its newline is dropped on replay. After a failed write nothing more
 * is written to that file, and the next commit is a checkpoint, which seals it.
 */
export class LeadJournal {
  readonly file: string;
  /** The generation appends go to. */
  generation: number;
  /** Bytes appended to the current generation. */
  bytes = 0;
  private handle: FileHandle | undefined;
  private sealed: FileHandle[] = [];
  /** The writes of this generation, one after another, so lines land in the order appended. */
  private writes: Promise<unknown> = Promise.resolve();
  /** A write failed: the file may end in a torn line, and nothing more is written to it. */
  private broken = false;
  /** The directory's sync after this generation's file was created. */
  private created: Promise<void> | undefined;

  constructor(file: string, generation: number) {
    this.file = file;
    this.generation = generation;
  }

  /**
   * Appends the lines (each without a newline) and resolves once they are on disk. Appends may
   * overlap: their bytes are written in call order, and only their syncs run at once.
   */
  async append(lines: readonly string[]): Promise<void> {
    const data = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    const written = this.writes.then(() => this.write(data));
    this.writes = written.catch(() => undefined);
    const handle = await written;
    await handle.datasync();
    // A new file's directory entry is on disk only once the directory is synced.
    await this.created;
  }

  private async write(data: Buffer): Promise<FileHandle> {
    if (this.broken) throw new Error('an earlier append to this journal file failed');
    try {
      if (this.handle === undefined) {
        // 0o600: the lines hold personal data (lead emails and names), as the document does.
        this.handle = await open(journalFile(this.file, this.generation), 'a', 0o600);
        this.created = syncDirectory(path.dirname(this.file));
        this.created.catch(() => undefined); // each append awaits it and sees its error
      }
      await writeFully(this.handle, data);
      this.bytes += data.length;
      return this.handle;
    } catch (error) {
      this.broken = true;
      throw error;
    }
  }

  /**
   * Moves appends on to the next generation and returns it, for the document about to be
   * written whole: call it synchronously before the write takes its snapshot.
   */
  seal(): number {
    if (this.handle !== undefined) this.sealed.push(this.handle);
    this.handle = undefined;
    this.broken = false;
    this.created = undefined;
    this.writes = Promise.resolve();
    this.generation += 1;
    this.bytes = 0;
    return this.generation;
  }

  /** After a checkpoint holding every generation before `generation` is durable: removes them. */
  async discardBefore(generation: number): Promise<void> {
    const handles = this.sealed;
    this.sealed = [];
    await Promise.all(handles.map((handle) => handle.close().catch(() => undefined)));
    const files = await listJournalFiles(this.file);
    await Promise.all(
      files.filter((f) => f.generation < generation).map((f) => rm(f.path, { force: true })),
    );
  }

  async close(): Promise<void> {
    const handles = [...this.sealed, ...(this.handle === undefined ? [] : [this.handle])];
    this.sealed = [];
    this.handle = undefined;
    await Promise.all(handles.map((handle) => handle.close().catch(() => undefined)));
  }
}

export function journalFile(file: string, generation: number): string {
  return `${file}.journal-${generation}`;
}

export interface JournalFile {
  path: string;
  generation: number;
}

/** The journal files of a data file, oldest generation first. */
export async function listJournalFiles(file: string): Promise<JournalFile[]> {
  const base = path.basename(file);
  const prefix = `${base}.journal-`;
  const names = await readdir(path.dirname(file));
  return names
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => ({
      path: path.join(path.dirname(file), name),
      generation: Number(name.slice(prefix.length)),
    }))
    .sort((a, b) => a.generation - b.generation);
}

/**
 * The lines of the journal files from `generation` on, parsed, in the order they were
 * appended; a torn last line of a file is dropped. A complete line that is not JSON is damage:
 * STORE_CORRUPT, and the caller stops rather than lose what follows it.
 */
export async function readJournal(files: readonly JournalFile[]): Promise<unknown[]> {
  const entries: unknown[] = [];
  for (const file of files) {
    const text = await readFile(file.path, 'utf8');
    const lines = text.split('\n');
    lines.pop(); // after the last newline: empty, or a line torn by a crash, never acknowledged
    lines.forEach((line, index) => {
      try {
        entries.push(JSON.parse(line));
      } catch (error) {
        throw new StoreError(
          'STORE_CORRUPT',
          `Journal ${file.path} cannot be read: line ${index + 1} is not valid JSON. The service ` +
            'will not start and has not changed it. Restore the data file and its journal ' +
            'from a backup, or move both away to start with an empty store.',
          error,
        );
      }
    });
  }
  return entries;
}

/**
 * At open, with the lock held: applies the journal lines the document does not hold yet to
 * it, in memory, and sets its generation past every file found. The caller then writes the
 * document and removes `files`. A line the store's rules refuse is damage, as a bad line is.
 */
export async function replayLeadJournal(
  file: string,
  document: StoreDocument,
): Promise<{ files: JournalFile[]; replayed: number }> {
  const files = await listJournalFiles(file);
  if (files.length === 0) return { files, replayed: 0 };
  const live = files.filter((f) => f.generation >= document.journalGeneration);
  const entries = await readJournal(live);
  const leads = new LeadRecords(document);
  entries.forEach((entry, index) => {
    try {
      leads.apply(entry as LeadChanges);
      // A sync page's line carries the cursor that follows its leads (LowdbStore.commitSync).
      const { sync } = entry as { sync?: unknown };
      if (sync !== undefined) {
        document.sync = deepFreeze(refuseInvalid(syncStateSchema, sync, 'journaled sync state'));
      }
    } catch (error) {
      throw new StoreError(
        'STORE_CORRUPT',
        `Journal of ${file} cannot be replayed: entry ${index + 1} is not a lead change or sync page ` +
          `(${(error as Error).message}). The service will not start and has not changed it.`,
        error,
      );
    }
  });
  // Past every file found, stale ones too, so that no later append reuses a name.
  document.journalGeneration = Math.max(
    document.journalGeneration,
    files[files.length - 1]!.generation + 1,
  );
  return { files, replayed: entries.length };
}
