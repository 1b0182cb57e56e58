import type pg from 'pg';
import { z } from 'zod';
import { StoreError } from '../../errors.js';
import { storedLeadSchema, type LeadUpsert, type StoredLead } from '../../records/lead.js';
import { copyJsonValue, NOT_JSON } from '../json-value.js';
import { normalizeEmail } from '../lead-index.js';
import type { LeadStore, WriteOptions } from '../types.js';
import { LeadUpsertBatcher } from './pg-lead-upserts.js';
import { inTransaction, queryRows, type Queryable } from './pg-pool.js';

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

const leadIdSchema = z.number().int().positive();
const leadEnvelopeSchema = storedLeadSchema.omit({ fields: true });

/**
 * Leads in `leads` (one row each, the lowercased email indexed) and `deleted_leads`. Batches
 * are one statement each way (jsonb_to_recordset), never a row per round trip, and nothing
 * loads all leads in memory. Semantics are lead-records.ts's: an older observation is ignored,
 * a deleted id never comes back, a delete wins over an upsert of the same batch.
 */
export class PgLeadRecords implements LeadStore {
  private readonly upserts: LeadUpsertBatcher;

  constructor(private readonly pool: pg.Pool) {
    this.upserts = new LeadUpsertBatcher(pool, (db, leads) => upsertLeads(db, leads));
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
   * One transaction, durable at COMMIT: `durability` has nothing to defer here. Upserts alone
   * are one statement (its own transaction), and concurrent calls share one (pg-lead-upserts.ts):
   * a webhook's upsert costs a share of a round trip and of a WAL flush, not BEGIN, INSERT and
   * COMMIT of its own.
   */
  async applyLeadChanges(changes: LeadChanges, _options?: WriteOptions): Promise<void> {
    const parsed = parseLeadChanges(changes);
    if (parsed.deletes.length === 0) {
      if (parsed.upserts.length > 0) await this.upserts.add(parsed.upserts);
      return;
    }
    await inTransaction(this.pool, 'a lead change', (client) => applyParsed(client, parsed));
  }
}

export interface ParsedLeadChanges {
  upserts: StoredLead[];
  deletes: number[];
}

/** Validates every change before anything is written, with lead-records.ts's messages. */
export function parseLeadChanges(changes: LeadChanges): ParsedLeadChanges {
  return {
    upserts: (changes.upserts ?? []).map(parseUpsert),
    deletes: (changes.deletes ?? []).map(parseDeleteId),
  };
}

/** Applies validated changes inside the caller's transaction; answers how many leads went. */
export async function applyParsed(db: Queryable, changes: ParsedLeadChanges): Promise<number> {
  await upsertLeads(db, changes.upserts);
  if (changes.deletes.length === 0) return 0;
  const ids = changes.deletes.map(String);
  const removed = await db.query('DELETE FROM leads WHERE id = ANY($1::bigint[])', [ids]);
  await db.query(
    'INSERT INTO deleted_leads (id) SELECT unnest($1::bigint[]) ON CONFLICT (id) DO NOTHING',
    [ids],
  );
  return removed.rowCount ?? 0;
}

/**
 * One statement: an older observation is ignored, a deleted id never comes back. Rows go in id
 * order, so two such statements running at once lock shared ids in the same order (no deadlock).
 */
async function upsertLeads(db: Queryable, leads: StoredLead[]): Promise<void> {
  const upserts = lastWins(leads).sort((a, b) => a.id - b.id);
  if (upserts.length > 0) {
    const batch = upserts.map((lead) => ({
      id: lead.id,
      email_lower: normalizeEmail(lead.fields['email']) ?? null,
      fields: lead.fields,
      observed_at: lead.observedAt,
      source: lead.source,
    }));
    await db.query(
      `INSERT INTO leads (id, email_lower, fields, observed_at, source)
       SELECT u.id, u.email_lower, u.fields, u.observed_at, u.source
       FROM jsonb_to_recordset($1::jsonb)
         AS u(id bigint, email_lower text, fields jsonb, observed_at float8, source text)
       WHERE NOT EXISTS (SELECT 1 FROM deleted_leads d WHERE d.id = u.id)
       ON CONFLICT (id) DO UPDATE SET
         email_lower = excluded.email_lower, fields = excluded.fields,
         observed_at = excluded.observed_at, source = excluded.source
       WHERE leads.observed_at <= excluded.observed_at`,
      [JSON.stringify(batch)],
    );
  }
}

/**
 * One row per id, as applying the batch in order would leave it: a later upsert replaces an
 * earlier one unless it is older (ON CONFLICT cannot touch a row twice in one statement).
 */
function lastWins(upserts: StoredLead[]): StoredLead[] {
  const byId = new Map<number, StoredLead>();
  for (const upsert of upserts) {
    const current = byId.get(upsert.id);
    if (current === undefined || upsert.observedAt >= current.observedAt) {
      byId.set(upsert.id, upsert);
    }
  }
  return [...byId.values()];
}

function toLead(row: LeadRow): StoredLead {
  return {
    id: Number(row.id),
    fields: row.fields,
    observedAt: row.observed_at,
    source: row.source,
  };
}

function parseUpsert(upsert: LeadUpsert, position: number): StoredLead {
  const parsed = leadEnvelopeSchema.safeParse(upsert);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`upsert #${position}: ${issue?.path.join('.')} ${issue?.message}`);
  }
  const given: unknown = (upsert as { fields?: unknown }).fields;
  if (!isFieldRecord(given)) {
    throw invalid(`upsert #${position}: fields must be a plain object of field values`);
  }
  const fields: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    const value = given[name];
    if (value === undefined) continue;
    const copy = copyJsonValue(value);
    if (copy === NOT_JSON) {
      throw invalid(`upsert #${position} (lead ${upsert.id}): field ${name} is not a JSON value`);
    }
    fields[name] = copy;
  }
  const { id, observedAt, source } = parsed.data;
  return { id, fields, observedAt, source };
}

function isFieldRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (
    (proto === Object.prototype || proto === null) &&
    Object.getOwnPropertySymbols(value).length === 0
  );
}

function parseDeleteId(id: number, position: number): number {
  if (!leadIdSchema.safeParse(id).success) {
    throw invalid(`delete #${position}: ${String(id)} is not a lead id`);
  }
  return id;
}

function invalid(detail: string): StoreError {
  return new StoreError('STORE_INVALID_RECORD', `Lead change refused, nothing written: ${detail}`);
}
