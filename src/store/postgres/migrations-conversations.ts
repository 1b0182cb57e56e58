/**
 * Migration 003: the conversation log (transcripts and dated reports), the published versions
 * of dialogues, and the meetings' creation index for the agent report. migrations.ts runs it as
 * version 3, in one transaction like every migration.
 */
export const CONVERSATIONS_MIGRATION_NAME = 'conversations';

export const CONVERSATIONS_MIGRATION_SQL = `
-- One row per conversation, made by its first recorded event and updated by each later one
-- (in the event's transaction). types: the event types seen, in first-seen order.
-- Ids in byte order (COLLATE "C"), as the JSON store and the page cursor compare them.
-- entries: entries logged (at most MAX_LOG_ENTRIES_PER_CONVERSATION); events: all recorded.
CREATE TABLE conversations (
  conversation_id text COLLATE "C" PRIMARY KEY,
  dialogue_id text NOT NULL,
  dialogue_version integer NOT NULL,
  anonymous_id text NOT NULL,
  email text,
  started_at bigint NOT NULL,
  last_event_at bigint NOT NULL,
  types text[] NOT NULL,
  entries integer NOT NULL,
  events integer NOT NULL
);
-- The listing: newest first, all or one dialogue's, keyset-paged on (started_at, id).
CREATE INDEX conversations_started ON conversations (started_at DESC, conversation_id DESC);
CREATE INDEX conversations_dialogue_started
  ON conversations (dialogue_id, started_at DESC, conversation_id DESC);
-- The prune.
CREATE INDEX conversations_last_event_at ON conversations (last_event_at);

-- The log entries; seq orders a conversation's entries. The report reads a date range by at.
CREATE TABLE conversation_events (
  conversation_id text COLLATE "C" NOT NULL REFERENCES conversations (conversation_id) ON DELETE CASCADE,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  dialogue_id text NOT NULL,
  type text NOT NULL,
  at bigint NOT NULL,
  entry jsonb NOT NULL,
  PRIMARY KEY (conversation_id, seq)
);
CREATE INDEX conversation_events_at ON conversation_events (at) INCLUDE (dialogue_id, type, conversation_id);

-- Every published version's content, kept when first published (a version never changes),
-- so a transcript shows the texts its conversation ran. Kept when the dialogue is deleted.
CREATE TABLE dialogue_versions (
  dialogue_id text NOT NULL,
  version integer NOT NULL,
  content jsonb NOT NULL,
  published_at text NOT NULL,
  PRIMARY KEY (dialogue_id, version)
);

-- The agent report counts meetings created in a range (meetings_start serves the starts).
CREATE INDEX meetings_created_at ON meetings (created_at);
`;
