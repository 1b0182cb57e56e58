import { z } from 'zod';
import { callbackRecordSchema } from '../../src/clients/ssfs-callback/ssfs-callback-client.js';
import { ValidationError } from '../../src/errors.js';

/**
 * What we read of `POST /submitAsyncAction` (Adobe SPI, CFA-Swagger.yaml `async`). The SPI
 * requires only campaignId and callbackUrl; we also need token, apiCallBackKey and
 * context.subscription.munchkinId to call back at all (the callback's `munchkinId` is required,
 * `flowCallBack`), so a request without them is a 400 rather than a callback we cannot send.
 * Unknown keys are dropped: only what the work needs is stored.
 */

/** Leads per invocation we accept. The SPI sets no limit (marketo-facts §6 "Limits"). */
export const MAX_LEADS_PER_INVOCATION = 1_000;

const flowStepContextSchema = z.record(z.string(), z.unknown());

const objectDataSchema = z.object({
  objectType: z.literal('lead'),
  objectContext: z.looseObject({
    id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    email: z.string().max(255).nullish(),
  }),
  flowStepContext: flowStepContextSchema.nullish(),
});

export const invocationSchema = z.object({
  token: z.string().min(1).max(512),
  batchid: z.string().max(512).nullish(),
  apiCallBackKey: z.string().min(1).max(2048),
  campaignId: z.number().int(),
  callbackUrl: z.string().min(1).max(2048),
  context: z.object({
    subscription: z.object({ munchkinId: z.string().min(1).max(64) }),
  }),
  objectData: z.array(objectDataSchema).max(MAX_LEADS_PER_INVOCATION).default([]),
});
export type Invocation = z.infer<typeof invocationSchema>;

/** Parses an invocation, or throws a 400 naming the first bad field (e.g. `objectData.3.objectContext.id`). */
export function parseInvocation(body: unknown): Invocation {
  const parsed = invocationSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'body';
  throw new ValidationError(`${field}: ${issue.message}`, field);
}

/* The outbox payloads, parsed again when a handler reads them back from the store. */

export const SSFS_INVOCATION_KIND = 'ssfs-invocation';
export const SSFS_CALLBACK_KIND = 'ssfs-callback';

export const invocationPayloadSchema = z.object({
  token: z.string(),
  apiCallBackKey: z.string(),
  callbackUrl: z.string(),
  munchkinId: z.string(),
  campaignId: z.number(),
  batchId: z.string().optional(),
  leads: z.array(z.object({ id: z.number(), routingPool: z.string().optional() })),
});
export type InvocationPayload = z.infer<typeof invocationPayloadSchema>;

export const callbackPayloadSchema = z.object({
  token: z.string(),
  apiCallBackKey: z.string(),
  callbackUrl: z.string(),
  munchkinId: z.string(),
  objectData: z.array(callbackRecordSchema),
});
export type CallbackPayload = z.infer<typeof callbackPayloadSchema>;

/**
 * The routing pool a lead's flow step chose. Keyed by the attribute's apiName per the SPI;
 * Adobe's sample reads flowStepContext by display name ("Invoker sends params with display
 * names instead of api names", mkto-flow-lookup executeCallback), so that is accepted too.
 */
function routingPoolOf(context: Record<string, unknown> | null | undefined): string | undefined {
  const value = context?.['routingPool'] ?? context?.['Routing Pool'];
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 255) : undefined;
}

export function toInvocationPayload(invocation: Invocation): InvocationPayload {
  return {
    token: invocation.token,
    apiCallBackKey: invocation.apiCallBackKey,
    callbackUrl: invocation.callbackUrl,
    munchkinId: invocation.context.subscription.munchkinId,
    campaignId: invocation.campaignId,
    ...(invocation.batchid ? { batchId: invocation.batchid } : {}),
    leads: invocation.objectData.map((o) => ({
      id: o.objectContext.id,
      ...(routingPoolOf(o.flowStepContext)
        ? { routingPool: routingPoolOf(o.flowStepContext) }
        : {}),
    })),
  };
}
