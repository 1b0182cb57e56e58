import { z } from 'zod';
import type { Clock } from '../deps.js';
import { AppError, NotFoundError } from '../errors.js';
import type { OutboxItem, OutboxStore } from '../store/types.js';

/**
 * The dead letters an admin can see and re-send (research B4): every outbox item that gave up,
 * whatever it carried (flow-step routing and callbacks, chat and meeting activities, lead
 * upserts, lead fields). Payloads are never shown: a callback's holds Marketo's one-time token
 * and callback key.
 */

export const deadLetterQuerySchema = z.object({
  kind: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});
export type DeadLetterQuery = z.infer<typeof deadLetterQuerySchema>;

export interface DeadLetter {
  id: string;
  kind: string;
  status: OutboxItem['status'];
  attempts: number;
  lastError: string | null;
  createdAt: string;
  /** When it last changed: for a dead letter, when it died. */
  updatedAt: string;
  /** Since it entered the outbox. */
  ageSeconds: number;
}

export interface DeadLetterDeps {
  store: OutboxStore;
  clock: Clock;
  /** Kicks the outbox worker after a re-send. */
  onEnqueued?: () => void;
}

/** Newest first. */
export async function listDeadLetters(
  deps: DeadLetterDeps,
  query: DeadLetterQuery,
): Promise<DeadLetter[]> {
  const items = await deps.store.listOutbox({
    status: 'dead',
    limit: query.limit,
    ...(query.kind === undefined ? {} : { kind: query.kind }),
  });
  return items.map((item) => toDeadLetter(item, deps.clock.now()));
}

/**
 * Puts a dead letter back through the outbox: the same item (same id, same dedupe key, so the
 * write is not doubled), due now, with the relay's whole retry budget again.
 */
export async function retryDeadLetter(deps: DeadLetterDeps, id: string): Promise<DeadLetter> {
  const item = await deps.store.getOutboxItem(id);
  if (item === undefined) throw new NotFoundError(`No outbox item ${id}`);
  if (item.status !== 'dead' || !(await deps.store.replayOutbox(id, deps.clock.now()))) {
    throw new AppError('OUTBOX_NOT_DEAD', `Outbox item ${id} is ${item.status}, not dead`, {
      httpStatus: 409,
    });
  }
  deps.onEnqueued?.();
  return toDeadLetter((await deps.store.getOutboxItem(id)) ?? item, deps.clock.now());
}

function toDeadLetter(item: OutboxItem, now: number): DeadLetter {
  return {
    id: item.id,
    kind: item.kind,
    status: item.status,
    attempts: item.attempts,
    lastError: item.lastError ?? null,
    createdAt: new Date(item.createdAt).toISOString(),
    updatedAt: new Date(item.updatedAt).toISOString(),
    ageSeconds: Math.max(0, Math.round((now - item.createdAt) / 1000)),
  };
}
