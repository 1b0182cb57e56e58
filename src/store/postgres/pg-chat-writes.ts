import type { ChatConfiguration } from '../../records/chat-configuration.js';
import type { DialogueStats } from '../../records/chat-event.js';
import {
  EVENT_DEDUPE_WINDOW_MS,
  MAX_HELD_CONVERSATIONS,
  MAX_HELD_PER_CONVERSATION,
} from '../chat-records.js';
import type { PgClient } from './pg-pool.js';

/** The statements of the chat's transactions (pg-chat-records.ts), and its version rule. */

export async function lockChatState(
  client: PgClient,
): Promise<{ configuration: ChatConfiguration | null }> {
  const rows = await client.query<{ configuration: ChatConfiguration | null }>(
    'SELECT configuration FROM chat_state WHERE id = 1 FOR UPDATE',
  );
  return rows.rows[0] ?? { configuration: null };
}

export async function bumpRevision(client: PgClient): Promise<void> {
  await client.query('UPDATE chat_state SET revision = revision + 1 WHERE id = 1');
}

/**
 * Appends to the conversation's held values (the first hold keeps its place and time, at most
 * MAX_HELD_PER_CONVERSATION values), then forgets conversations held past the dedupe window
 * and the oldest beyond MAX_HELD_CONVERSATIONS.
 */
export async function holdValue(
  client: PgClient,
  conversationId: string,
  value: unknown,
  now: number,
) {
  await client.query(
    `INSERT INTO held_chat_events (conversation_id, held_at, held_values)
     VALUES ($1, $2, jsonb_build_array($3::jsonb))
     ON CONFLICT (conversation_id) DO UPDATE
       SET held_values = held_chat_events.held_values || jsonb_build_array($3::jsonb)
       WHERE jsonb_array_length(held_chat_events.held_values) < $4`,
    [conversationId, now, JSON.stringify(value), MAX_HELD_PER_CONVERSATION],
  );
  await client.query(
    `DELETE FROM held_chat_events WHERE held_at < $1 OR conversation_id IN (
       SELECT conversation_id FROM held_chat_events ORDER BY seq DESC OFFSET $2)`,
    [now - EVENT_DEDUPE_WINDOW_MS, MAX_HELD_CONVERSATIONS],
  );
}

/** Only for a dialogue that still exists: a deleted one's counters are gone. */
export async function addCounters(
  client: PgClient,
  dialogueId: string,
  counters: Partial<DialogueStats>,
): Promise<void> {
  const n = (name: keyof DialogueStats) => Math.max(0, counters[name] ?? 0);
  const values = [
    n('triggered'),
    n('engaged'),
    n('completed'),
    n('peopleAcquired'),
    n('meetingsBooked'),
    n('goalsReached'),
  ];
  if (values.every((value) => value === 0)) return;
  await client.query(
    `INSERT INTO dialogue_stats AS s (dialogue_id, triggered, engaged, completed,
       people_acquired, meetings_booked, goals_reached)
     SELECT id, $2, $3, $4, $5, $6, $7 FROM dialogues WHERE id = $1
     ON CONFLICT (dialogue_id) DO UPDATE SET
       triggered = s.triggered + excluded.triggered, engaged = s.engaged + excluded.engaged,
       completed = s.completed + excluded.completed,
       people_acquired = s.people_acquired + excluded.people_acquired,
       meetings_booked = s.meetings_booked + excluded.meetings_booked,
       goals_reached = s.goals_reached + excluded.goals_reached`,
    [dialogueId, ...values],
  );
}

/** The value as jsonb will give it back (no undefined members), so comparisons hold. */
export function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
