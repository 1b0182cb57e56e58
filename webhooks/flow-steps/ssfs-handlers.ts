import type { RoutingAgentsSource } from '../../src/routing/assign-agent.js';
import {
  SsfsCallbackError,
  type SsfsCallbackClient,
} from '../../src/clients/ssfs-callback/ssfs-callback-client.js';
import type { Clock } from '../../src/deps.js';
import {
  OutboxHandlerError,
  type OutboxHandler,
  type OutboxHandlerContext,
  type OutboxHandlers,
} from '../../src/outbox/outbox-handler.js';
import type { OutboxItem, RoutingStore } from '../../src/store/types.js';
import {
  SSFS_FAILURE_CALLBACK_MAX_ATTEMPTS,
  failureCallbackForCallback,
  failureCallbackForInvocation,
} from './failure-callback.js';
import {
  SSFS_CALLBACK_KIND,
  SSFS_FAILURE_CALLBACK_KIND,
  SSFS_INVOCATION_KIND,
  callbackPayloadSchema,
  invocationPayloadSchema,
} from './outbox-payloads.js';
import { processInvocation, type ProcessInvocationDeps } from './process-invocation.js';

export interface SsfsHandlerDeps {
  store: RoutingStore;
  clock: Clock;
  agents: RoutingAgentsSource;
  /** ASSIGN_REPEAT_WINDOW_MS. */
  repeatWindowMs: number;
  callbackClient: SsfsCallbackClient;
  /**
   * The callback's `x-api-key` when Marketo sent no `apiCallBackKey`: SSFS_API_KEY. The SPI
   * requires that header on the callback (CFA-Swagger.yaml `selfServiceFlowComplete`) but makes
   * `apiCallBackKey` optional (`async`); Adobe's sample then sends a key configured on the
   * service (mkto-flow-lookup executeCallback `ioFallbackKey`). The one key this service shares
   * with Marketo is the one Marketo was given at install and calls us with; the callback goes
   * only to allow-listed Marketo hosts (callback-url-guard.ts), which hold it already.
   */
  fallbackCallbackKey: string;
  /** Owner and rules before the rotation for the "all agents" pool (process-invocation.ts). */
  routing?: ProcessInvocationDeps['routing'];
  leadFields?: ProcessInvocationDeps['leadFields'];
}

/**
 * The outbox handlers of the flow step: `ssfs-invocation` routes the batch and returns its
 * callback as a follow-up (stored with the invocation's completion, in one write);
 * `ssfs-callback` sends all of the invocation's results to Marketo in one callback. When
 * either dies, one `ssfs-failure-callback` tells Marketo those leads failed
 * (failure-callback.ts).
 */
export function createSsfsHandlers(deps: SsfsHandlerDeps): OutboxHandlers {
  const sendCallback = async (item: OutboxItem, ctx?: OutboxHandlerContext) => {
    const payload = callbackPayloadSchema.safeParse(item.payload);
    if (!payload.success) {
      throw new OutboxHandlerError('SSFS_PAYLOAD_INVALID', 'stored callback is unreadable', {
        retryable: false,
      });
    }
    try {
      await deps.callbackClient.send(
        {
          ...payload.data,
          apiCallBackKey: payload.data.apiCallBackKey ?? deps.fallbackCallbackKey,
        },
        // A stop aborts the request; the relay puts the item back to pending (run-outbox-once).
        { signal: ctx?.signal },
      );
    } catch (error) {
      if (error instanceof SsfsCallbackError) {
        throw new OutboxHandlerError(error.code, error.message, {
          retryable: error.retryable,
          retryAfterMs: error.retryAfterMs,
        });
      }
      throw error;
    }
  };

  const routeInvocation: OutboxHandler = async (item, ctx) => {
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
  };

  return {
    [SSFS_INVOCATION_KIND]: Object.assign(routeInvocation, {
      onDead: failureCallbackForInvocation,
    }),
    [SSFS_CALLBACK_KIND]: Object.assign(sendCallback, { onDead: failureCallbackForCallback }),
    [SSFS_FAILURE_CALLBACK_KIND]: Object.assign(
      (item: OutboxItem, ctx: OutboxHandlerContext) => sendCallback(item, ctx),
      {
        maxAttempts: SSFS_FAILURE_CALLBACK_MAX_ATTEMPTS,
      },
    ),
  };
}
