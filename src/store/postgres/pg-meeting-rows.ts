import type { Pool } from 'pg';
import { ConflictError } from '../../errors.js';
import { isActiveMeeting, type Meeting } from '../../records/meeting-contract.js';
import type { MeetingFilter, SlotProbe } from '../meeting-store-types.js';
import { mapPgError } from './pg-errors.js';
import {
  EXCLUSION_VIOLATION,
  pgFailure,
  selectData,
  UNIQUE_VIOLATION,
} from './pg-meeting-queries.js';
import { queryRows, type Queryable } from './pg-pool.js';

/**
 * Meeting rows: the reads, the overlap probe and the writes, with the database's refusals
 * turned into the lowdb store's errors (MEETING_EXISTS, SLOT_TAKEN). The time a meeting holds
 * is int8range(start - buffer before, end + buffer after), the range the exclusion constraint
 * compares (migration 5, migrations-meeting-buffers.ts), so the
 * facts a decision reads and the constraint that guards the write apply one rule (a meeting of
 * zero length and no buffer holds nothing here; the schema's minimum of five minutes keeps
 * such meetings out).
 */

/**
 * Agents among `probes` whose probe overlaps another active meeting of theirs: the store's rule
 * exactly (its second line), and the range test it implies, so the GiST index finds the
 * meetings (and a probe that ends before it starts is no error, as in the lowdb store).
 */
export async function overlappingAgents(
  db: Queryable,
  probes: readonly SlotProbe[],
): Promise<Set<string>> {
  if (probes.length === 0) return new Set();
  const rows = await queryRows<{ agent_id: string }>(
    db,
    'the overlap of slots',
    `SELECT DISTINCT p.agent_id
     FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[])
       AS p(agent_id, lower_ms, upper_ms, exclude_id)
     WHERE EXISTS (
       SELECT 1 FROM meetings m
       WHERE m.active AND m.agent_id = p.agent_id AND m.id IS DISTINCT FROM p.exclude_id
         AND p.lower_ms < m.end_ms + m.buffer_after_ms
         AND m.start_ms - m.buffer_before_ms < p.upper_ms
         AND int8range(m.start_ms - m.buffer_before_ms, m.end_ms + m.buffer_after_ms)
             && int8range(least(p.lower_ms, p.upper_ms), greatest(p.lower_ms, p.upper_ms), '[]')
     )`,
    [
      probes.map((p) => p.agentId),
      probes.map((p) => p.start - (p.bufferBeforeMs ?? 0)),
      probes.map((p) => p.end + p.bufferAfterMs),
      probes.map((p) => p.excludeId ?? null),
    ],
  );
  return new Set(rows.map((row) => row.agent_id));
}

/** Active meetings of this visitor's email that end after `now`. */
export async function upcomingForVisitor(
  db: Queryable,
  visitorEmail: string,
  now: number,
): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    db,
    "the visitor's meetings",
    'SELECT count(*)::int AS n FROM meetings WHERE active AND visitor_email = $1 AND end_ms > $2',
    [visitorEmail, now],
  );
  return rows[0]?.n ?? 0;
}

export async function meetingById(
  db: Queryable,
  id: string,
  lock: '' | 'FOR UPDATE' = '',
): Promise<Meeting | undefined> {
  const [meeting] = await selectData<Meeting>(
    db,
    `meeting ${id}`,
    `SELECT data FROM meetings WHERE id = $1 ${lock}`,
    [id],
  );
  return meeting;
}

export async function meetingByIdempotencyKey(
  db: Queryable,
  key: string,
): Promise<Meeting | undefined> {
  const [meeting] = await selectData<Meeting>(
    db,
    'a meeting by idempotency key',
    'SELECT data FROM meetings WHERE idempotency_key = $1',
    [key],
  );
  return meeting;
}

/** A new meeting (validated by the caller); refusals as the lowdb store's. */
export async function insertMeeting(db: Queryable, meeting: Meeting): Promise<void> {
  try {
    await db.query(
      `INSERT INTO meetings (id, agent_id, status, start_ms, end_ms, buffer_after_ms, active,
         idempotency_key, manage_token_hash, visitor_email, created_at, data, buffer_before_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13)`,
      meetingColumns(meeting),
    );
  } catch (error) {
    throw refusal(error, meeting);
  }
}

/** Replaces a meeting's row (it exists: the caller read it under the lock). */
export async function replaceMeeting(db: Queryable, meeting: Meeting): Promise<void> {
  try {
    await db.query(
      `UPDATE meetings SET agent_id = $2, status = $3, start_ms = $4, end_ms = $5,
         buffer_after_ms = $6, active = $7, idempotency_key = $8, manage_token_hash = $9,
         visitor_email = $10, created_at = $11, data = $12::jsonb, buffer_before_ms = $13
       WHERE id = $1`,
      meetingColumns(meeting),
    );
  } catch (error) {
    throw refusal(error, meeting);
  }
}

function meetingColumns(meeting: Meeting): unknown[] {
  return [
    meeting.id,
    meeting.agentId,
    meeting.status,
    meeting.start,
    meeting.end,
    meeting.bufferAfterMs,
    isActiveMeeting(meeting),
    meeting.idempotencyKey ?? null,
    meeting.manageTokenHash,
    meeting.visitor.email,
    meeting.createdAt,
    JSON.stringify(meeting),
    meeting.bufferBeforeMs ?? 0,
  ];
}

/** The lowdb store's error for a constraint the write broke; any other error as it is. */
function refusal(error: unknown, meeting: Meeting): unknown {
  const failure = pgFailure(error);
  if (failure?.code === EXCLUSION_VIOLATION && failure.constraint === 'meetings_no_overlap') {
    const at = new Date(meeting.start).toISOString();
    return withCause(
      new ConflictError(
        'SLOT_TAKEN',
        `Agent ${meeting.agentId} already has a meeting overlapping ${at}`,
      ),
      error,
    );
  }
  if (failure?.code !== UNIQUE_VIOLATION)
    return mapPgError(error, `a write of meeting ${meeting.id}`);
  switch (failure.constraint) {
    case 'meetings_pkey':
      return withCause(new ConflictError('MEETING_EXISTS', `Meeting ${meeting.id} exists`), error);
    case 'meetings_idempotency_key':
      return withCause(
        new ConflictError(
          'MEETING_EXISTS',
          `A meeting with idempotency key ${meeting.idempotencyKey} exists`,
        ),
        error,
      );
    default:
      return mapPgError(error, `a write of meeting ${meeting.id}`);
  }
}

function withCause(conflict: ConflictError, cause: unknown): ConflictError {
  Object.defineProperty(conflict, 'cause', { value: cause, enumerable: false });
  return conflict;
}

/* Reads ---------------------------------------------------------------------------------- */

export function listMeetings(pool: Pool, filter: MeetingFilter = {}): Promise<Meeting[]> {
  // Newest start first, then ids bytewise: the lowdb store's localeCompare on the uuids the
  // service makes gives the same order.
  return selectData<Meeting>(
    pool,
    'the meetings',
    `SELECT data FROM meetings
     WHERE ($1::text IS NULL OR agent_id = $1) AND ($2::text IS NULL OR status = $2)
       AND ($3::bigint IS NULL OR start_ms >= $3) AND ($4::bigint IS NULL OR start_ms < $4)
     ORDER BY start_ms DESC, id COLLATE "C"
     LIMIT $5`,
    [
      filter.agentId ?? null,
      filter.status ?? null,
      filter.from ?? null,
      filter.to ?? null,
      filter.limit ?? null,
    ],
  );
}

export function agentMeetings(
  pool: Pool,
  agentId: string,
  from: number,
  to: number,
): Promise<Meeting[]> {
  return selectData<Meeting>(
    pool,
    `the meetings of agent ${agentId}`,
    // The exact rule is the second line; the range test it implies lets the exclusion
    // constraint's GiST index find them, instead of every past meeting of the agent.
    `SELECT data FROM meetings
     WHERE active AND agent_id = $1 AND start_ms - buffer_before_ms < $3
       AND end_ms + buffer_after_ms > $2
       AND int8range(start_ms - buffer_before_ms, end_ms + buffer_after_ms)
           && int8range(least($2, $3), greatest($2, $3), '[]')
     ORDER BY start_ms, id COLLATE "C"`,
    [agentId, from, to],
  );
}

export function meetingsDue(
  pool: Pool,
  statuses: Array<Meeting['status']>,
  before: number,
  limit: number,
): Promise<Meeting[]> {
  // Oldest due first (the lowdb store walks its map, in the order meetings were last written).
  return selectData<Meeting>(
    pool,
    'the meetings due',
    `SELECT data FROM meetings WHERE status = ANY($1::text[]) AND due_at < $2
     ORDER BY due_at, id COLLATE "C" LIMIT $3`,
    [statuses, before, limit],
  );
}
