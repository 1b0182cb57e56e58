import type pg from 'pg';
import { isActiveMeeting } from '../../records/meeting-contract.js';
import { normalizeEmail } from '../lead-index.js';
import type { StoreDocument } from '../store-document.js';
import { inTransaction, queryRows, type Queryable } from './pg-pool.js';

/**
 * Copies a JSON-file store's document (store-document.ts) into the PostgreSQL schema of
 * migrations-*.ts, as rows the PostgreSQL store reads back as the same records. Every write is
 * an upsert by primary key, so a second run leaves the same rows (no doubles) and a run broken
 * off half way is finished by the next. Nothing is deleted: rows the target holds that the file
 * does not stay, and the counts (pg-import-counts.ts) report them.
 *
 * Leads go in batches (a few thousand rows per statement through jsonb_to_recordset, each
 * committed on its own), never all in one statement; the other collections are small and go
 * in one transaction, after the leads.
 */
export interface ImportOptions {
  /** Leads per statement (default 5,000: about 5 MB of JSON per batch at 14 fields a lead). */
  batchSize?: number;
  /** Called after every batch of leads with the leads copied so far. */
  onLeads?: (copied: number, total: number) => void;
}

export const DEFAULT_IMPORT_BATCH = 5_000;

export async function importStoreDocument(
  pool: pg.Pool,
  document: StoreDocument,
  options: ImportOptions = {},
): Promise<void> {
  const batchSize = options.batchSize ?? DEFAULT_IMPORT_BATCH;
  const leads = [...document.leads.values()];
  for (let start = 0; start < leads.length; start += batchSize) {
    const batch = leads.slice(start, start + batchSize).map((lead) => ({
      id: lead.id,
      email_lower: normalizeEmail(lead.fields['email']) ?? null,
      fields: lead.fields,
      observed_at: lead.observedAt,
      source: lead.source,
    }));
    // A newer observation already in the target (the service ran on it since) is kept, as
    // the store's own upsert keeps it.
    await queryRows(
      pool,
      'a batch of leads',
      `INSERT INTO leads (id, email_lower, fields, observed_at, source)
       SELECT u.id, u.email_lower, u.fields, u.observed_at, u.source
       FROM jsonb_to_recordset($1::jsonb)
         AS u(id bigint, email_lower text, fields jsonb, observed_at float8, source text)
       ON CONFLICT (id) DO UPDATE SET
         email_lower = excluded.email_lower, fields = excluded.fields,
         observed_at = excluded.observed_at, source = excluded.source
       WHERE leads.observed_at <= excluded.observed_at`,
      [JSON.stringify(batch)],
    );
    options.onLeads?.(Math.min(start + batchSize, leads.length), leads.length);
  }
  for (let start = 0; start < document.deletedLeadIds.length; start += batchSize) {
    const ids = document.deletedLeadIds.slice(start, start + batchSize).map(String);
    await queryRows(
      pool,
      'a batch of deleted lead ids',
      'INSERT INTO deleted_leads (id) SELECT unnest($1::bigint[]) ON CONFLICT (id) DO NOTHING',
      [ids],
    );
  }
  await inTransaction(pool, 'the copy of the store', (client) => importRest(client, document));
}

/** Everything but the leads, in one transaction: all of it or none. */
async function importRest(db: Queryable, document: StoreDocument): Promise<void> {
  await saveSingleton(db, 'sync_state', 'state', document.sync);
  if (document.usage !== undefined) await saveSingleton(db, 'usage', 'usage', document.usage);
  if (document.instance !== undefined) {
    await saveSingleton(db, 'store_instance', 'instance', document.instance);
  }
  await importRouting(db, document);
  await importMeetings(db, document);
  await importOutbox(db, document);
  await importChat(db, document);
}

async function saveSingleton(db: Queryable, table: string, column: string, value: unknown) {
  await db.query(
    `INSERT INTO ${table} (id, ${column}) VALUES (1, $1::jsonb)
     ON CONFLICT (id) DO UPDATE SET ${column} = excluded.${column}`,
    [JSON.stringify(value)],
  );
}

/** Rows from a JSON array of objects, in the array's order (WITH ORDINALITY). */
function upsertRows(
  db: Queryable,
  rows: readonly object[],
  sql: (source: string) => string,
): Promise<unknown> {
  if (rows.length === 0) return Promise.resolve();
  return db.query(sql('jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(v, n)'), [
    JSON.stringify(rows),
  ]);
}

async function importRouting(db: Queryable, document: StoreDocument): Promise<void> {
  await db.query('UPDATE rotation SET state = $1::jsonb WHERE id = 1', [
    JSON.stringify(document.routing),
  ]);
  await saveSingleton(db, 'routing_settings', 'settings', document.routingSettings);
  await upsertRows(
    db,
    [...document.assignments.values()],
    (rows) => `INSERT INTO assignments (key, assigned_at, data)
      SELECT v->>'key', (v->>'assignedAt')::numeric::bigint, v FROM ${rows}
      ON CONFLICT (key) DO UPDATE SET assigned_at = excluded.assigned_at, data = excluded.data`,
  );
  // Agents keep the file's order as positions 1..n; the identity then moves past them so an
  // agent created later is appended, as pg-meeting-agents.ts expects.
  await upsertRows(
    db,
    [...document.agents.values()],
    (rows) => `INSERT INTO agents (id, position, email, data)
      SELECT v->>'id', n, v->>'email', v FROM ${rows}
      ON CONFLICT (id) DO UPDATE SET
        position = excluded.position, email = excluded.email, data = excluded.data`,
  );
  await db.query(
    `SELECT setval(pg_get_serial_sequence('agents', 'position'),
       GREATEST((SELECT max(position) FROM agents), 1))`,
  );
  await upsertRows(
    db,
    [...document.routingRules.values()],
    (rows) => `INSERT INTO routing_rules (id, priority, created_at, data)
      SELECT v->>'id', (v->>'priority')::integer, (v->>'createdAt')::numeric::bigint, v FROM ${rows}
      ON CONFLICT (id) DO UPDATE SET
        priority = excluded.priority, created_at = excluded.created_at, data = excluded.data`,
  );
  await upsertRows(
    db,
    [...document.oauthStates.values()],
    (rows) => `INSERT INTO oauth_states (state, expires_at, data)
      SELECT v->>'state', (v->>'expiresAt')::numeric::bigint, v FROM ${rows}
      ON CONFLICT (state) DO UPDATE SET expires_at = excluded.expires_at, data = excluded.data`,
  );
}

/** The columns as pg-meeting-rows.ts writes them; `active` computed by the same rule. */
async function importMeetings(db: Queryable, document: StoreDocument): Promise<void> {
  const rows = [...document.meetings.values()].map((meeting) => ({
    id: meeting.id,
    agent_id: meeting.agentId,
    status: meeting.status,
    start_ms: meeting.start,
    end_ms: meeting.end,
    buffer_after_ms: meeting.bufferAfterMs,
    active: isActiveMeeting(meeting),
    idempotency_key: meeting.idempotencyKey ?? null,
    manage_token_hash: meeting.manageTokenHash,
    visitor_email: meeting.visitor.email,
    created_at: meeting.createdAt,
    data: meeting,
  }));
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO meetings (id, agent_id, status, start_ms, end_ms, buffer_after_ms, active,
       idempotency_key, manage_token_hash, visitor_email, created_at, data)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS m(id text, agent_id text, status text,
       start_ms bigint, end_ms bigint, buffer_after_ms bigint, active boolean,
       idempotency_key text, manage_token_hash text, visitor_email text, created_at bigint,
       data jsonb)
     ON CONFLICT (id) DO UPDATE SET agent_id = excluded.agent_id, status = excluded.status,
       start_ms = excluded.start_ms, end_ms = excluded.end_ms,
       buffer_after_ms = excluded.buffer_after_ms, active = excluded.active,
       idempotency_key = excluded.idempotency_key, manage_token_hash = excluded.manage_token_hash,
       visitor_email = excluded.visitor_email, created_at = excluded.created_at, data = excluded.data`,
    [JSON.stringify(rows)],
  );
}

/**
 * Every item whatever its status, in the file's order (seq keeps enqueue order among items of
 * one createdAt). A lease is dropped: the process that held the claim is stopped, and an item
 * claimed but never completed is due again, as it would be once its lease ran out.
 */
async function importOutbox(db: Queryable, document: StoreDocument): Promise<void> {
  await upsertRows(
    db,
    [...document.outbox.values()].map(({ lease: _dropped, ...item }) => item),
    (rows) => `INSERT INTO outbox_items (id, kind, dedupe_key, payload, status, attempts,
        next_attempt_at, lease_token, lease_until, last_error, created_at, updated_at, done_at)
      SELECT v->>'id', v->>'kind', v->>'dedupeKey', v->'payload', v->>'status',
        (v->>'attempts')::integer, (v->>'nextAttemptAt')::float8, NULL, NULL, v->>'lastError',
        (v->>'createdAt')::float8, (v->>'updatedAt')::float8, (v->>'doneAt')::float8
      FROM ${rows} ORDER BY n
      ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, dedupe_key = excluded.dedupe_key,
        payload = excluded.payload, status = excluded.status, attempts = excluded.attempts,
        next_attempt_at = excluded.next_attempt_at, lease_token = NULL, lease_until = NULL,
        last_error = excluded.last_error, created_at = excluded.created_at,
        updated_at = excluded.updated_at, done_at = excluded.done_at`,
  );
}

async function importChat(db: Queryable, document: StoreDocument): Promise<void> {
  await db.query('UPDATE chat_state SET revision = $1, configuration = $2::jsonb WHERE id = 1', [
    document.chat.revision,
    document.chat.configuration === undefined ? null : JSON.stringify(document.chat.configuration),
  ]);
  await upsertRows(
    db,
    [...document.dialogues.values()],
    (rows) => `INSERT INTO dialogues (id, dialogue) SELECT v->>'id', v FROM ${rows} ORDER BY n
      ON CONFLICT (id) DO UPDATE SET dialogue = excluded.dialogue`,
  );
  // Counters of a dialogue the file no longer holds are left out (the foreign key): the
  // counts then show the difference.
  await upsertRows(
    db,
    [...document.dialogueStats].map(([id, stats]) => ({ id, ...stats })),
    (rows) => `INSERT INTO dialogue_stats (dialogue_id, triggered, engaged, completed,
        people_acquired, meetings_booked, goals_reached)
      SELECT v->>'id', (v->>'triggered')::bigint, (v->>'engaged')::bigint,
        (v->>'completed')::bigint, (v->>'peopleAcquired')::bigint,
        (v->>'meetingsBooked')::bigint, (v->>'goalsReached')::bigint
      FROM ${rows} WHERE EXISTS (SELECT 1 FROM dialogues d WHERE d.id = v->>'id')
      ON CONFLICT (dialogue_id) DO UPDATE SET triggered = excluded.triggered,
        engaged = excluded.engaged, completed = excluded.completed,
        people_acquired = excluded.people_acquired, meetings_booked = excluded.meetings_booked,
        goals_reached = excluded.goals_reached`,
  );
  await upsertRows(
    db,
    [...document.chatEventIds].map(([key, at]) => ({ key, at })),
    (rows) => `INSERT INTO chat_events (key, recorded_at)
      SELECT v->>'key', (v->>'at')::float8 FROM ${rows}
      ON CONFLICT (key) DO UPDATE SET recorded_at = excluded.recorded_at`,
  );
  await upsertRows(
    db,
    [...document.visitorLinks].map(([key, link]) => ({ key, ...link })),
    (rows) => `INSERT INTO visitor_links (key, email, linked_at)
      SELECT v->>'key', v->>'email', (v->>'linkedAt')::float8 FROM ${rows}
      ON CONFLICT (key) DO UPDATE SET email = excluded.email, linked_at = excluded.linked_at`,
  );
  await upsertRows(
    db,
    [...document.heldChatEvents].map(([id, held]) => ({ id, ...held })),
    (rows) => `INSERT INTO held_chat_events (conversation_id, held_at, held_values)
      SELECT v->>'id', (v->>'heldAt')::float8, v->'values' FROM ${rows} ORDER BY n
      ON CONFLICT (conversation_id) DO UPDATE SET
        held_at = excluded.held_at, held_values = excluded.held_values`,
  );
}
