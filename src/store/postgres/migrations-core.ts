/**
 * Migration 001: leads, sync cursor, usage, instance, outbox and chat.
 *
 * Times are `double precision`: the records hold them as JS numbers (epoch ms, not always
 * integers), which a double holds exactly and pg hands back as numbers (a bigint comes back as
 * a string). Singletons (sync state, usage, instance, chat state) are one row with id 1.
 */
export const CORE_MIGRATION_SQL = `
CREATE TABLE leads (
  id bigint PRIMARY KEY,
  email_lower text,
  fields jsonb NOT NULL,
  observed_at double precision NOT NULL,
  source text NOT NULL
);
CREATE INDEX leads_email_lower ON leads (email_lower) WHERE email_lower IS NOT NULL;
CREATE INDEX leads_observed_at ON leads (observed_at);

-- Marketo never reuses a lead id: a deleted one must never come back.
CREATE TABLE deleted_leads (id bigint PRIMARY KEY);

CREATE TABLE sync_state (
  id smallint PRIMARY KEY CHECK (id = 1),
  state jsonb NOT NULL
);

CREATE TABLE usage (
  id smallint PRIMARY KEY CHECK (id = 1),
  usage jsonb NOT NULL
);

CREATE TABLE store_instance (
  id smallint PRIMARY KEY CHECK (id = 1),
  instance jsonb NOT NULL
);

-- seq keeps enqueue order among items of one createdAt (ids are random).
-- dedupe_key is unique until the item is pruned, whatever its status, as in the lowdb store.
CREATE TABLE outbox_items (
  id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  kind text NOT NULL,
  dedupe_key text NOT NULL UNIQUE,
  payload jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'done', 'dead')),
  attempts integer NOT NULL,
  next_attempt_at double precision NOT NULL,
  lease_token text,
  lease_until double precision,
  last_error text,
  created_at double precision NOT NULL,
  updated_at double precision NOT NULL,
  done_at double precision
);
CREATE INDEX outbox_items_due ON outbox_items (created_at, seq) WHERE status = 'pending';
CREATE INDEX outbox_items_listed ON outbox_items (created_at DESC, seq DESC);
CREATE INDEX outbox_items_done_at ON outbox_items (done_at) WHERE status = 'done';

-- The chat's configuration and revision; every chat admin write locks this row first.
CREATE TABLE chat_state (
  id smallint PRIMARY KEY CHECK (id = 1),
  revision bigint NOT NULL,
  configuration jsonb
);
INSERT INTO chat_state (id, revision, configuration) VALUES (1, 0, NULL);

-- seq: the order dialogues were first saved in (list order, as the lowdb store's Map).
CREATE TABLE dialogues (
  id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  dialogue jsonb NOT NULL
);

CREATE TABLE dialogue_stats (
  dialogue_id text PRIMARY KEY REFERENCES dialogues (id) ON DELETE CASCADE,
  triggered bigint NOT NULL DEFAULT 0,
  engaged bigint NOT NULL DEFAULT 0,
  completed bigint NOT NULL DEFAULT 0,
  people_acquired bigint NOT NULL DEFAULT 0,
  meetings_booked bigint NOT NULL DEFAULT 0,
  goals_reached bigint NOT NULL DEFAULT 0
);

-- Recorded widget events, by '<conversationId>:<eventId>', for the dedupe window.
CREATE TABLE chat_events (
  key text PRIMARY KEY,
  recorded_at double precision NOT NULL
);
CREATE INDEX chat_events_recorded_at ON chat_events (recorded_at);

-- A visitor's email by 'anon:<anonymousId>' or 'trk:<_mkto_trk>'.
CREATE TABLE visitor_links (
  key text PRIMARY KEY,
  email text NOT NULL,
  linked_at double precision NOT NULL
);
CREATE INDEX visitor_links_linked_at ON visitor_links (linked_at);

-- Write-backs held for conversations not known yet (chat-records.ts), oldest first by seq.
CREATE TABLE held_chat_events (
  conversation_id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  held_at double precision NOT NULL,
  held_values jsonb NOT NULL
);
CREATE INDEX held_chat_events_seq ON held_chat_events (seq);
`;
