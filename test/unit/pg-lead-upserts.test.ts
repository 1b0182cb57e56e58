import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { ParsedLeadUpsert } from '../../src/store/lead-records.js';
import { LeadUpsertBatcher, type UpsertResult } from '../../src/store/postgres/pg-lead-upserts.js';

const lead = (id: number): ParsedLeadUpsert => ({
  lead: { id, fields: {}, observedAt: 1, source: 'webhook' },
  merge: true,
});

/** Statements the batcher sends, each settled by the test. */
function manualUpserts() {
  const sent: Array<{ ids: number[]; settle: (error?: Error) => void }> = [];
  // Each statement answers `created` for odd ids and `updated` for even ones.
  const upsert = (_db: unknown, upserts: readonly ParsedLeadUpsert[]) =>
    new Promise<UpsertResult[]>((resolve, reject) => {
      sent.push({
        ids: upserts.map((u) => u.lead.id),
        settle: (error) =>
          error === undefined
            ? resolve(upserts.map((u) => (u.lead.id % 2 === 1 ? 'created' : 'updated')))
            : reject(error),
      });
    });
  // Four statements may run at once here: the tests are about what happens past the limit.
  return { sent, batcher: new LeadUpsertBatcher({} as pg.Pool, upsert, 4) };
}

/** Lets the batcher's promise callbacks run (no clock involved). */
const drained = () => new Promise((resolve) => setImmediate(resolve));

describe('LeadUpsertBatcher', () => {
  it('when more calls come than statements may run, then the rest go as one statement in arrival order', async () => {
    const { sent, batcher } = manualUpserts();
    const calls = [1, 2, 3, 4, 5, 6, 7].map((id) => batcher.add([lead(id)]));
    expect(sent.map((s) => s.ids)).toEqual([[1], [2], [3], [4]]);
    sent[0]!.settle();
    await calls[0];
    await drained();
    expect(sent[4]!.ids).toEqual([5, 6, 7]);
    for (const s of sent.slice(1)) s.settle();
    // Each caller gets the results of its own upserts out of the shared statement.
    expect(await Promise.all(calls)).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((id) => [id % 2 === 1 ? 'created' : 'updated']),
    );
  });

  it('when the default limit is reached, then the next calls wait for a statement to finish', async () => {
    const sent: number[][] = [];
    const batcher = new LeadUpsertBatcher({} as pg.Pool, (_db, upserts) => {
      sent.push(upserts.map((u) => u.lead.id));
      return new Promise<UpsertResult[]>(() => undefined);
    });
    for (const id of [1, 2, 3, 4, 5]) void batcher.add([lead(id)]);
    // One statement in flight (MAX_IN_FLIGHT); the rest queued to go as one.
    expect(sent).toEqual([[1]]);
  });

  it('when a statement fails, then each of its callers gets the error and the others do not', async () => {
    const { sent, batcher } = manualUpserts();
    const calls = [1, 2, 3, 4, 5, 6].map((id) => batcher.add([lead(id)]));
    sent[0]!.settle();
    await calls[0];
    await drained();
    sent[4]!.settle(new Error('connection lost'));
    for (const s of sent.slice(1, 4)) s.settle();
    const results = await Promise.allSettled(calls);
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
    ]);
  });
});
