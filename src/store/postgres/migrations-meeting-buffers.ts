/**
 * Migration 005: a buffer before meetings. A meeting now holds
 * [start - buffer before, end + buffer after) (meeting-store-types.ts HoldFacts), so the
 * exclusion constraint compares that range. Meetings stored before have no buffer before: the
 * new column defaults to 0 (a constant default adds no rewrite of the table), their ranges are
 * the ones the old constraint compared, and re-adding the constraint under the same name keeps
 * the refusal the store maps to SLOT_TAKEN (pg-meeting-rows.ts). Runs in one transaction like
 * every migration: a failure leaves the old constraint in place.
 */
export const MEETING_BUFFERS_MIGRATION_NAME = 'meeting-buffers';

export const MEETING_BUFFERS_MIGRATION_SQL = `
ALTER TABLE meetings ADD COLUMN buffer_before_ms bigint NOT NULL DEFAULT 0;
-- Rows written before: the value their data carries (absent is 0).
UPDATE meetings SET buffer_before_ms = (data->>'bufferBeforeMs')::bigint
  WHERE data ? 'bufferBeforeMs';
ALTER TABLE meetings DROP CONSTRAINT meetings_no_overlap;
ALTER TABLE meetings ADD CONSTRAINT meetings_no_overlap EXCLUDE USING gist (
  agent_id WITH =,
  int8range(start_ms - buffer_before_ms, end_ms + buffer_after_ms) WITH &&
) WHERE (active);
`;
