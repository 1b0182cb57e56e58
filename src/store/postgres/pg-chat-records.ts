import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import { StoreError } from '../../errors.js';
import {
  chatConfigurationSchema,
  type ChatConfiguration,
} from '../../records/chat-configuration.js';
import { type Dialogue } from '../../records/chat-dialogue.js';
import { type DialogueStats } from '../../records/chat-event.js';
import { storedDialogueSchema } from '../chat-document.js';
import {
  EVENT_DEDUPE_WINDOW_MS,
  VISITOR_LINK_RETENTION_MS,
  type RecordChatEventArgs,
} from '../chat-records.js';
import { deepFreeze } from '../document-snapshot.js';
import { copyJsonValue, NOT_JSON } from '../json-value.js';
import { normalizeEmail } from '../lead-index.js';
import { refuseInvalid } from '../record-validation.js';
import type { ChatStore } from '../types.js';
import type { EnqueueOutboxIn } from './pg-outbox-records.js';
import { addCounters, asJson, bumpRevision, holdValue, lockChatState } from './pg-chat-writes.js';
import { recordChatEventSchema, refuseVersionChange } from '../store-arguments.js';
import { appendConversationEvent, keepDialogueVersion } from './pg-conversation-records.js';
import { inTransaction, queryRows } from './pg-pool.js';
import { SharedRead } from './pg-shared-read.js';

interface StatsRow {
  triggered: string;
  engaged: string;
  completed: string;
  people_acquired: string;
  meetings_booked: string;
  goals_reached: string;
}

/**
 * The chat in PostgreSQL, semantics as chat-records.ts. Admin writes (configuration,
 * dialogues) lock the chat_state row first, so they run one at a time across replicas and the
 * revision moves exactly once per visible change. A widget event is one transaction whose
 * first statement claims its id (ON CONFLICT DO NOTHING): a concurrent retry waits for it,
 * then finds the id taken and changes nothing.
 *
 * Unlike the JSON document, the tables need no cap on remembered event ids (the dedupe
 * window alone bounds them) nor a size threshold before visitor links are swept.
 */
export class PgChatRecords implements ChatStore {
  /** Read on every widget call: concurrent callers share one query (pg-shared-read.ts). */
  private readonly revision = new SharedRead(() => this.readRevision());

  constructor(
    private readonly pool: pg.Pool,
    private readonly enqueueOutbox: EnqueueOutboxIn,
  ) {}

  async getChatConfiguration(): Promise<ChatConfiguration | undefined> {
    const rows = await queryRows<{ configuration: ChatConfiguration | null }>(
      this.pool,
      'the chat configuration read',
      'SELECT configuration FROM chat_state WHERE id = 1',
    );
    const configuration = rows[0]?.configuration;
    return configuration === null || configuration === undefined
      ? undefined
      : deepFreeze(configuration);
  }

  async saveChatConfiguration(input: ChatConfiguration): Promise<void> {
    const configuration = asJson(
      refuseInvalid(chatConfigurationSchema, input, 'chat configuration'),
    );
    await inTransaction(this.pool, 'the chat configuration write', async (client) => {
      const current = await lockChatState(client);
      if (isDeepStrictEqual(configuration, current.configuration ?? undefined)) return;
      await client.query(
        'UPDATE chat_state SET revision = revision + 1, configuration = $1::jsonb WHERE id = 1',
        [JSON.stringify(configuration)],
      );
    }).finally(() => this.revision.invalidate());
  }

  async listDialogues(): Promise<Dialogue[]> {
    const rows = await queryRows<{ dialogue: Dialogue }>(
      this.pool,
      'the dialogue list',
      'SELECT dialogue FROM dialogues ORDER BY seq',
    );
    return rows.map((row) => deepFreeze(row.dialogue));
  }

  async getDialogue(id: string): Promise<Dialogue | undefined> {
    const rows = await queryRows<{ dialogue: Dialogue }>(
      this.pool,
      'a dialogue read',
      'SELECT dialogue FROM dialogues WHERE id = $1',
      [id],
    );
    return rows[0] === undefined ? undefined : deepFreeze(rows[0].dialogue);
  }

  /** A published version never goes back nor changes content (chat-records.ts says why). */
  async saveDialogue(input: Dialogue): Promise<void> {
    const dialogue = asJson(refuseInvalid(storedDialogueSchema, input, 'dialogue'));
    await inTransaction(this.pool, 'a dialogue write', async (client) => {
      await lockChatState(client);
      const rows = await client.query<{ dialogue: Dialogue }>(
        'SELECT dialogue FROM dialogues WHERE id = $1',
        [dialogue.id],
      );
      const existing = rows.rows[0]?.dialogue;
      if (existing !== undefined && isDeepStrictEqual(existing, dialogue)) return;
      if (existing?.published) {
        refuseVersionChange(existing.published, dialogue.published, dialogue.id);
      }
      const visible =
        existing === undefined
          ? dialogue.published !== null
          : existing.enabled !== dialogue.enabled ||
            !isDeepStrictEqual(existing.published, dialogue.published);
      await client.query(
        `INSERT INTO dialogues (id, dialogue) VALUES ($1, $2::jsonb)
         ON CONFLICT (id) DO UPDATE SET dialogue = excluded.dialogue`,
        [dialogue.id, JSON.stringify(dialogue)],
      );
      await keepDialogueVersion(client, dialogue);
      if (visible) await bumpRevision(client);
    }).finally(() => this.revision.invalidate());
  }

  /** Deletes the dialogue and its counters (ON DELETE CASCADE). */
  async deleteDialogue(id: string): Promise<boolean> {
    return inTransaction(this.pool, 'a dialogue delete', async (client) => {
      await lockChatState(client);
      const rows = await client.query<{ dialogue: Dialogue }>(
        'DELETE FROM dialogues WHERE id = $1 RETURNING dialogue',
        [id],
      );
      const existing = rows.rows[0]?.dialogue;
      if (existing === undefined) return false;
      if (existing.published !== null) await bumpRevision(client);
      return true;
    }).finally(() => this.revision.invalidate());
  }

  chatRevision(): Promise<number> {
    return this.revision.get();
  }

  private async readRevision(): Promise<number> {
    const rows = await queryRows<{ revision: number }>(this.pool, 'the chat revision read', {
      name: 'chat_revision',
      text: 'SELECT revision::float8 AS revision FROM chat_state WHERE id = 1',
    });
    return rows[0]?.revision ?? 0;
  }

  async dialogueStats(dialogueId: string): Promise<DialogueStats> {
    const rows = await queryRows<StatsRow>(
      this.pool,
      'a dialogue stats read',
      'SELECT * FROM dialogue_stats WHERE dialogue_id = $1',
      [dialogueId],
    );
    const row = rows[0];
    return {
      triggered: Number(row?.triggered ?? 0),
      engaged: Number(row?.engaged ?? 0),
      completed: Number(row?.completed ?? 0),
      peopleAcquired: Number(row?.people_acquired ?? 0),
      meetingsBooked: Number(row?.meetings_booked ?? 0),
      goalsReached: Number(row?.goals_reached ?? 0),
    };
  }

  /** By the widget's anonymous id first (this browser), then by the Munchkin cookie. */
  async findVisitorEmail(visitor: {
    anonymousId?: string;
    mktoTrk?: string;
  }): Promise<string | undefined> {
    const keys: string[] = [];
    if (visitor.anonymousId !== undefined) keys.push(`anon:${visitor.anonymousId}`);
    if (visitor.mktoTrk !== undefined) keys.push(`trk:${visitor.mktoTrk}`);
    if (keys.length === 0) return undefined;
    const rows = await queryRows<{ key: string; email: string }>(
      this.pool,
      'a visitor lookup',
      {
        name: 'visitor_links_by_key',
        text: 'SELECT key, email FROM visitor_links WHERE key = ANY($1::text[])',
      },
      [keys],
    );
    for (const key of keys) {
      const found = rows.find((row) => row.key === key);
      if (found !== undefined) return found.email;
    }
    return undefined;
  }

  /**
   * Once per `<conversationId>:<eventId>`; the held values released, the outbox items, the
   * counters, the conversation log and the visitor links in the same transaction
   * (chat-records.ts recordEvent).
   */
  async recordChatEvent(input: RecordChatEventArgs): Promise<boolean> {
    const args = refuseInvalid(recordChatEventSchema, input, 'chat event');
    const { event, now } = args;
    const hold = input.hold === undefined ? undefined : copyJsonValue(input.hold);
    if (hold === NOT_JSON) throw new StoreError('STORE_INVALID_RECORD', 'held value is not JSON');
    return inTransaction(this.pool, 'a chat event', async (client) => {
      const claimed = await client.query(
        'INSERT INTO chat_events (key, recorded_at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [`${event.conversationId}:${event.eventId}`, now],
      );
      if (claimed.rowCount !== 1) return false;
      const released =
        input.release === undefined
          ? undefined
          : await client.query<{ held_values: unknown[] }>(
              'DELETE FROM held_chat_events WHERE conversation_id = $1 RETURNING held_values',
              [event.conversationId],
            );
      const held = released?.rows[0]?.held_values;
      // The held events happened first: they go first.
      const outbox = [
        ...(held !== undefined ? input.release!(held) : []),
        ...((input.outbox ?? []) as Parameters<EnqueueOutboxIn>[1]),
      ];
      if (outbox.length > 0) await this.enqueueOutbox(client, outbox, now);
      if (hold !== undefined) await holdValue(client, event.conversationId, hold, now);
      await client.query('DELETE FROM chat_events WHERE recorded_at < $1', [
        now - EVENT_DEDUPE_WINDOW_MS,
      ]);
      await addCounters(client, event.dialogueId, args.counters);
      const email = normalizeEmail(args.visitorEmail);
      await appendConversationEvent(client, event, now, {
        given: email,
        known: normalizeEmail(event.visitor.email),
      });
      if (email !== undefined) {
        const keys = [`anon:${event.visitor.anonymousId}`];
        if (event.visitor.mktoTrk !== undefined) keys.push(`trk:${event.visitor.mktoTrk}`);
        await client.query(
          `INSERT INTO visitor_links (key, email, linked_at) SELECT k, $2, $3 FROM unnest($1::text[]) k
           ON CONFLICT (key) DO UPDATE SET email = excluded.email, linked_at = excluded.linked_at`,
          [keys, email, now],
        );
        await client.query('DELETE FROM visitor_links WHERE linked_at < $1', [
          now - VISITOR_LINK_RETENTION_MS,
        ]);
      }
      return true;
    });
  }
}
