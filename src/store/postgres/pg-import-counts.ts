import type { StoreDocument } from '../store-document.js';
import { queryRows, type Queryable } from './pg-pool.js';

/**
 * The check after a copy (pg-import.ts): each collection counted on both sides. A one-row
 * record (sync state, rotation, configuration...) counts 1 when present, and on the target
 * only when its value equals the file's (jsonb equality), so a singleton that differs shows.
 */
export interface CollectionCount {
  collection: string;
  source: number;
  target: number;
}

const OUTBOX_STATUSES = ['pending', 'done', 'dead'] as const;

export async function countCollections(
  db: Queryable,
  document: StoreDocument,
): Promise<CollectionCount[]> {
  const count = async (sql: string, values: unknown[] = []) => {
    const rows = await queryRows<{ n: number }>(db, 'a count after the copy', sql, values);
    return rows[0]?.n ?? 0;
  };
  const rows = (table: string) => count(`SELECT count(*)::float8 AS n FROM ${table}`);
  /** 1 when the target's row equals `value`; with no value in the file, whether it has one. */
  const singleton = (table: string, column: string, value: unknown) =>
    value === undefined
      ? rows(table)
      : count(`SELECT count(*)::float8 AS n FROM ${table} WHERE ${column} = $1::jsonb`, [
          JSON.stringify(value),
        ]);
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

  const outboxItems = [...document.outbox.values()];
  return [
    { collection: 'leads', source: document.leads.size, target: await rows('leads') },
    {
      collection: 'deleted lead ids',
      source: new Set(document.deletedLeadIds).size,
      target: await rows('deleted_leads'),
    },
    row('sync state', 1, await singleton('sync_state', 'state', document.sync)),
    row('usage', present(document.usage), await singleton('usage', 'usage', document.usage)),
    row(
      'instance',
      present(document.instance),
      await singleton('store_instance', 'instance', document.instance),
    ),
    row('rotation', 1, await singleton('rotation', 'state', document.routing)),
    row(
      'routing settings',
      1,
      await singleton('routing_settings', 'settings', document.routingSettings),
    ),
    row('assignments', document.assignments.size, await rows('assignments')),
    row('agents', document.agents.size, await rows('agents')),
    row('routing rules', document.routingRules.size, await rows('routing_rules')),
    row('oauth states', document.oauthStates.size, await rows('oauth_states')),
    row('meetings', document.meetings.size, await rows('meetings')),
    ...OUTBOX_STATUSES.map((status) =>
      row(
        `outbox items (${status})`,
        outboxItems.filter((item) => item.status === status).length,
        byStatus(status),
      ),
    ),
    row(
      'chat configuration',
      present(configuration),
      configuration === undefined
        ? await count(
            'SELECT count(*)::float8 AS n FROM chat_state WHERE configuration IS NOT NULL',
          )
        : await singleton('chat_state', 'configuration', configuration),
    ),
    row('chat revision (value)', document.chat.revision, revision[0]?.revision ?? 0),
    row('dialogues', document.dialogues.size, await rows('dialogues')),
    row('dialogue stats', document.dialogueStats.size, await rows('dialogue_stats')),
    row('chat event ids', document.chatEventIds.size, await rows('chat_events')),
    row('visitor links', document.visitorLinks.size, await rows('visitor_links')),
    row('held chat events', document.heldChatEvents.size, await rows('held_chat_events')),
  ];
}

function row(collection: string, source: number, target: number): CollectionCount {
  return { collection, source, target };
}

function present(value: unknown): number {
  return value === undefined ? 0 : 1;
}

/** The collections whose counts differ. */
export function differences(counts: readonly CollectionCount[]): CollectionCount[] {
  return counts.filter((count) => count.source !== count.target);
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
    const note =
      count.source === count.target
        ? ''
        : count.target > count.source
          ? `  << the database holds ${count.target - count.source} more (not from this file; kept)`
          : `  << ${count.source - count.target} missing or different in the database`;
    lines.push(
      `${pad(count.collection, width)}  ${num(count.source)}  ${num(count.target)}${note}`,
    );
  }
  return lines;
}
