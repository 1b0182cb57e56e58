import { DateTime } from 'luxon';
import type pg from 'pg';
import type { Dialogue, DialogueContent } from '../../records/chat-dialogue.js';
import type { ChatEvent } from '../../records/chat-event.js';
import {
  conversationCursor,
  conversationEntryOf,
  MAX_LOG_ENTRIES_PER_CONVERSATION,
  readConversationCursor,
  type AgentMeetingCounts,
  type ConversationEntry,
  type ConversationListFilter,
  type ConversationLog,
  type ConversationPage,
  type ConversationSummary,
  type DialogueReportRows,
  type ReportRange,
} from '../../records/conversation-log.js';
import { ValidationError } from '../../errors.js';
import { deepFreeze } from '../document-snapshot.js';
import type { VisitorEmails } from '../conversation-records.js';
import type { ConversationStore } from '../conversation-store-types.js';
import { mapPgError } from './pg-errors.js';
import { queryRows, type PgClient } from './pg-pool.js';

/**
 * The conversation log in PostgreSQL (migration 3), semantics as conversation-records.ts. The
 * writes run inside the chat's own transactions (pg-chat-records.ts); the reads aggregate in
 * SQL over the indexed columns, so a report never loads the log into memory.
 */

/** In the event's transaction: the conversation's row, then its entry (while under the cap). */
export async function appendConversationEvent(
  client: PgClient,
  event: ChatEvent,
  now: number,
  emails: VisitorEmails,
): Promise<void> {
  const email = emails.given ?? emails.known;
  const summary = await client.query<{ events: number }>(
    `INSERT INTO conversations AS c (conversation_id, dialogue_id, dialogue_version, anonymous_id,
       email, started_at, last_event_at, types, entries, events)
     VALUES ($1, $2, $3, $4, $5, $6, $6, ARRAY[$7::text], 1, 1)
     ON CONFLICT (conversation_id) DO UPDATE SET
       -- Replicas may commit a conversation's first events in any order.
       started_at = LEAST(c.started_at, excluded.started_at),
       last_event_at = GREATEST(c.last_event_at, excluded.last_event_at),
       email = COALESCE(excluded.email, c.email),
       types = CASE WHEN $7 = ANY (c.types) THEN c.types ELSE c.types || $7::text END,
       entries = LEAST(c.events + 1, $8),
       events = c.events + 1
     RETURNING events`,
    [
      event.conversationId,
      event.dialogueId,
      event.dialogueVersion,
      event.visitor.anonymousId,
      email ?? null,
      now,
      event.type,
      MAX_LOG_ENTRIES_PER_CONVERSATION,
    ],
  );
  if ((summary.rows[0]?.events ?? 0) > MAX_LOG_ENTRIES_PER_CONVERSATION) return;
  await client.query(
    `INSERT INTO conversation_events (conversation_id, dialogue_id, type, at, entry)
     VALUES ($1, $2, $3, $4, $5::jsonb)`,
    [
      event.conversationId,
      event.dialogueId,
      event.type,
      now,
      JSON.stringify(conversationEntryOf(event, now, emails.given)),
    ],
  );
}

/** In the dialogue's transaction: a newly published version's content, kept once. */
export async function keepDialogueVersion(client: PgClient, dialogue: Dialogue): Promise<void> {
  const { published } = dialogue;
  if (published === null) return;
  await client.query(
    `INSERT INTO dialogue_versions (dialogue_id, version, content, published_at)
     VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT DO NOTHING`,
    [dialogue.id, published.version, JSON.stringify(published.content), published.publishedAt],
  );
}

interface SummaryRow {
  conversation_id: string;
  dialogue_id: string;
  dialogue_version: number;
  anonymous_id: string;
  email: string | null;
  started_at: string;
  last_event_at: string;
  types: ConversationSummary['types'];
  entries: number;
}

const SUMMARY_COLUMNS = `conversation_id, dialogue_id, dialogue_version, anonymous_id, email,
  started_at, last_event_at, types, entries`;

function toSummary(row: SummaryRow): ConversationSummary {
  return {
    conversationId: row.conversation_id,
    dialogueId: row.dialogue_id,
    dialogueVersion: row.dialogue_version,
    anonymousId: row.anonymous_id,
    ...(row.email === null ? {} : { email: row.email }),
    startedAt: Number(row.started_at),
    lastEventAt: Number(row.last_event_at),
    types: row.types,
    entries: row.entries,
  };
}

export class PgConversationRecords implements ConversationStore {
  constructor(private readonly pool: pg.Pool) {}

  async getConversation(conversationId: string): Promise<ConversationLog | undefined> {
    const rows = await queryRows<SummaryRow>(
      this.pool,
      'a conversation read',
      `SELECT ${SUMMARY_COLUMNS} FROM conversations WHERE conversation_id = $1`,
      [conversationId],
    );
    if (rows[0] === undefined) return undefined;
    const entries = await queryRows<{ entry: ConversationEntry }>(
      this.pool,
      'a conversation read',
      'SELECT entry FROM conversation_events WHERE conversation_id = $1 ORDER BY seq',
      [conversationId],
    );
    return deepFreeze({ summary: toSummary(rows[0]), entries: entries.map((row) => row.entry) });
  }

  async listConversations(filter: ConversationListFilter): Promise<ConversationPage> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      values.push(value);
      where.push(sql(`$${values.length}`));
    };
    if (filter.dialogueId !== undefined) add((n) => `dialogue_id = ${n}`, filter.dialogueId);
    if (filter.from !== undefined) add((n) => `started_at >= ${n}`, filter.from);
    if (filter.to !== undefined) add((n) => `started_at < ${n}`, filter.to);
    if (filter.cursor !== undefined) {
      const after = readConversationCursor(filter.cursor);
      if (after === undefined) {
        throw new ValidationError('cursor: not a cursor this service gave', 'cursor');
      }
      values.push(after.startedAt, after.conversationId);
      where.push(`(started_at, conversation_id) < ($${values.length - 1}, $${values.length})`);
    }
    values.push(filter.limit + 1);
    const rows = await queryRows<SummaryRow>(
      this.pool,
      'the conversation list',
      `SELECT ${SUMMARY_COLUMNS} FROM conversations
       ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`}
       ORDER BY started_at DESC, conversation_id DESC LIMIT $${values.length}`,
      values,
    );
    const page = rows.slice(0, filter.limit).map(toSummary);
    const last = page.at(-1);
    return rows.length > filter.limit && last !== undefined
      ? { conversations: page, next: conversationCursor(last) }
      : { conversations: page };
  }

  async getDialogueVersion(id: string, version: number): Promise<DialogueContent | undefined> {
    const rows = await queryRows<{ content: DialogueContent }>(
      this.pool,
      'a dialogue version read',
      'SELECT content FROM dialogue_versions WHERE dialogue_id = $1 AND version = $2',
      [id, version],
    );
    return rows[0] === undefined ? undefined : deepFreeze(rows[0].content);
  }

  /**
   * An index range on `at`. Days are cut where they start in the zone, computed here (luxon, as
   * the JSON store names them) and handed over as bucket bounds: width_bucket is a binary
   * search per row, far cheaper than a time zone conversion and formatting per row.
   */
  async dialogueReport(args: ReportRange & { timeZone: string }): Promise<DialogueReportRows> {
    const starts = dayStarts(args);
    const days = await queryRows<{
      dialogue_id: string;
      bucket: number;
      type: string;
      count: number;
    }>(
      this.pool,
      'the dialogue report',
      `SELECT dialogue_id, width_bucket(at, $3::bigint[]) AS bucket, type, count(*)::int AS count
       FROM conversation_events WHERE at >= $1 AND at < $2
       GROUP BY 1, 2, 3`,
      [args.from, args.to, starts.map((start) => start.ms)],
    );
    const converted = await queryRows<{ dialogue_id: string; n: number }>(
      this.pool,
      'the dialogue report',
      `SELECT dialogue_id, count(DISTINCT conversation_id)::int AS n
       FROM conversation_events
       WHERE at >= $1 AND at < $2 AND type IN ('email-given', 'meeting-booked')
       GROUP BY dialogue_id`,
      [args.from, args.to],
    );
    return {
      days: days.map((row) => ({
        dialogueId: row.dialogue_id,
        // Bucket i holds [starts[i-1], starts[i]); the range begins at or after starts[0].
        day: starts[Math.max(0, row.bucket - 1)]!.day,
        type: row.type as DialogueReportRows['days'][number]['type'],
        count: row.count,
      })),
      converted: Object.fromEntries(converted.map((row) => [row.dialogue_id, row.n])),
    };
  }

  async agentMeetingReport(args: ReportRange): Promise<AgentMeetingCounts[]> {
    const rows = await queryRows<{
      agent_id: string;
      agent_name: string;
      agent_email: string;
      booked: number;
      held: number;
      no_shows: number;
      cancelled: number;
    }>(
      this.pool,
      'the agent report',
      `SELECT agent_id, min(data->>'agentName') AS agent_name,
         min(data->>'agentEmail') AS agent_email,
         count(*) FILTER (WHERE created_at >= $1 AND created_at < $2)::int AS booked,
         count(*) FILTER (WHERE ${STARTED} AND status = 'completed')::int AS held,
         count(*) FILTER (WHERE ${STARTED} AND status = 'no-show')::int AS no_shows,
         count(*) FILTER (WHERE ${STARTED} AND status = 'cancelled')::int AS cancelled
       FROM meetings
       WHERE status <> 'pending' AND ((created_at >= $1 AND created_at < $2) OR ${STARTED})
       GROUP BY agent_id ORDER BY agent_id COLLATE "C"`,
      [args.from, args.to],
    );
    return rows.map((row) => ({
      agentId: row.agent_id,
      agentName: row.agent_name,
      agentEmail: row.agent_email,
      booked: row.booked,
      held: row.held,
      noShows: row.no_shows,
      cancelled: row.cancelled,
    }));
  }

  async pruneConversations(before: number): Promise<number> {
    try {
      const result = await this.pool.query('DELETE FROM conversations WHERE last_event_at < $1', [
        before,
      ]);
      return result.rowCount ?? 0;
    } catch (error) {
      throw mapPgError(error, 'the conversation prune');
    }
  }
}

const STARTED = '(start_ms >= $1 AND start_ms < $2)';

/** The start of every day (in the zone) that meets [from, to), the first at or before from. */
function dayStarts(args: ReportRange & { timeZone: string }): Array<{ ms: number; day: string }> {
  const starts: Array<{ ms: number; day: string }> = [];
  let day = DateTime.fromMillis(args.from, { zone: args.timeZone }).startOf('day');
  while (starts.length === 0 || day.toMillis() < args.to) {
    starts.push({ ms: day.toMillis(), day: day.toISODate()! });
    day = day.plus({ days: 1 }).startOf('day');
  }
  return starts;
}
