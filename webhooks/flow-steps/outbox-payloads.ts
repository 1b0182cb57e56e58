import { z } from 'zod';
import { callbackRecordSchema } from '../../src/clients/ssfs-callback/ssfs-callback-client.js';

/* The flow step's outbox payloads, parsed again when a handler reads them back from the store. */

export const SSFS_INVOCATION_KIND = 'ssfs-invocation';
export const SSFS_CALLBACK_KIND = 'ssfs-callback';
/** The one failure result sent when the routing or the callback is dead (failure-callback.ts). */
export const SSFS_FAILURE_CALLBACK_KIND = 'ssfs-failure-callback';

/**
 * `apiCallBackKey` is absent when Marketo sent none: the callback then uses SSFS_API_KEY,
 * read when it is sent, so our own secret is never written to the store.
 */
export const invocationPayloadSchema = z.object({
  token: z.string(),
  apiCallBackKey: z.string().optional(),
  callbackUrl: z.string(),
  munchkinId: z.string(),
  campaignId: z.number(),
  batchId: z.string().optional(),
  leads: z.array(
    z.object({
      id: z.number(),
      routingPool: z.string().optional(),
      /** Why this lead's data was refused: it fails in the callback, unrouted. */
      invalid: z.string().optional(),
    }),
  ),
});
export type InvocationPayload = z.infer<typeof invocationPayloadSchema>;

/** The one callback of the invocation with this token. */
export const callbackDedupeKey = (token: string) => `ssfs:${token}:callback`;

export const callbackPayloadSchema = z.object({
  token: z.string(),
  apiCallBackKey: z.string().optional(),
  callbackUrl: z.string(),
  munchkinId: z.string(),
  objectData: z.array(callbackRecordSchema),
});
export type CallbackPayload = z.infer<typeof callbackPayloadSchema>;
