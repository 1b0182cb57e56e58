import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { ConflictError, StoreError } from '../errors.js';
import { type Dialogue } from '../records/chat-dialogue.js';
import { chatEventSchema } from '../records/chat-event.js';
import { outboxStatusSchema } from '../records/outbox-item.js';
import { dialogueStatsSchema } from './chat-document.js';
import { copyJsonValue, NOT_JSON } from './json-value.js';

/**
 * What every store refuses the same way, whatever it keeps its data in: the arguments of its
 * writes (the lowdb store and the PostgreSQL store validate with these schemas, so a caller
 * gets the same error from either) and the few rules of a write that are not the database's
 * (a published dialogue's version, a payload that must be JSON).
 */

const epochMs = z.number();

/* Outbox -------------------------------------------------------------------------------------- */

export const newOutboxItemSchema = z.object({
  kind: z.string().min(1),
  dedupeKey: z.string().min(1),
  payload: z.unknown(),
  nextAttemptAt: epochMs.optional(),
});
export type ValidNewOutboxItem = z.output<typeof newOutboxItemSchema>;
export const enqueueOutboxSchema = z.object({ items: z.array(newOutboxItemSchema), now: epochMs });
export const claimOutboxSchema = z.object({
  now: epochMs,
  limit: z.number().int().nonnegative(),
  leaseMs: z.number().positive(),
  kinds: z.array(z.string()).optional(),
});
export const completeOutboxSchema = z.object({
  id: z.string(),
  leaseToken: z.string(),
  now: epochMs,
  followUps: z.array(newOutboxItemSchema).optional(),
});
export const failOutboxSchema = completeOutboxSchema.extend({
  error: z.string(),
  retryAt: epochMs.optional(),
  dead: z.boolean().optional(),
});
export const releaseOutboxSchema = z.object({
  id: z.string(),
  leaseToken: z.string(),
  now: epochMs,
  retryAt: epochMs,
});
export const replayOutboxSchema = z.object({ id: z.string(), now: epochMs });
export const listOutboxSchema = z.object({
  status: outboxStatusSchema.optional(),
  kind: z.string().optional(),
  dedupeKeyPrefix: z.string().min(1).optional(),
  limit: z.number().int().nonnegative().optional(),
});

/** The item with its payload checked as JSON and deep-copied, or STORE_INVALID_RECORD. */
export function withJsonPayload(
  item: ValidNewOutboxItem,
  position: number,
  what: string,
): ValidNewOutboxItem {
  const payload = copyJsonValue(item.payload);
  if (payload === NOT_JSON) {
    throw new StoreError(
      'STORE_INVALID_RECORD',
      `Invalid outbox ${what} refused, nothing written: #${position} (${item.dedupeKey}): ` +
        'payload is not a JSON value',
    );
  }
  return { ...item, payload };
}

/* Chat ---------------------------------------------------------------------------------------- */

export const recordChatEventSchema = z.object({
  event: chatEventSchema,
  now: epochMs,
  counters: dialogueStatsSchema.partial(),
  visitorEmail: z.string().trim().toLowerCase().pipe(z.email().max(254)).optional(),
  // Items are validated by the outbox, before anything changes.
  outbox: z.array(z.unknown()).optional(),
  hold: z.unknown().optional(),
  release: z.function().optional(),
});

/**
 * A published version is what visitors may be running: it never goes back, never becomes
 * unpublished, and one version number never carries two contents.
 */
export function refuseVersionChange(
  stored: NonNullable<Dialogue['published']>,
  next: Dialogue['published'],
  id: string,
): void {
  const conflict = (why: string) =>
    new ConflictError(
      'DIALOGUE_VERSION_CONFLICT',
      `Dialogue ${id} was not saved: ${why}. Published version ${stored.version} may be in use by visitors.`,
    );
  if (next === null) throw conflict('a published dialogue cannot become unpublished');
  if (next.version < stored.version) {
    throw conflict(`version ${next.version} is older than the stored version ${stored.version}`);
  }
  if (
    next.version === stored.version &&
    (next.publishedAt !== stored.publishedAt || !isDeepStrictEqual(next.content, stored.content))
  ) {
    throw conflict(`version ${next.version} is already published with other content`);
  }
}

/* Routing and meetings ------------------------------------------------------------------------ */

export const assignmentTurnSchema = z.object({ key: z.string().min(1), keepSince: epochMs });

export const slotProbeSchema = z.object({
  agentId: z.string(),
  start: epochMs,
  end: epochMs,
  bufferAfterMs: z.number().nonnegative(),
  bufferBeforeMs: z.number().nonnegative().optional(),
  excludeId: z.string().optional(),
});

/** A meeting change's candidate probes (MeetingStore.updateMeeting `probes`). */
export const slotProbesSchema = z.array(slotProbeSchema);

/** Meetings of an agent to count (MeetingCountQuery): starting in [from, to), not cancelled. */
export const meetingCountQuerySchema = z.object({
  agentId: z.string(),
  from: epochMs,
  to: epochMs,
  excludeId: z.string().optional(),
});
export const meetingCountQueriesSchema = z.array(meetingCountQuerySchema);

export const holdMeetingSchema = z.object({
  idempotencyKey: z.string().min(1).optional(),
  visitorEmail: z.string(),
  now: epochMs,
  probes: z.array(slotProbeSchema),
  counts: meetingCountQueriesSchema.optional(),
});
