import type { StoreDocument } from '../store-document.js';
import type { Queryable } from './pg-pool.js';

/** Conversations per statement: each carries up to MAX_LOG_ENTRIES_PER_CONVERSATION entries. */
const BATCH = 200;

/**
 * The conversation log and the kept dialogue versions of a JSON store, copied by
 * `npm run migrate:store` (pg-import.ts) in its one transaction. A conversation the database
 * has already keeps its own entries (only new conversations get theirs).
 */
export async function importConversations(db: Queryable, document: StoreDocument): Promise<void> {
  const versions = [...document.dialogueVersions.values()];
  if (versions.length > 0) {
    await db.query(
      `INSERT INTO dialogue_versions (dialogue_id, version, content, published_at)
       SELECT v->>'dialogueId', (v->>'version')::int, v->'content', v->>'publishedAt'
       FROM jsonb_array_elements($1::jsonb) AS r(v)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(versions)],
    );
  }
  const conversations = [...document.conversations.values()];
  for (let start = 0; start < conversations.length; start += BATCH) {
    const batch = JSON.stringify(conversations.slice(start, start + BATCH));
    const inserted = await db.query<{ conversation_id: string }>(
      `INSERT INTO conversations (conversation_id, dialogue_id, dialogue_version, anonymous_id,
         email, started_at, last_event_at, types, entries, events)
       SELECT s->>'conversationId', s->>'dialogueId', (s->>'dialogueVersion')::int,
         s->>'anonymousId', s->>'email', (s->>'startedAt')::numeric::bigint,
         (s->>'lastEventAt')::numeric::bigint,
         ARRAY(SELECT jsonb_array_elements_text(s->'types')),
         (s->>'entries')::int, (s->>'entries')::int
       FROM jsonb_array_elements($1::jsonb) AS r(c), LATERAL (SELECT c->'summary' AS s) AS x
       ON CONFLICT DO NOTHING
       RETURNING conversation_id`,
      [batch],
    );
    if (inserted.rows.length === 0) continue;
    await db.query(
      `INSERT INTO conversation_events (conversation_id, dialogue_id, type, at, entry)
       SELECT c->'summary'->>'conversationId', e->>'dialogueId', e->>'type',
         (e->>'at')::numeric::bigint, e
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(c, n),
         jsonb_array_elements(c->'entries') WITH ORDINALITY AS q(e, m)
       WHERE c->'summary'->>'conversationId' = ANY ($2::text[])
       ORDER BY n, m`,
      [batch, inserted.rows.map((row) => row.conversation_id)],
    );
  }
}
