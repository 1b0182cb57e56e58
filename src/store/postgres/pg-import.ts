import type pg from 'pg';
import { isActiveMeeting } from '../../records/meeting-contract.js';
import { normalizeEmail } from '../lead-index.js';
import type { StoreDocument } from '../store-document.js';
import { inTransaction, queryRows, type Queryable } from './pg-pool.js';
import { importConversations } from './pg-import-conversations.js';

/**
 * Copies a JSON-file store's document (store-document.ts) into the PostgreSQL schema of
 * migrations-*.ts, as rows the PostgreSQL store reads back as the same records.
 *
 * The copy only ADDS what the database lacks: a re-run after the service has used the database
 * must never roll anything back (an outbox item done in the database set `pending` again is
 * delivered to Marketo a second time; a rotation set back loses a turn; a cancelled meeting
 * comes back). So rows keyed by id are inserted ON CONFLICT DO NOTHING, on any unique key (a
 * row whose dedupe key, email or token the database gives to another row is left out, and the
 * count shows it missing rather than the copy failing half way); a lead is the exception
 * only in direction, kept as the store's own upsert keeps it (the newer observation wins, so the
 * file's may still replace an older one); a singleton is written only while the database's row
 * is still what the migrations made, else the database's own is kept and reported. A run broken
 * off half way is finished by the next. Nothing is deleted.
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

/** The one-row records the copy writes only into a fresh database (the count table's names). */
export type Singleton =
  'sync state' | 'usage' | 'instance' | 'rotation' | 'routing settings' | 'chat configuration';

export interface ImportResult {
  /** Singletons the database already had its own of: not written, kept. */
  kept: ReadonlySet<Singleton>;
  /**
   * The database already held state of its own (an earlier copy, or the service ran on it), so
   * everything but the leads was left as the database has it (see importStoreDocument).
   */
  restKept?: boolean;
}

export async function importStoreDocument(
  pool: pg.Pool,
  document: StoreDocument,
  options: ImportOptions = {},
): Promise<ImportResult> {
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
    // the store's own upsert keeps it; a lead the database deleted since does not come back.
    await queryRows(
      pool,
      'a batch of leads',
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
  const kept = new Set<Singleton>();
  // Everything but the leads is copied only into a database that holds none of it: once an
  // earlier copy or the service has written there, a row of the file missing from the database
  // may be one the service deleted since (a consumed OAuth state, a released hold, a delivered
  // and pruned outbox item, which would be sent to Marketo again), and no row says which.
  // It is all one transaction, so a first copy that failed left none of it behind.
  const restKept = await inTransaction(pool, 'the copy of the store', async (client) => {
    if (await holdsServiceState(client)) return true;
    await importRest(client, document, kept);
    return false;
  });
  return restKept ? { kept: new Set(SINGLETONS), restKept } : { kept };
}

const SINGLETONS: readonly Singleton[] = [
  'sync state',
  'usage',
  'instance',
  'rotation',
  'routing settings',
  'chat configuration',
];

/** Whether anything but leads was ever written: a row the migrations do not make. */
async function holdsServiceState(db: Queryable): Promise<boolean> {
  const rows = await queryRows<{ used: boolean }>(
    db,
    'a look for state of the database own',
    `SELECT EXISTS (SELECT 1 FROM sync_state) OR EXISTS (SELECT 1 FROM store_instance)
         OR EXISTS (SELECT 1 FROM usage) OR EXISTS (SELECT 1 FROM outbox_items)
         OR EXISTS (SELECT 1 FROM agents) OR EXISTS (SELECT 1 FROM meetings)
         OR EXISTS (SELECT 1 FROM dialogues) OR EXISTS (SELECT 1 FROM assignments)
         OR EXISTS (SELECT 1 FROM chat_events) OR EXISTS (SELECT 1 FROM conversations)
         OR (SELECT revision <> 0 OR configuration IS NOT NULL FROM chat_state WHERE id = 1)
         OR (SELECT state <> '{"totals": {}}'::jsonb FROM rotation WHERE id = 1) AS used`,
  );
  return rows[0]?.used === true;
}

/** Everything but the leads, in one transaction: all of it or none. */
async function importRest(
  db: Queryable,
  document: StoreDocument,
  kept: Set<Singleton>,
): Promise<void> {
  const keep = (name: Singleton) => (written: boolean) => {
    if (!written) kept.add(name);
  };
  await insertSingleton(db, 'sync_state', 'state', document.sync).then(keep('sync state'));
  if (document.usage !== undefined) {
    await insertSingleton(db, 'usage', 'usage', document.usage).then(keep('usage'));
  }
  if (document.instance !== undefined) {
    await insertSingleton(db, 'store_instance', 'instance', document.instance).then(
      keep('instance'),
    );
  }
  await importRouting(db, document, keep);
  await importMeetings(db, document);
  await importOutbox(db, document);
  await importChat(db, document, keep);
  await importConversations(db, document);
}

type Keep = (name: Singleton) => (written: boolean) => void;

/**
 * A singleton the migrations leave without a row: written only when there is none yet.
 * Answers whether it was written.
 */
async function insertSingleton(
  db: Queryable,
  table: string,
  column: string,
  value: unknown,
): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO ${table} (id, ${column}) VALUES (1, $1::jsonb) ON CONFLICT DO NOTHING`,
    [JSON.stringify(value)],
  );
  return result.rowCount === 1;
}

/** Rows from a JSON array of objects, in the array's order (WITH ORDINALITY). */
function insertRows(
  db: Queryable,
  rows: readonly object[],
  sql: (source: string) => string,
): Promise<unknown> {
  if (rows.length === 0) return Promise.resolve();
  return db.query(sql('jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(v, n)'), [
    JSON.stringify(rows),
  ]);
}

async function importRouting(db: Queryable, document: StoreDocument, keep: Keep): Promise<void> {
  // The migrations' rotation row (migrations-meetings.ts) is the only state it may replace.
  const rotation = await db.query(
    `UPDATE rotation SET state = $1::jsonb WHERE id = 1 AND state = '{"totals": {}}'::jsonb`,
    [JSON.stringify(document.routing)],
  );
  keep('rotation')(rotation.rowCount === 1);
  await insertSingleton(db, 'routing_settings', 'settings', document.routingSettings).then(
    keep('routing settings'),
  );
  await insertRows(
    db,
    [...document.assignments.values()],
    (rows) => `INSERT INTO assignments (key, assigned_at, data)
      SELECT v->>'key', (v->>'assignedAt')::numeric::bigint, v FROM ${rows}
      ON CONFLICT DO NOTHING`,
  );
  // Agents keep the file's order as positions after the database's own (1..n in an empty
  // one); the identity then moves past them so an agent created later is appended, as
  // pg-meeting-agents.ts expects. An agent the database holds keeps its place and data.
  await insertRows(
    db,
    [...document.agents.values()],
    (rows) => `INSERT INTO agents (id, position, email, data)
      SELECT v->>'id', (SELECT coalesce(max(position), 0) FROM agents) + n, v->>'email', v
      FROM ${rows}
      ON CONFLICT DO NOTHING`,
  );
  await db.query(
    `SELECT setval(pg_get_serial_sequence('agents', 'position'),
       GREATEST((SELECT max(position) FROM agents), 1))`,
  );
  await insertRows(
    db,
    [...document.routingRules.values()],
    (rows) => `INSERT INTO routing_rules (id, priority, created_at, data)
      SELECT v->>'id', (v->>'priority')::integer, (v->>'createdAt')::numeric::bigint, v FROM ${rows}
      ON CONFLICT DO NOTHING`,
  );
  // The account list keeps the file's order after any entries the database holds already.
  await insertRows(
    db,
    document.accountRoutes,
    (rows) => `INSERT INTO account_routes (match, position, agent_id, data)
      SELECT v->>'match', (SELECT coalesce(max(position), -1) FROM account_routes) + n,
        v->>'agentId', v
      FROM ${rows}
      ON CONFLICT DO NOTHING`,
  );
  await insertRows(
    db,
    [...document.oauthStates.values()],
    (rows) => `INSERT INTO oauth_states (state, expires_at, data)
      SELECT v->>'state', (v->>'expiresAt')::numeric::bigint, v FROM ${rows}
      ON CONFLICT DO NOTHING`,
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
    buffer_before_ms: meeting.bufferBeforeMs ?? 0,
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
       idempotency_key, manage_token_hash, visitor_email, created_at, data, buffer_before_ms)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS m(id text, agent_id text, status text,
       start_ms bigint, end_ms bigint, buffer_after_ms bigint, active boolean,
       idempotency_key text, manage_token_hash text, visitor_email text, created_at bigint,
       data jsonb, buffer_before_ms bigint)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

/**
 * Every item whatever its status, in the file's order (seq keeps enqueue order among items of
 * one createdAt). A lease is dropped: the process that held the claim is stopped, and an item
 * claimed but never completed is due again, as it would be once its lease ran out.
 */
async function importOutbox(db: Queryable, document: StoreDocument): Promise<void> {
  await insertRows(
    db,
    [...document.outbox.values()].map(({ lease: _dropped, ...item }) => item),
    (rows) => `INSERT INTO outbox_items (id, kind, dedupe_key, payload, status, attempts,
        next_attempt_at, lease_token, lease_until, last_error, created_at, updated_at, done_at)
      SELECT v->>'id', v->>'kind', v->>'dedupeKey', v->'payload', v->>'status',
        (v->>'attempts')::integer, (v->>'nextAttemptAt')::float8, NULL, NULL, v->>'lastError',
        (v->>'createdAt')::float8, (v->>'updatedAt')::float8, (v->>'doneAt')::float8
      FROM ${rows} ORDER BY n
      ON CONFLICT DO NOTHING`,
  );
}

async function importChat(db: Queryable, document: StoreDocument, keep: Keep): Promise<void> {
  // Configuration and revision move together, and only onto the migrations' row (revision 0,
  // no configuration): a database that published since keeps its own.
  const chat = await db.query(
    `UPDATE chat_state SET revision = $1, configuration = $2::jsonb
     WHERE id = 1 AND revision = 0 AND configuration IS NULL`,
    [
      document.chat.revision,
      document.chat.configuration === undefined
        ? null
        : JSON.stringify(document.chat.configuration),
    ],
  );
  keep('chat configuration')(chat.rowCount === 1);
  await insertRows(
    db,
    [...document.dialogues.values()],
    (rows) => `INSERT INTO dialogues (id, dialogue) SELECT v->>'id', v FROM ${rows} ORDER BY n
      ON CONFLICT DO NOTHING`,
  );
  // Counters of a dialogue the file no longer holds are left out (the foreign key): the
  // counts then show the difference.
  await insertRows(
    db,
    [...document.dialogueStats].map(([id, stats]) => ({ id, ...stats })),
    (rows) => `INSERT INTO dialogue_stats (dialogue_id, triggered, engaged, completed,
        people_acquired, meetings_booked, goals_reached)
      SELECT v->>'id', (v->>'triggered')::bigint, (v->>'engaged')::bigint,
        (v->>'completed')::bigint, (v->>'peopleAcquired')::bigint,
        (v->>'meetingsBooked')::bigint, (v->>'goalsReached')::bigint
      FROM ${rows} WHERE EXISTS (SELECT 1 FROM dialogues d WHERE d.id = v->>'id')
      ON CONFLICT DO NOTHING`,
  );
  await insertRows(
    db,
    [...document.chatEventIds].map(([key, at]) => ({ key, at })),
    (rows) => `INSERT INTO chat_events (key, recorded_at)
      SELECT v->>'key', (v->>'at')::float8 FROM ${rows}
      ON CONFLICT DO NOTHING`,
  );
  await insertRows(
    db,
    [...document.visitorLinks].map(([key, link]) => ({ key, ...link })),
    (rows) => `INSERT INTO visitor_links (key, email, linked_at)
      SELECT v->>'key', v->>'email', (v->>'linkedAt')::float8 FROM ${rows}
      ON CONFLICT DO NOTHING`,
  );
  await insertRows(
    db,
    [...document.heldChatEvents].map(([id, held]) => ({ id, ...held })),
    (rows) => `INSERT INTO held_chat_events (conversation_id, held_at, held_values)
      SELECT v->>'id', (v->>'heldAt')::float8, v->'values' FROM ${rows} ORDER BY n
      ON CONFLICT DO NOTHING`,
  );
}
