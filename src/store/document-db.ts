import { Low, type Adapter } from 'lowdb';
import { StoreError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { createGroupCommit, type GroupCommit } from './group-commit.js';
import type { LeadJournal } from './lead-journal.js';
import type { StoreDocument } from './store-document.js';
import type { WriteOptions } from './types.js';

/** What a mutator of `updateIfChanged` returns: its result, and whether it changed the document. */
export interface Changed<T> {
  result: T;
  changed: boolean;
}

export interface DocumentDbOptions {
  adapter: Adapter<StoreDocument>;
  /** The document as read (or freshly created); the same object lives as long as the db. */
  document: StoreDocument;
  /** Where the document lives, for messages: a file path, or `memory`. */
  location: string;
  logger?: Logger;
  /** Bytes of the last document written (0 for memory). */
  sizeBytes?: () => number;
  /** Runs once on close, after the last write: releases the file lock. */
  onClose?: () => Promise<void>;
  /**
   * Where changes written with `durability: 'journal'` go (lead-journal.ts); without one they
   * are written whole, as `durable` ones are.
   */
  journal?: Pick<LeadJournal, 'append' | 'seal' | 'discardBefore' | 'close' | 'bytes'>;
  /** Journal bytes past which the document is written whole; default max(4 MiB, its size). */
  checkpointBytes?: number;
}

/** What a journal may hold before a checkpoint, at least: replay reads about as fast. */
const MIN_CHECKPOINT_BYTES = 4 * 1024 * 1024;

/**
 * The lowdb document plus the one way to change it: `update(mutate)`. The mutator runs
 * synchronously on the live document, so a read-modify-write inside it cannot interleave with
 * another caller (lowdb #478, research D4); the returned promise resolves once a write that
 * started after the mutation is durable (group commit). Every collection module of the store
 * (leads, sync state, usage, and later dialogues, meetings, outbox, tokens) changes the
 * document only through here.
 */
export class DocumentDb {
  readonly location: string;
  private readonly low: Low<StoreDocument>;
  private readonly commits: GroupCommit;
  private readonly logger: Logger;
  private readonly sizeOf: () => number;
  private readonly onClose: (() => Promise<void>) | undefined;
  private readonly journal: DocumentDbOptions['journal'];
  private readonly checkpointBytes: () => number;
  private closing: Promise<void> | undefined;
  /** The last write's failure, until a write succeeds again (ping reports it). */
  private failedWrite: StoreError | undefined;

  constructor(options: DocumentDbOptions) {
    this.location = options.location;
    this.low = new Low(options.adapter, options.document);
    this.logger = options.logger ?? silentLogger;
    this.sizeOf = options.sizeBytes ?? (() => 0);
    this.onClose = options.onClose;
    this.journal = options.journal;
    const { checkpointBytes } = options;
    this.checkpointBytes = () => checkpointBytes ?? Math.max(MIN_CHECKPOINT_BYTES, this.sizeOf());
    this.commits = createGroupCommit((lines) => this.commit(lines));
  }

  /**
   * The live document. Read it freely; change it only inside `update`, and only by putting
   * frozen values in, never by changing one in place (document-snapshot.ts).
   */
  get data(): StoreDocument {
    return this.low.data;
  }

  /**
   * Applies `mutate` now and resolves with its result once the change is durable. A mutator
   * must validate before it changes anything: if it throws, nothing is written and the promise
   * rejects. If the write fails, every caller waiting for it gets STORE_WRITE_FAILED; the
   * change stays in memory and goes out with the next successful write, so a rejection means
   * "not known to be durable", as with any database whose commit acknowledgement is lost.
   * A small, frequent change goes to the journal instead (`updateJournaled`).
   */
  update<T>(mutate: (doc: StoreDocument) => T, options?: WriteOptions): Promise<T> {
    return this.updateIfChanged((doc) => ({ result: mutate(doc), changed: true }), options);
  }

  /**
   * `update` for a mutator that may find nothing to change (no outbox item due, a stale lease,
   * a repeat assignment): when it reports `changed: false` no write is requested, which keeps
   * a relay polling every second from rewriting a document of tens of MB every second. The
   * promise still resolves only once the document as it is now is durable, since what the
   * mutator read (an item enqueued a moment ago, say) may be a change still being written.
   */
  updateIfChanged<T>(
    mutate: (doc: StoreDocument) => Changed<T>,
    options?: WriteOptions,
  ): Promise<T> {
    return this.apply(mutate, options, undefined);
  }

  /**
   * `update` for a change that a journal line can carry (a lead change, lead-journal.ts): with
   * `durability: 'journal'` it is durable once `entry` is appended to the journal and synced,
   * in one append per group commit, instead of once the whole document is rewritten; the
   * document takes it at the next checkpoint. `entry` is what replay applies again on open.
   */
  updateJournaled<T>(
    mutate: (doc: StoreDocument) => { result: T; entry: unknown },
    options?: WriteOptions,
  ): Promise<T> {
    let entry: unknown;
    return this.apply(
      (doc) => {
        const outcome = mutate(doc);
        entry = outcome.entry;
        return { result: outcome.result, changed: true };
      },
      options,
      () => JSON.stringify(entry),
    );
  }

  private apply<T>(
    mutate: (doc: StoreDocument) => Changed<T>,
    options: WriteOptions | undefined,
    line: (() => string) | undefined,
  ): Promise<T> {
    if (this.closing !== undefined) {
      return Promise.reject(
        new StoreError('STORE_CLOSED', `The store at ${this.location} is closed; no more writes.`),
      );
    }
    let outcome: Changed<T>;
    try {
      outcome = mutate(this.low.data);
    } catch (error) {
      return Promise.reject(error);
    }
    const journaled = options?.durability === 'journal' && this.journal !== undefined;
    const durable = !outcome.changed
      ? this.commits.settled()
      : this.commits.request(journaled && line !== undefined ? line() : undefined);
    return durable.then(() => outcome.result);
  }

  /** Resolves when every acknowledged write is durable. */
  flush(): Promise<void> {
    return this.commits.settled();
  }

  /**
   * Refuses further writes, waits for those in flight, then runs `onClose` (even if they
   * failed).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.flush();
        // A clean close leaves the document alone, holding every journal line.
        if (this.journal !== undefined && this.journal.bytes > 0) await this.commits.request();
      } finally {
        await this.journal?.close();
        await this.onClose?.();
      }
    })();
    return this.closing;
  }

  sizeBytes(): number {
    return this.sizeOf();
  }

  /** Throws when no write can be acknowledged now: closed, or the last write failed. */
  ping(): void {
    if (this.closing !== undefined) {
      throw new StoreError('STORE_CLOSED', `The store at ${this.location} is closed.`);
    }
    if (this.failedWrite !== undefined) throw this.failedWrite;
  }

  /** One group commit: the journal lines appended, or (`undefined`) the document written whole. */
  private async commit(lines: readonly string[] | undefined): Promise<void> {
    const { journal } = this;
    if (lines !== undefined && journal !== undefined) {
      try {
        await journal.append(lines);
      } catch (error) {
        throw this.writeFailed(error);
      }
      this.failedWrite = undefined;
      this.logger.debug({ location: this.location, lines: lines.length }, 'journal appended');
      if (journal.bytes >= this.checkpointBytes()) {
        // A checkpoint bounds the journal, and so the replay at the next start; the callers
        // of the next commit wait for it instead of an append, once per checkpointBytes.
        this.commits.request().catch(() => undefined); // writeNow logs a failure
      }
      return;
    }
    // The document about to be written holds every line appended so far: it records that the
    // next generation is the first it does not hold, and the older files go once it is durable.
    const generation = journal?.seal();
    if (generation !== undefined) this.low.data.journalGeneration = generation;
    await this.writeNow();
    if (journal !== undefined && generation !== undefined) {
      await journal.discardBefore(generation).catch((error: unknown) => {
        // Harmless: a file older than the document's generation is never replayed.
        this.logger.warn({ err: error, location: this.location }, 'old journal not removed');
      });
    }
  }

  private writeFailed(error: unknown): StoreError {
    this.logger.error({ err: error, location: this.location }, 'store write failed');
    this.failedWrite = new StoreError(
      'STORE_WRITE_FAILED',
      `Could not write the store at ${this.location}: ${(error as Error).message}`,
      error,
    );
    return this.failedWrite;
  }

  private async writeNow(): Promise<void> {
    const started = performance.now();
    try {
      // Low.write hands the live document to the adapter, which takes its snapshot before its
      // first await, so the write holds every mutation made before it started and none after.
      await this.low.write();
    } catch (error) {
      throw this.writeFailed(error);
    }
    this.failedWrite = undefined;
    this.logger.debug(
      {
        location: this.location,
        bytes: this.sizeOf(),
        ms: Math.round(performance.now() - started),
      },
      'store written',
    );
  }
}
