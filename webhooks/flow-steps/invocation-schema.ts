import { z } from 'zod';
import { ValidationError } from '../../src/errors.js';
import type { InvocationPayload } from './outbox-payloads.js';

/**
 * What we read of `POST /submitAsyncAction` (Adobe SPI, CFA-Swagger.yaml `async`), as tolerant
 * as Adobe's own sample service (mkto-flow-lookup) and its test invocation:
 * - the envelope must let us call back at all: `token` (the callback's `x-callback-token`),
 *   `callbackUrl`, `campaignId` and the subscription's munchkin id (the callback's one
 *   required field, `flowCallBack.munchkinId`). Without them it is a 400 naming the field.
 * - the munchkin id is `context.subscription.munchkinId` (the SPI) or `.munchkin` (the sample
 *   invocation, and the key its callback code reads).
 * - `apiCallBackKey` is optional in the SPI, and the sample falls back to a key configured on
 *   the service when it is absent or the placeholder `todo` (executeCallback `ioFallbackKey`);
 *   our callback then sends SSFS_API_KEY (ssfs-handlers.ts says why).
 * - each lead is checked on its own: a malformed field fails that lead in the callback
 *   (`INVALID_LEAD_DATA`) and the rest of the batch goes on. An entry with no usable lead id,
 *   or of another object type, cannot be answered for (the callback is keyed by lead id): it
 *   is left out, and the accept log counts it.
 * Unknown keys are dropped: only what the work needs is stored.
 */

/** Leads per invocation we accept. The SPI sets no limit (marketo-facts §6 "Limits"). */
export const MAX_LEADS_PER_INVOCATION = 1_000;

/** Adobe's sample treats this apiCallBackKey as absent (executeCallback). */
const PLACEHOLDER_CALLBACK_KEY = 'todo';

const leadIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const leadSchema = z.object({
  objectType: z.literal('lead'),
  objectContext: z.looseObject({ id: leadIdSchema, email: z.string().max(255).nullish() }),
  flowStepContext: z
    .looseObject({
      routingPool: z.string().max(255).nullish(),
      // Adobe's sample reads flowStepContext by display name ("Invoker sends params with
      // display names instead of api names", mkto-flow-lookup executeCallback).
      'Routing Pool': z.string().max(255).nullish(),
    })
    .nullish(),
});

export const envelopeSchema = z.object({
  token: z.string().min(1).max(512),
  batchid: z.string().max(512).nullish(),
  apiCallBackKey: z.string().max(2048).nullish(),
  campaignId: z.number().int(),
  callbackUrl: z.string().min(1).max(2048),
  context: z.object({
    subscription: z.looseObject({
      munchkinId: z.string().min(1).max(64).optional(),
      munchkin: z.string().min(1).max(64).optional(),
    }),
  }),
  objectData: z.array(z.unknown()).max(MAX_LEADS_PER_INVOCATION).default([]),
});

export interface Invocation {
  token: string;
  batchid?: string;
  apiCallBackKey?: string;
  campaignId: number;
  callbackUrl: string;
  munchkinId: string;
  leads: InvocationPayload['leads'];
  /** Entries left out: no usable lead id, or not a lead. */
  skipped: number;
}

/** Parses an invocation, or throws a 400 naming the first bad envelope field. */
export function parseInvocation(body: unknown): Invocation {
  const parsed = envelopeSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.') || 'body';
    throw new ValidationError(`${field}: ${issue.message}`, field);
  }
  const envelope = parsed.data;
  const { munchkinId, munchkin } = envelope.context.subscription;
  const resolvedMunchkinId = munchkinId ?? munchkin;
  if (resolvedMunchkinId === undefined) {
    const field = 'context.subscription.munchkinId';
    throw new ValidationError(`${field}: required (or context.subscription.munchkin)`, field);
  }
  const key = envelope.apiCallBackKey;
  const leads: Invocation['leads'] = [];
  for (const entry of envelope.objectData) {
    const lead = parseLead(entry);
    if (lead !== undefined) leads.push(lead);
  }
  return {
    token: envelope.token,
    ...(envelope.batchid ? { batchid: envelope.batchid } : {}),
    ...(key && key !== PLACEHOLDER_CALLBACK_KEY ? { apiCallBackKey: key } : {}),
    campaignId: envelope.campaignId,
    callbackUrl: envelope.callbackUrl,
    munchkinId: resolvedMunchkinId,
    leads,
    skipped: envelope.objectData.length - leads.length,
  };
}

/** One lead to route, one to fail with the reason, or undefined when it has no usable id. */
function parseLead(entry: unknown): Invocation['leads'][number] | undefined {
  const parsed = leadSchema.safeParse(entry);
  if (parsed.success) {
    const context = parsed.data.flowStepContext;
    const pool = (context?.routingPool ?? context?.['Routing Pool'])?.trim();
    return { id: parsed.data.objectContext.id, ...(pool ? { routingPool: pool } : {}) };
  }
  const object = z
    .object({
      objectType: z.literal('lead').optional(),
      objectContext: z.object({ id: leadIdSchema }),
    })
    .safeParse(entry);
  if (!object.success) return undefined;
  const issue = parsed.error.issues[0]!;
  const reason = `${issue.path.map(String).join('.')}: ${issue.message}`.slice(0, 255);
  return { id: object.data.objectContext.id, invalid: reason };
}
