import {
  SsfsCallbackError,
  type SsfsCallbackClient,
} from '../../src/clients/ssfs-callback/ssfs-callback-client.js';
import type { Clock } from '../../src/deps.js';
import { OutboxHandlerError, type OutboxHandlers } from '../../src/outbox/outbox-handler.js';
import type { RoutingAgent, RoutingStore } from '../../src/store/types.js';
import {
  SSFS_CALLBACK_KIND,
  SSFS_INVOCATION_KIND,
  callbackPayloadSchema,
  invocationPayloadSchema,
} from './invocation-schema.js';
import { processInvocation, type ProcessInvocationDeps } from './process-invocation.js';

export interface SsfsHandlerDeps {
  store: RoutingStore;
  clock: Clock;
  agents: () => RoutingAgent[];
  /** ASSIGN_REPEAT_WINDOW_MS. */
  repeatWindowMs: number;
  callbackClient: SsfsCallbackClient;
  /** Owner and rules before the rotation for the "all agents" pool (process-invocation.ts). */
  routing?: ProcessInvocationDeps['routing'];
  leadFields?: ProcessInvocationDeps['leadFields'];
}

/**
 * The outbox handlers of the flow step: `ssfs-invocation` routes the batch and returns its
 * callbacks as follow-ups (stored with the invocation's completion, in one write);
 * `ssfs-callback` sends one chunk of results to Marketo.
 */
export function createSsfsHandlers(deps: SsfsHandlerDeps): OutboxHandlers {
  return {
    [SSFS_INVOCATION_KIND]: async (item, ctx) => {
      const payload = invocationPayloadSchema.safeParse(item.payload);
      if (!payload.success) {
        throw new OutboxHandlerError('SSFS_PAYLOAD_INVALID', 'stored invocation is unreadable', {
          retryable: false,
        });
      }
      const followUps = await processInvocation(deps, payload.data);
      ctx.logger.info(
        { campaignId: payload.data.campaignId, leads: payload.data.leads.length },
        'ssfs invocation routed',
      );
      return { followUps };
    },
    [SSFS_CALLBACK_KIND]: async (item) => {
      const payload = callbackPayloadSchema.safeParse(item.payload);
      if (!payload.success) {
        throw new OutboxHandlerError('SSFS_PAYLOAD_INVALID', 'stored callback is unreadable', {
          retryable: false,
        });
      }
      try {
        await deps.callbackClient.send(payload.data);
      } catch (error) {
        if (error instanceof SsfsCallbackError) {
          throw new OutboxHandlerError(error.code, error.message, { retryable: error.retryable });
        }
        throw error;
      }
    },
  };
}
