import { Router, type Request } from 'express';
import type { Clock } from '../../src/deps.js';
import { AppError, StoreError, ValidationError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import {
  assignAgent,
  type AssignAgentDeps,
  type RoutingAgentsSource,
} from '../../src/routing/assign-agent.js';
import type { LeadStore, RoutingStore } from '../../src/store/types.js';
import { applyLeadWebhook } from '../../src/sync/lead-webhook.js';
import { limitInFlight } from './in-flight-limit.js';
import { parseLeadPayload, parseRoutingKey, type LeadPayload } from './lead-payload.js';
import { readRawBody } from './raw-body.js';
import { requireWebhookSecret } from './webhook-auth.js';
import { parseWebhookBody } from './webhook-body.js';

export interface MarketoWebhookDeps {
  store: LeadStore & RoutingStore;
  clock: Clock;
  logger: Logger;
  /** Current and previous WEBHOOK_SECRET; empty strings are ignored. */
  secrets: string[];
  /** WEBHOOK_ALLOW_QUERY_SECRET: also accept `?secret=` (weaker: URLs end up in logs). */
  allowQuerySecret: boolean;
  agents: RoutingAgentsSource;
  /** Owner and rules before the rotation, as for meetings (assign-agent.ts). */
  routing?: AssignAgentDeps['routing'];
  assignRepeatWindowMs: number;
  /** PUBLIC_BASE_URL, for the booking link in the routing answer. */
  publicBaseUrl: string;
  /** Requests in progress at once before 503; default 64. */
  maxInFlight?: number;
  /** Body size limit in bytes; default 64 kB, far above any payload template. */
  bodyLimitBytes?: number;
}

export const DEFAULT_MAX_IN_FLIGHT = 64;
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Marketo "Call Webhook" endpoints, mounted at /webhooks/marketo:
 * - POST /lead          a trigger campaign pushes changed lead fields into the local copy;
 * - POST /assign-agent  routes the lead to a sales agent, flat JSON for response mappings.
 *
 * Each call runs the fixed order: guard, authenticate (before the body is read), read a
 * bounded body, parse and validate, act, answer. /lead answers 2xx only once the change is on
 * disk (lead-webhook.ts). No handler calls Marketo or anything remote: the answer comes in
 * milliseconds, far inside the 30 s Marketo waits
 * (DEV:help/webhooks/webhooks.md, Tips), and Call Webhook runs in trigger campaigns only, one
 * lead at a time, so every call is about one lead.
 */
export function createMarketoWebhookRoutes(deps: MarketoWebhookDeps): Router {
  const router = Router();
  const publicBaseUrl = deps.publicBaseUrl.replace(/\/+$/, '');
  const before = [
    limitInFlight({
      max: deps.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
      retryAfterSeconds: 1,
      logger: deps.logger,
      clock: deps.clock,
    }),
    requireWebhookSecret({ secrets: deps.secrets, allowQuerySecret: deps.allowQuerySecret }),
    readRawBody(deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES),
  ];

  router.post('/lead', ...before, async (req, res) => {
    const lead = readLead(req);
    if (lead.id === undefined) {
      throw new ValidationError(
        lead.email === undefined
          ? 'The payload names no lead: add "id": {{lead.Id}} to the payload template'
          : 'A lead is stored by its Marketo id: add "id": {{lead.Id}} to the payload template',
        'id',
      );
    }
    const result = await applyLeadWebhook(deps, { id: lead.id, fields: lead.fields }).catch(
      (error: unknown) => {
        throw notDurable(error);
      },
    );
    res.json({ status: result.status, leadId: result.leadId });
  });

  router.post('/assign-agent', ...before, async (req, res) => {
    const lead = readLead(req);
    const key = parseRoutingKey(lead);
    // Rules and the owner read the lead's fields: the local copy, with what Marketo sent over it.
    const stored =
      lead.id !== undefined
        ? await deps.store.getLead(lead.id)
        : lead.email === undefined
          ? undefined
          : (await deps.store.findLeadsByEmail(lead.email))[0];
    const assignment = await assignAgent(
      { ...deps, repeatWindowMs: deps.assignRepeatWindowMs },
      { key, source: 'webhook', lead: { ...stored?.fields, ...lead.fields } },
    );
    // Flat keys only: response mappings address values by path, and keys may hold only
    // alphanumerics, `-`, `_`, `:` and spaces (DEV:help/webhooks/response-mappings.md).
    res.json({
      agentEmail: assignment.agentEmail,
      agentName: assignment.agentName,
      bookingUrl: `${publicBaseUrl}/chat/book?agent=${encodeURIComponent(assignment.agentId)}`,
      routingRule: assignment.rule,
      assignedAt: new Date(assignment.assignedAt).toISOString(),
    });
  });

  return router;
}

/**
 * A change the store could not make durable (disk full, EIO, closing) is not acknowledged:
 * 503, which Marketo's activity log shows and a "Webhook is Called" trigger can catch. The
 * store's own message names the data file, which is no business of the caller.
 */
function notDurable(error: unknown): unknown {
  if (!(error instanceof StoreError)) return error;
  return new AppError(
    'STORE_UNAVAILABLE',
    'The change could not be saved and is not acknowledged; send it again later',
    { httpStatus: 503, retryable: true, cause: error },
  );
}

function readLead(req: Request): LeadPayload {
  const raw: unknown = req.body;
  return parseLeadPayload(
    parseWebhookBody(Buffer.isBuffer(raw) ? raw : undefined, req.get('content-type')),
  );
}
