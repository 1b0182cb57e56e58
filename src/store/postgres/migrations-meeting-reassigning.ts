/**
 * Migration 007: meetings marked `reassigning` (a reschedule giving the meeting to another
 * agent, records/meeting-contract.ts) are read by the meetings' job when the mark is older than
 * a crash allows (meetingsReassigning, pg-meeting-rows.ts). A partial expression index holds
 * those few rows only, keyed as the query filters and sorts, so the read costs nothing however
 * many meetings there are. The mark lives in the jsonb document: no column, no rewrite.
 */
export const MEETING_REASSIGNING_MIGRATION_NAME = 'meeting-reassigning';

export const MEETING_REASSIGNING_MIGRATION_SQL = `
CREATE INDEX meetings_reassigning_since
  ON meetings (((data->'reassigning'->>'since')::bigint), id COLLATE "C")
  WHERE data ? 'reassigning';
`;
