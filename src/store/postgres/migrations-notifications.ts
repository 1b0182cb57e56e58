/**
 * Migration 006: messages captured instead of sent (sandbox mode, or no SMTP_URL), listed by
 * GET /api/notifications and pruned after NOTIFICATION_RETENTION_DAYS. migrations.ts runs it as
 * version 6, in one transaction like every migration.
 */
export const NOTIFICATIONS_MIGRATION_NAME = 'notifications';

export const NOTIFICATIONS_MIGRATION_SQL = `
-- One row per captured message; id is the notification's outbox dedupe key, so a delivery
-- retried after a crash inserts nothing more. Ids in byte order (COLLATE "C"), as the JSON
-- store and the page cursor compare them. recipient is lower-cased by the store.
CREATE TABLE notifications (
  id text COLLATE "C" PRIMARY KEY,
  notice text NOT NULL,
  meeting_id text NOT NULL,
  recipient text NOT NULL,
  captured_at bigint NOT NULL,
  data jsonb NOT NULL
);
-- The list: newest first, all or one meeting's or one recipient's, keyset-paged on
-- (captured_at, id). The first index also serves the prune.
CREATE INDEX notifications_captured ON notifications (captured_at DESC, id DESC);
CREATE INDEX notifications_meeting ON notifications (meeting_id, captured_at DESC, id DESC);
CREATE INDEX notifications_recipient ON notifications (recipient, captured_at DESC, id DESC);
`;
