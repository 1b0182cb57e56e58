import { mkdir, readlink, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import type { Clock } from '../deps.js';
import { StoreError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { DocumentDb } from './document-db.js';
import { serializeDocumentSnapshot, takeDocumentSnapshot } from './document-snapshot.js';
import { DurableFileAdapter, errorCode } from './durable-file-adapter.js';
import { acquireFileLock } from './file-lock.js';
import {
  LeadJournal,
  listJournalFiles,
  replayLeadJournal,
  type JournalFile,
} from './lead-journal.js';
import { LowdbStore, type LowdbStoreOptions } from './lowdb-store.js';
import { createEmptyDocument, parseStoreDocument, type StoreDocument } from './store-document.js';

export interface JsonFileStoreOptions extends LowdbStoreOptions {
  /** DATA_FILE: the JSON document. Its directory is created if missing. */
  file: string;
  logger?: Logger;
  clock?: Clock;
  /** Lead-journal bytes past which the document is written whole; default max(4 MiB, its size). */
  journalCheckpointBytes?: number;
}

/**
 * The default store: one JSON document, rewritten whole on every (group) commit, except for
 * lead changes written with `durability: 'journal'`, appended to the lead journal beside it
 * (lead-journal.ts) and replayed here at the next open after a crash. One process
 * per file, enforced by a lock file; a corrupt file stops the start instead of being reset.
 * Every write serialises the whole document (about 42 MB and 0.3 s at 100,000 leads, see
 * bench/store.ts) in chunks with the event loop free between them (the longest stall about
 * 15 ms, not 0.3 s); past that size a database is still the better store.
 */
export async function createJsonFileStore(options: JsonFileStoreOptions): Promise<LowdbStore> {
  const logger = options.logger ?? silentLogger;
  const started = performance.now();
  let file: string;
  try {
    file = await resolveStoreFile(path.resolve(options.file));
  } catch (error) {
    throw new StoreError(
      'STORE_OPEN_FAILED',
      `Could not create the directory of data file ${options.file}: ${(error as Error).message}`,
      error,
    );
  }

  const { clock } = options;
  const lock = await acquireFileLock(file, { now: clock && (() => clock.now()), logger });
  try {
    const adapter = new StoreDocumentFile(file);
    const leftovers = await adapter.durable.removeStaleTempFiles();
    if (leftovers.length > 0) {
      logger.info({ file, leftovers }, 'removed temp files of a killed write');
    }

    let document = await adapter.read();
    if (document === null) {
      // Only a missing file starts empty; any unreadable content has thrown above. Journal
      // files without their document (moved away to start afresh) mean nothing on their own.
      document = createEmptyDocument();
      const orphans = await listJournalFiles(file);
      await adapter.write(document);
      await removeFiles(orphans);
      logger.info({ file, removedJournals: orphans.length }, 'created a new store file');
    } else {
      // Lead changes acknowledged after the last whole write: applied, then written whole.
      const journal = await replayLeadJournal(file, document);
      if (journal.files.length > 0) {
        await adapter.write(document);
        await removeFiles(journal.files);
        logger.info({ file, replayed: journal.replayed }, 'replayed the lead journal');
      }
    }
    const store = new LowdbStore(
      new DocumentDb({
        adapter,
        document,
        location: file,
        logger,
        sizeBytes: () => adapter.bytes,
        onClose: () => lock.release(),
        journal: new LeadJournal(file, document.journalGeneration),
        checkpointBytes: options.journalCheckpointBytes,
      }),
      { ids: options.ids },
    );
    logger.info(
      {
        file,
        leads: await store.countLeads(),
        bytes: adapter.bytes,
        ms: Math.round(performance.now() - started),
      },
      'store opened',
    );
    return store;
  } catch (error) {
    await lock.release();
    if (error instanceof StoreError) throw error;
    throw new StoreError(
      'STORE_OPEN_FAILED',
      `Could not open data file ${file}: ${(error as Error).message}`,
      error,
    );
  }
}

function removeFiles(files: readonly JournalFile[]): Promise<unknown> {
  return Promise.all(files.map((f) => rm(f.path, { force: true })));
}

/**
 * lowdb adapter for the store document: JSON over the durable file adapter, like lowdb's own
 * DataFile over steno, plus validation on read and the size of the last write.
 */
export class StoreDocumentFile implements Adapter<StoreDocument> {
  readonly durable: DurableFileAdapter;
  /** Bytes of the document last read or written. */
  bytes = 0;

  constructor(file: string) {
    this.durable = new DurableFileAdapter(file);
  }

  async read(): Promise<StoreDocument | null> {
    let bytes: Uint8Array | null;
    try {
      bytes = await this.durable.read();
    } catch (error) {
      throw new StoreError(
        'STORE_OPEN_FAILED',
        `Could not read data file ${this.durable.file}: ${(error as Error).message}`,
        error,
      );
    }
    if (bytes === null) return null;
    const document = parseStoreDocument(bytes, this.durable.file);
    this.bytes = bytes.length;
    return document;
  }

  write(document: StoreDocument): Promise<void> {
    // The snapshot is taken now, before anything is awaited: it holds every mutation made
    // before the write started and none made after (see group-commit.ts), and is serialised
    // a chunk at a time while the event loop goes on. Compact JSON: indentation would add
    // about a fifth to the size and the time of every write.
    const snapshot = takeDocumentSnapshot(document);
    return this.durable.writeChunks(serializeDocumentSnapshot(snapshot)).then((bytes) => {
      this.bytes = bytes;
    });
  }
}

/**
 * The file itself, not the path it was named by: a symlink (to the file, or to a directory on
 * the way) is followed, so two names of one file take one lock, and the durable write's rename
 * replaces the file rather than the link. Creates the file's directory when it is missing.
 */
export async function resolveStoreFile(named: string): Promise<string> {
  let file = named;
  for (let hops = 0; ; hops++) {
    let target: string;
    try {
      target = await readlink(file);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EINVAL' || code === 'ENOENT') break; // not a link, or not there yet
      throw error;
    }
    if (hops >= 40) throw new Error(`too many symbolic links at ${named}`);
    file = path.resolve(path.dirname(file), target); // a link's target may itself be relative
  }
  await mkdir(path.dirname(file), { recursive: true });
  return path.join(await realpath(path.dirname(file)), path.basename(file));
}
