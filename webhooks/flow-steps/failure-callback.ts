import { AppError } from '../../src/errors.js';
import type { NewOutboxItem, OutboxItem } from '../../src/store/types.js';
import {
  SSFS_FAILURE_CALLBACK_KIND,
  callbackPayloadSchema,
  invocationPayloadSchema,
  type CallbackPayload,
} from './outbox-payloads.js';

/**
 * When an invocation's routing or its callback reaches the dead letters, Marketo is still
 * waiting for those leads: the campaign would hang. So the relay enqueues, with the death, one
 * failure callback: every lead `success: false` with an `errorCode` and a `reason` (the SPI's
 * reserved activity attributes, CFA-Swagger.yaml `callbackData`), under the same token.
 *
 * It is a distinct, bounded attempt (SSFS_FAILURE_CALLBACK_MAX_ATTEMPTS, and no failure callback
 * of its own when it dies), so it never loops. When the endpoint itself refused the callback
 * (a 401/403, or a token Marketo no longer accepts) the failure callback is most likely refused
 * too: one attempt, then it waits in the dead letters beside the original, for an admin. A
 * callbackUrl our guard refuses gets none: it would be refused the same way.
 */

/** Enough for a short Marketo outage; a longer one is for an admin and the dead letters. */
export const SSFS_FAILURE_CALLBACK_MAX_ATTEMPTS = 3;

/** Failures after which a failure callback to the same URL cannot go out either. */
const NO_FAILURE_CALLBACK = new Set(['SSFS_CALLBACK_URL_REFUSED', 'SSFS_PAYLOAD_INVALID']);

/** The failure callback of a dead `ssfs-invocation`: no lead was routed. */
export function failureCallbackForInvocation(item: OutboxItem, error: unknown): NewOutboxItem[] {
  const payload = invocationPayloadSchema.safeParse(item.payload);
  if (!payload.success || NO_FAILURE_CALLBACK.has(codeOf(error))) return [];
  const { token, apiCallBackKey, callbackUrl, munchkinId, leads } = payload.data;
  return failureCallback(
    { token, callbackUrl, munchkinId, ...(apiCallBackKey ? { apiCallBackKey } : {}) },
    leads.map((lead) => lead.id),
    'ROUTING_FAILED',
    `The sales agent could not be assigned (${codeOf(error)})`,
  );
}

/** The failure callback of a dead `ssfs-callback`: the results never reached Marketo. */
export function failureCallbackForCallback(item: OutboxItem, error: unknown): NewOutboxItem[] {
  const payload = callbackPayloadSchema.safeParse(item.payload);
  if (!payload.success || NO_FAILURE_CALLBACK.has(codeOf(error))) return [];
  const { objectData, ...target } = payload.data;
  return failureCallback(
    target,
    objectData.map((record) => record.leadData.id),
    'CALLBACK_UNDELIVERED',
    `The result could not be delivered to Marketo (${codeOf(error)})`,
  );
}

function failureCallback(
  target: Omit<CallbackPayload, 'objectData'>,
  leadIds: number[],
  errorCode: string,
  reason: string,
): NewOutboxItem[] {
  const payload: CallbackPayload = {
    ...target,
    objectData: leadIds.map((id) => ({
      leadData: { id },
      activityData: { success: false, reason, errorCode },
    })),
  };
  return [
    {
      kind: SSFS_FAILURE_CALLBACK_KIND,
      dedupeKey: `ssfs:${target.token}:failure`,
      payload,
    },
  ];
}

/** Only our own code goes to Marketo's activity log, never an error's text. */
function codeOf(error: unknown): string {
  return error instanceof AppError ? error.code : 'INTERNAL_ERROR';
}
