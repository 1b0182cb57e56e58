import { Router } from 'express';
import { NotFoundError } from '../errors.js';
import type { OutboxItem, OutboxStore } from '../store/types.js';
import type { MeetingStore } from '../store/meeting-store-types.js';

/**
 * A meeting's write-back to Marketo as the outbox knows it: each event's activity (`meeting:<id>
 * #<seq>`, with its follow-ups `~lead`, `~settle@…`, `~unsent@…`) and the lead-field writes
 * (`#lead-agent`, `#lead-name`), each with one state: `pending` while any item of it waits,
 * else `dead` if one gave up, else `delivered`. Done items are pruned after a while, so an event
 * with no items left is not listed. Payloads are never shown.
 */

export type WriteBackState = 'pending' | 'dead' | 'delivered';

export interface MeetingWrite {
  /** `1`, `2`…: an event's activity; `lead-agent`, `lead-name`: the lead's fields. */
  key: string;
  kind: string;
  /** The event's sequence number, for an activity. */
  event?: number;
  /** The meeting status the activity reports. */
  status?: string;
  state: WriteBackState;
  /** Attempts over every item of the write (the follow-ups included). */
  attempts: number;
  lastError: string | null;
  updatedAt: string;
}

/** More than a meeting ever has (a few events, each a handful of items). */
const ITEMS_READ = 1_000;

export function stateOf(items: readonly OutboxItem[]): WriteBackState {
  if (items.some((item) => item.status === 'pending')) return 'pending';
  if (items.some((item) => item.status === 'dead')) return 'dead';
  return 'delivered';
}

export function meetingWrites(meetingId: string, items: readonly OutboxItem[]): MeetingWrite[] {
  const prefix = `meeting:${meetingId}#`;
  const groups = new Map<string, OutboxItem[]>();
  for (const item of items) {
    if (!item.dedupeKey.startsWith(prefix)) continue;
    const key = item.dedupeKey.slice(prefix.length).split('~')[0]!;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const writes = [...groups].map(([key, group]): MeetingWrite => {
    const newest = [...group].sort((a, b) => b.updatedAt - a.updatedAt)[0]!;
    const withError = [...group]
      .filter((item) => item.lastError !== undefined)
      .sort((a, b) => b.updatedAt - a.updatedAt)[0];
    const event = /^\d+$/.test(key) ? Number(key) : undefined;
    const status = statusOf(group[0]!.payload);
    return {
      key,
      kind: newest.kind,
      ...(event === undefined ? {} : { event }),
      ...(status === undefined ? {} : { status }),
      state: stateOf(group),
      attempts: group.reduce((n, item) => n + item.attempts, 0),
      lastError: withError?.lastError ?? null,
      updatedAt: new Date(newest.updatedAt).toISOString(),
    };
  });
  return writes.sort(
    (a, b) =>
      (a.event ?? Number.MAX_SAFE_INTEGER) - (b.event ?? Number.MAX_SAFE_INTEGER) ||
      a.key.localeCompare(b.key),
  );
}

function statusOf(payload: unknown): string | undefined {
  const status = (payload as { status?: unknown } | null)?.status;
  return typeof status === 'string' ? status : undefined;
}

/** GET /api/meetings/:id/write-back (404 for an unknown meeting). */
export function createMeetingWriteBackRoutes(deps: {
  store: Pick<MeetingStore, 'getMeeting'> & Pick<OutboxStore, 'listOutbox'>;
}): Router {
  const router = Router();
  router.get('/meetings/:id/write-back', async (req, res) => {
    const meeting = await deps.store.getMeeting(req.params.id);
    if (meeting === undefined) throw new NotFoundError(`No meeting ${req.params.id}`);
    const items = await deps.store.listOutbox({
      dedupeKeyPrefix: `meeting:${meeting.id}#`,
      limit: ITEMS_READ,
    });
    res.json({ meetingId: meeting.id, writes: meetingWrites(meeting.id, items) });
  });
  return router;
}
