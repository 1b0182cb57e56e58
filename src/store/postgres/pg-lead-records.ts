import type pg from 'pg';
import type { LeadChangesOutcome, LeadUpsert, StoredLead } from '../../records/lead.js';
import { normalizeEmail } from '../lead-index.js';
import { parseLeadDeleteId, parseLeadUpsert, type ParsedLeadUpsert } from '../lead-records.js';
import type { LeadStore, WriteOptions } from '../types.js';
import { LeadUpsertBatcher, type UpsertResult } from './pg-lead-upserts.js';
import { inTransaction, queryRows, type HotStatement, type Queryable } from './pg-pool.js';

export interface LeadChanges {
  upserts?: LeadUpsert[];
  deletes?: number[];
}

interface LeadRow {
  id: string;
  fields: Record<string, unknown>;
  observed_at: number;
  source: StoredLead['source'];
}

/**
 * Leads in `leads` (one row each, the lowercased email indexed) and `deleted_leads`. Batches
 * are one statement each way (jsonb_to_recordset), never a row per round trip, and nothing
 * loads all leads in memory. Semantics are lead-records.ts's: an older observation is ignored,
 * a deleted id never comes back, a delete wins over an upsert of the same batch, a merge lays
 * its fields over the stored ones.
 */
export class PgLeadRecords implements LeadStore {
  private readonly upserts: LeadUpsertBatcher;

  constructor(private readonly pool: pg.Pool) {
    this.upserts = new LeadUpsertBatcher(pool, upsertRounds);
  }

  async getLead(id: number): Promise<StoredLead | undefined> {
    const rows = await queryRows<LeadRow>(
      this.pool,
      'a lead read',
      {
        name: 'lead_by_id',
        text: 'SELECT id, fields, observed_at, source FROM leads WHERE id = $1',
      },
      [id],
    );
    return rows[0] === undefined ? undefined : toLead(rows[0]);
  }

  async findLeadsByEmail(email: string): Promise<StoredLead[]> {
    const normalized = normalizeEmail(email);
    if (normalized === undefined) return [];
    const rows = await queryRows<LeadRow>(
      this.pool,
      'a lead lookup',
      {
        name: 'leads_by_email',
        text: `SELECT id, fields, observed_at, source FROM leads WHERE email_lower = $1
               ORDER BY observed_at DESC, id DESC`,
      },
      [normalized],
    );
    return rows.map(toLead);
  }

  /** count(*) scans the table: some 100 ms at 1M leads. It serves the status page only. */
  async countLeads(): Promise<number> {
    const rows = await queryRows<{ n: number }>(
      this.pool,
      'a lead count',
      'SELECT count(*)::float8 AS n FROM leads',
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * A sequential scan (migration 007 dropped the index on observed_at, which cost every lead
   * update more than this sweep, run once at the end of a full copy, gains from it).
   */
  async leadIdsObservedBefore(ms: number): Promise<number[]> {
    const rows = await queryRows<{ id: string }>(
      this.pool,
      'a lead sweep',
      'SELECT id FROM leads WHERE observed_at < $1 ORDER BY id',
      [ms],
    );
    return rows.map((row) => Number(row.id));
  }

  /**
   * Durable when it resolves: `durability` has nothing to defer here. With deletes, one
   * transaction. Upserts alone are autocommit statements, and concurrent calls share them
   * (pg-lead-upserts.ts): a webhook's merge costs a share of a round trip and of a WAL flush, not
   * BEGIN, INSERT and COMMIT of its own.
   */
  async applyLeadChanges(
    changes: LeadChanges,
    _options?: WriteOptions,
  ): Promise<LeadChangesOutcome> {
    const parsed = parseLeadChanges(changes);
    if (parsed.deletes.length === 0) {
      if (parsed.upserts.length === 0) return { created: [], ignored: [] };
      return outcomeOf(parsed.upserts, await this.upserts.add(parsed.upserts));
    }
    return inTransaction(this.pool, 'a lead change', async (client) => {
      const { outcome } = await applyParsedChanges(client, parsed);
      return outcome;
    });
  }
}

export interface ParsedLeadChanges {
  upserts: ParsedLeadUpsert[];
  deletes: number[];
}

/** Validates every change before anything is written, with lead-records.ts's messages. */
export function parseLeadChanges(changes: LeadChanges): ParsedLeadChanges {
  return {
    upserts: (changes.upserts ?? []).map(parseLeadUpsert),
    deletes: (changes.deletes ?? []).map(parseLeadDeleteId),
  };
}

/**
 * The upsert of one round: at most one row per id (ON CONFLICT cannot touch a row twice in one
 * statement). `$2`, a merge: the stored fields stay under the given ones (jsonb `||` replaces
 * top-level keys, as the JSON store's spread does), and so does the stored email unless the
 * upsert names one. The row lock ON CONFLICT takes makes the merge atomic: a concurrent merge
 * of the same lead waits for this one's commit and then merges over its result, so no replica
 * ever merges over a stale read. `xmax = 0` tells an inserted row from an updated one (an
 * updated row's new version carries the locker's xid); a row not returned was ignored
 * (deleted id, or older than the stored observation). A merge older than the stored observation
 * fills only the fields the stored state lacks (`excluded || leads`: the stored, newer values
 * win) and keeps the stored observation, as the JSON store's mergeOlder does; one that adds no
 * field is ignored. Named, so each connection parses and plans it once: planning it was half
 * the server's CPU for a webhook's upsert of one lead (about 350 us a statement unnamed, 160 us
 * named; bench/webhooks.ts).
 */
const UPSERT_ROUND: HotStatement = {
  name: 'lead_upsert_round',
  text: `
  INSERT INTO leads (id, email_lower, fields, observed_at, source)
  SELECT u.id, u.email_lower, u.fields, u.observed_at, u.source
  FROM jsonb_to_recordset($1::jsonb)
    AS u(id bigint, email_lower text, fields jsonb, observed_at float8, source text)
  WHERE NOT EXISTS (SELECT 1 FROM deleted_leads d WHERE d.id = u.id)
  ON CONFLICT (id) DO UPDATE SET
    email_lower = CASE
      WHEN NOT $2::boolean THEN excluded.email_lower
      WHEN leads.observed_at <= excluded.observed_at THEN
        CASE WHEN excluded.fields ? 'email' THEN excluded.email_lower ELSE leads.email_lower END
      ELSE CASE WHEN leads.fields ? 'email' THEN leads.email_lower ELSE excluded.email_lower END
    END,
    fields = CASE
      WHEN NOT $2::boolean THEN excluded.fields
      WHEN leads.observed_at <= excluded.observed_at THEN leads.fields || excluded.fields
      ELSE excluded.fields || leads.fields
    END,
    observed_at = GREATEST(leads.observed_at, excluded.observed_at),
    source = CASE WHEN leads.observed_at <= excluded.observed_at
      THEN excluded.source ELSE leads.source END
  WHERE leads.observed_at <= excluded.observed_at
    OR ($2::boolean AND NOT leads.fields ?& ARRAY(SELECT jsonb_object_keys(excluded.fields)))
  RETURNING id, (xmax = 0) AS created`,
};

/**
 * Applies validated changes inside the caller's transaction; answers how many leads the
 * deletes removed and what each upsert did.
 */
export async function applyParsedChanges(
  db: Queryable,
  changes: ParsedLeadChanges,
): Promise<{ deleted: number; outcome: LeadChangesOutcome }> {
  const outcome = outcomeOf(changes.upserts, await upsertRounds(db, changes.upserts));
  if (changes.deletes.length === 0) return { deleted: 0, outcome };
  const ids = changes.deletes.map(String);
  const removed = await db.query('DELETE FROM leads WHERE id = ANY($1::bigint[])', [ids]);
  await db.query(
    'INSERT INTO deleted_leads (id) SELECT unnest($1::bigint[]) ON CONFLICT (id) DO NOTHING',
    [ids],
  );
  return { deleted: removed.rowCount ?? 0, outcome };
}

/** What each upsert did, by position. */
export async function upsertRounds(
  db: Queryable,
  upserts: readonly ParsedLeadUpsert[],
): Promise<UpsertResult[]> {
  const changes = { upserts };
  const results = new Array<UpsertResult>(changes.upserts.length);
  for (const round of rounds(changes.upserts)) {
    // Plain and merging upserts of a round touch different ids: two statements, in any order.
    for (const merge of [false, true]) {
      const positions = round.filter((position) => changes.upserts[position]!.merge === merge);
      if (positions.length === 0) continue;
      const batch = positions.map((position) => toRow(changes.upserts[position]!.lead));
      const written = await db.query<{ id: string; created: boolean }>({
        ...UPSERT_ROUND,
        values: [JSON.stringify(batch), merge],
      });
      const byId = new Map(written.rows.map((row) => [Number(row.id), row.created]));
      for (const position of positions) {
        const created = byId.get(changes.upserts[position]!.lead.id);
        results[position] = created === undefined ? 'ignored' : created ? 'created' : 'updated';
      }
    }
  }
  return results;
}

function outcomeOf(
  upserts: readonly ParsedLeadUpsert[],
  results: readonly UpsertResult[],
): LeadChangesOutcome {
  const outcome: LeadChangesOutcome = { created: [], ignored: [] };
  upserts.forEach(({ lead }, position) => {
    if (results[position] === 'created') outcome.created.push(lead.id);
    if (results[position] === 'ignored') outcome.ignored.push(lead.id);
  });
  return outcome;
}

/**
 * The batch's positions in rounds, applied one after the other: the n-th round holds the n-th
 * upsert of each id, so a batch naming an id twice ends as applying it in order would leave it
 * (a merge over the upsert before it, an older one ignored). Almost every batch is one round.
 * Each round in id order, so that two transactions lock shared leads in the same order.
 */
function rounds(upserts: readonly ParsedLeadUpsert[]): number[][] {
  const result: number[][] = [];
  const seen = new Map<number, number>();
  upserts.forEach(({ lead }, position) => {
    const n = seen.get(lead.id) ?? 0;
    seen.set(lead.id, n + 1);
    (result[n] ??= []).push(position);
  });
  for (const round of result) {
    round.sort((a, b) => upserts[a]!.lead.id - upserts[b]!.lead.id);
  }
  return result;
}

function toRow(lead: StoredLead): Record<string, unknown> {
  return {
    id: lead.id,
    email_lower: normalizeEmail(lead.fields['email']) ?? null,
    fields: lead.fields,
    observed_at: lead.observedAt,
    source: lead.source,
  };
}

function toLead(row: LeadRow): StoredLead {
  return {
    id: Number(row.id),
    fields: row.fields,
    observedAt: row.observed_at,
    source: row.source,
  };
}
