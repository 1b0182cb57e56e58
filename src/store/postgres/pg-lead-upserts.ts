import type pg from 'pg';
import type { ParsedLeadUpsert } from '../lead-records.js';
import { mapPgError } from './pg-errors.js';
import type { Queryable } from './pg-pool.js';

/** What one upsert did. */
export type UpsertResult = 'created' | 'updated' | 'ignored';

/**
 * Statements in flight at once; the calls that arrive meanwhile wait and go as one. One: at
 * Marketo's 20 connections the calls then share a statement nine at a time, and each statement
 * costs the server about 150 us whatever it holds (round trip, executor, commit), so fewer
 * statements are less CPU taken from the route on a machine the database shares: paired runs
 * of bench/webhooks.ts gave 45-68% of the bare route with one against 46-59% with two (about
 * five calls a statement) and the server's CPU 28-45 against 43-62 us a call; four (three a
 * statement) was lower still. p99 was alike. The batch grows with the wait, so a slow commit
 * makes larger statements rather than a queue.
 */
const MAX_IN_FLIGHT = 1;

interface Waiting {
  upserts: readonly ParsedLeadUpsert[];
  resolve: (results: UpsertResult[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for lead upserts, as the lowdb store's group-commit.ts does for its journal:
 * up to MAX_IN_FLIGHT statements run at once; calls arriving while all are busy are queued and
 * sent together as the next statement, in arrival order (a later upsert of one lead wins over an
 * earlier one unless it is older, as if applied one after the other). Each caller resolves once
 * the statement holding its leads has committed (an autocommit statement is durable when it
 * returns), and all callers of a statement share its error, as they would share a failed COMMIT.
 * Twenty webhook calls then cost a few round trips and WAL flushes instead of twenty.
 */
export class LeadUpsertBatcher {
  private queue: Waiting[] = [];
  private inFlight = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly upsert: (
      db: Queryable,
      upserts: readonly ParsedLeadUpsert[],
    ) => Promise<UpsertResult[]>,
    /** Statements at once: MAX_IN_FLIGHT unless a test asks another. */
    private readonly maxInFlight = MAX_IN_FLIGHT,
  ) {}

  /** Resolves with what each of `upserts` did, once the statements holding them committed. */
  add(upserts: readonly ParsedLeadUpsert[]): Promise<UpsertResult[]> {
    return new Promise<UpsertResult[]>((resolve, reject) => {
      this.queue.push({ upserts, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.inFlight += 1;
    this.upsert(
      this.pool,
      batch.flatMap((w) => w.upserts),
    )
      .then(
        (results) => {
          let offset = 0;
          for (const waiting of batch) {
            waiting.resolve(results.slice(offset, offset + waiting.upserts.length));
            offset += waiting.upserts.length;
          }
        },
        (error: unknown) => {
          const mapped = mapPgError(error, 'a lead change');
          batch.forEach((w) => w.reject(mapped));
        },
      )
      .finally(() => {
        this.inFlight -= 1;
        this.next();
      });
  }
}
