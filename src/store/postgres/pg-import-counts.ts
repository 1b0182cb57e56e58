import type { StoreDocument } from '../store-document.js';
import type { ImportResult, Singleton } from './pg-import.js';
import { queryRows, type Queryable } from './pg-pool.js';

/**
 * The check after a copy (pg-import.ts): each collection counted on both sides, and for each
 * how many of the file's rows the database lacks. The copy only adds, so the database may hold
 * the file's rows plus more (the service ran on it): that is fine; a row of the file missing
 * is not. A one-row record (sync state, rotation, configuration...) counts 1 when present,
 * and on the target only when its value equals the file's (jsonb equality); one the database
 * already had its own of was kept, not copied, and says so.
 */
export interface CollectionCount {
  collection: string;
  source: number;
  target: number;
  /** The file's rows (or value) the database does not hold after the copy: a failure. */
  missing: number;
  /** A singleton the database already had its own of, kept instead of the file's. */
  kept?: boolean;
  /** A breakdown (outbox by status) where the database's own progress differs: no failure. */
  informational?: boolean;
}

const OUTBOX_STATUSES = ['pending', 'done', 'dead'] as const;

export async function countCollections(
  db: Queryable,
  document: StoreDocument,
  result: ImportResult = { kept: new Set() },
): Promise<CollectionCount[]> {
  const count = async (sql: string, values: unknown[] = []) => {
    const rows = await queryRows<{ n: number }>(db, 'a count after the copy', sql, values);
    return rows[0]?.n ?? 0;
  };
  const rows = (table: string) => count(`SELECT count(*)::float8 AS n FROM ${table}`);
  /** A keyed collection: the database's rows, and how many of the file's keys it lacks. */
  const keyed = async (
    collection: string,
    table: string,
    column: string,
    keys: readonly string[],
  ): Promise<CollectionCount> => {
    const present = await count(
      `SELECT count(*)::float8 AS n FROM ${table} WHERE ${column}::text = ANY($1::text[])`,
      [[...new Set(keys)]],
    );
    const source = new Set(keys).size;
    return { collection, source, target: await rows(table), missing: source - present };
  };
  /** 1 when the target's row equals `value`; with no value in the file, whether it has one. */
  const singleton = async (
    collection: Singleton,
    table: string,
    column: string,
    value: unknown,
  ): Promise<CollectionCount> => {
    const target =
      value === undefined
        ? await rows(table)
        : await count(`SELECT count(*)::float8 AS n FROM ${table} WHERE ${column} = $1::jsonb`, [
            JSON.stringify(value),
          ]);
    return withKept(collection, present(value), target);
  };
  const withKept = (collection: Singleton, source: number, target: number): CollectionCount => {
    const kept = result.kept.has(collection) && source !== target;
    return { collection, source, target, missing: kept ? 0 : Math.max(source - target, 0), kept };
  };

  const outbox = await queryRows<{ status: string; n: number }>(
    db,
    'the outbox count',
    'SELECT status, count(*)::float8 AS n FROM outbox_items GROUP BY status',
  );
  const byStatus = (status: string) => outbox.find((row) => row.status === status)?.n ?? 0;
  const configuration = document.chat.configuration;
  const revision = await queryRows<{ revision: number }>(
    db,
    'the chat revision',
    'SELECT revision::float8 AS revision FROM chat_state WHERE id = 1',
  );
  const targetRevision = revision[0]?.revision ?? 0;
  const chatKept = result.kept.has('chat configuration');

  const outboxItems = [...document.outbox.values()];
  const counts: CollectionCount[] = [
    await countLeads(db, document),
    await keyed(
      'deleted lead ids',
      'deleted_leads',
      'id',
      document.deletedLeadIds.map((id) => String(id)),
    ),
    await singleton('sync state', 'sync_state', 'state', document.sync),
    await singleton('usage', 'usage', 'usage', document.usage),
    await singleton('instance', 'store_instance', 'instance', document.instance),
    await singleton('rotation', 'rotation', 'state', document.routing),
    await singleton('routing settings', 'routing_settings', 'settings', document.routingSettings),
    await keyed('assignments', 'assignments', 'key', [...document.assignments.keys()]),
    await keyed('agents', 'agents', 'id', [...document.agents.keys()]),
    await keyed('routing rules', 'routing_rules', 'id', [...document.routingRules.keys()]),
    await keyed('oauth states', 'oauth_states', 'state', [...document.oauthStates.keys()]),
    await keyed(
      'account routes',
      'account_routes',
      'match',
      document.accountRoutes.map((route) => route.match),
    ),
    await keyed('meetings', 'meetings', 'id', [...document.meetings.keys()]),
    await keyed('outbox items', 'outbox_items', 'id', [...document.outbox.keys()]),
    // By status only to show: an item the service delivered since is `done` in the database.
    ...OUTBOX_STATUSES.map((status): CollectionCount => ({
      collection: `outbox items (${status})`,
      source: outboxItems.filter((item) => item.status === status).length,
      target: byStatus(status),
      missing: 0,
      informational: true,
    })),
    withKept(
      'chat configuration',
      present(configuration),
      configuration === undefined
        ? await count(
            'SELECT count(*)::float8 AS n FROM chat_state WHERE configuration IS NOT NULL',
          )
        : (await singleton('chat configuration', 'chat_state', 'configuration', configuration))
            .target,
    ),
    {
      collection: 'chat revision (value)',
      source: document.chat.revision,
      target: targetRevision,
      missing: chatKept || targetRevision === document.chat.revision ? 0 : 1,
      kept: chatKept && targetRevision !== document.chat.revision,
    },
    await keyed('dialogues', 'dialogues', 'id', [...document.dialogues.keys()]),
    await keyed('dialogue stats', 'dialogue_stats', 'dialogue_id', [
      ...document.dialogueStats.keys(),
    ]),
    await keyed('chat event ids', 'chat_events', 'key', [...document.chatEventIds.keys()]),
    await keyed('visitor links', 'visitor_links', 'key', [...document.visitorLinks.keys()]),
    await keyed('held chat events', 'held_chat_events', 'conversation_id', [
      ...document.heldChatEvents.keys(),
    ]),
    await keyed('conversations', 'conversations', 'conversation_id', [
      ...document.conversations.keys(),
    ]),
    await keyed('dialogue versions', 'dialogue_versions', "dialogue_id || '@' || version", [
      ...document.dialogueVersions.keys(),
    ]),
  ];
  // Into a database with state of its own only the leads were copied: the rest is its own.
  if (result.restKept !== true) return counts;
  return counts.map((row) =>
    row.collection === 'leads' || row.collection === 'deleted lead ids' || row.informational
      ? row
      : { ...row, missing: 0, kept: row.kept === true || row.source > row.target },
  );
}

/** A lead the database deleted since the file was written counts as held: it stays deleted. */
async function countLeads(db: Queryable, document: StoreDocument): Promise<CollectionCount> {
  const rows = await queryRows<{ target: number; present: number }>(
    db,
    'the lead count',
    `SELECT (SELECT count(*)::float8 FROM leads) AS target,
       (SELECT count(*)::float8 FROM unnest($1::bigint[]) AS f(id)
        WHERE EXISTS (SELECT 1 FROM leads l WHERE l.id = f.id)
           OR EXISTS (SELECT 1 FROM deleted_leads d WHERE d.id = f.id)) AS present`,
    [[...document.leads.keys()].map(String)],
  );
  const { target = 0, present = 0 } = rows[0] ?? {};
  const source = document.leads.size;
  return { collection: 'leads', source, target, missing: source - present };
}

function present(value: unknown): number {
  return value === undefined ? 0 : 1;
}

/** The collections that fail the check: a row (or value) of the file the database lacks. */
export function differences(counts: readonly CollectionCount[]): CollectionCount[] {
  return counts.filter((count) => count.missing > 0);
}

/** Whether any count differs at all (a difference kept on purpose included). */
export function allAgree(counts: readonly CollectionCount[]): boolean {
  return counts.every((count) => count.source === count.target);
}

/** A plain-text table, one line per collection, differences marked and explained. */
export function formatCountTable(counts: readonly CollectionCount[]): string[] {
  const width = Math.max(...counts.map((count) => count.collection.length), 'collection'.length);
  const pad = (text: string, n: number) => text.padEnd(n);
  const num = (n: number) => String(n).padStart(12);
  const lines = [
    `${pad('collection', width)}  ${'DATA_FILE'.padStart(12)}  ${'database'.padStart(12)}`,
  ];
  for (const count of counts) {
    lines.push(
      `${pad(count.collection, width)}  ${num(count.source)}  ${num(count.target)}${note(count)}`,
    );
  }
  return lines;
}

function note(count: CollectionCount): string {
  if (count.missing > 0)
    return `  << ${count.missing} of the file's missing or different in the database`;
  if (count.kept === true) return "  << kept (the database's own)";
  if (count.source === count.target) return '';
  if (count.informational === true) return "  << the database's own progress (kept)";
  return count.target > count.source
    ? `  << the database holds ${count.target - count.source} more (not from this file; kept)`
    : `  << ${count.source - count.target} deleted in the database since (kept deleted)`;
}
