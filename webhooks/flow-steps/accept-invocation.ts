import type { Clock } from '../../src/deps.js';
import { ValidationError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import { checkCallbackUrl } from '../../src/outbox/callback-url-guard.js';
import type { OutboxStore } from '../../src/store/types.js';
import { parseInvocation } from './invocation-schema.js';
import { SSFS_INVOCATION_KIND, type InvocationPayload } from './outbox-payloads.js';

export interface AcceptInvocationDeps {
  store: OutboxStore;
  clock: Clock;
  logger: Logger;
  callbackHosts: readonly string[];
  onEnqueued?: () => void;
}

/**
 * POST /submitAsyncAction, after authentication: validate, refuse a callbackUrl we would never
 * send to, and store the invocation durably as one outbox item; the caller then answers 201
 * (the SPI's "Accepted"; synchronous invocation is not supported). The routing and the callback
 * run from the outbox, so a crash after the 201 delays them and loses nothing (research A3).
 * Marketo's one-time `token` is the dedupe key: a replayed invocation finds the stored item and
 * is answered 201 again without a second run (research A2).
 */
export async function acceptInvocation(
  deps: AcceptInvocationDeps,
  body: unknown,
): Promise<{ created: boolean }> {
  const invocation = parseInvocation(body);
  const target = checkCallbackUrl(invocation.callbackUrl, deps.callbackHosts);
  if (!target.ok) throw new ValidationError(`callbackUrl ${target.reason}`, 'callbackUrl');

  const [stored] = await deps.store.enqueueOutbox(
    [
      {
        kind: SSFS_INVOCATION_KIND,
        dedupeKey: `ssfs:${invocation.token}`,
        payload: {
          token: invocation.token,
          ...(invocation.apiCallBackKey ? { apiCallBackKey: invocation.apiCallBackKey } : {}),
          callbackUrl: invocation.callbackUrl,
          munchkinId: invocation.munchkinId,
          campaignId: invocation.campaignId,
          ...(invocation.batchid ? { batchId: invocation.batchid } : {}),
          leads: invocation.leads,
        } satisfies InvocationPayload,
      },
    ],
    deps.clock.now(),
  );
  const created = stored?.created ?? false;
  deps.logger.info(
    {
      campaignId: invocation.campaignId,
      batchId: invocation.batchid,
      leads: invocation.leads.length,
      invalidLeads: invocation.leads.filter((lead) => lead.invalid !== undefined).length,
      skippedEntries: invocation.skipped,
      outboxId: stored?.item.id,
      replay: !created,
    },
    created ? 'ssfs invocation accepted' : 'ssfs invocation replayed; already accepted',
  );
  if (created) deps.onEnqueued?.();
  return { created };
}
