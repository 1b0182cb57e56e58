import { DateTime } from 'luxon';
import { z } from 'zod';
import type {
  CustomActivityType,
  DeletedLeadActivity,
  LeadActivity,
  LeadChangeActivity,
  LeadExportJob,
  LeadFieldDescription,
  RecordResult,
} from './types.js';

/**
 * The parts of Marketo's answers this service relies on, checked with zod so that wire drift
 * becomes MARKETO_BAD_RESPONSE instead of a silently wrong cursor. Shapes follow Adobe's
 * swagger-mapi.json / swagger-identity.json; unknown members are ignored, not rejected.
 * Each item schema transforms into the provider-neutral type of ./types.ts, so wire names
 * never leave this folder.
 */

/** Copies the members that are not undefined (results compare cleanly in tests and logs). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** `code` is a quoted integer on the wire ("606"); tolerate a bare number. */
export const marketoErrorSchema = z.object({
  code: z.union([z.string(), z.number()]).transform(String),
  message: z.string().default(''),
});
export type MarketoWireError = z.output<typeof marketoErrorSchema>;

/** Every REST and bulk JSON answer: `{ requestId, success, errors?, warnings?, result? }`. */
export const envelopeSchema = z.object({
  requestId: z.string().optional(),
  success: z.boolean(),
  errors: z.array(marketoErrorSchema).optional(),
  warnings: z.array(z.unknown()).optional(),
  moreResult: z.boolean().optional(),
  nextPageToken: z.string().optional(),
  result: z.unknown().optional(),
});
export type Envelope = z.output<typeof envelopeSchema>;

/** ResponseOfIdentity. `expires_in` is the *remaining* life in seconds. */
export const identityResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().nonnegative(),
  scope: z.string().optional(),
});

/** Identity's error body, e.g. `{ "error": "invalid_client", "error_description": "..." }`. */
export const identityErrorSchema = z.object({
  error: z.string().optional(),
  error_description: z.string().optional(),
});

/**
 * Activity dates come as `2014-09-17T22:31:49+0000` (offset without colon) or with `Z`;
 * parsed to epoch ms. Anything else is garbage.
 */
export const activityDateSchema = z.string().transform((value, ctx) => {
  const parsed = DateTime.fromISO(value, { setZone: true });
  // Without an offset the instant would depend on this machine's time zone.
  if (!parsed.isValid || !/T.*(?:Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'not an ISO 8601 date-time with offset' });
    return z.NEVER;
  }
  return { raw: value, ms: parsed.toMillis() };
});

/** A lead as Get Leads by Filter Type returns it: `id` plus the requested fields. */
export const leadSchema = z.looseObject({ id: z.number().int().positive() });

/** LeadAttribute of Describe Lead; `rest` is absent for SOAP-only fields. */
export const leadFieldSchema = z
  .object({
    id: z.number().int(),
    displayName: z.string(),
    dataType: z.string(),
    rest: z.object({ name: z.string().min(1), readOnly: z.boolean().optional() }).optional(),
  })
  .transform((f): LeadFieldDescription | undefined =>
    // SOAP-only fields have no REST name and cannot be requested through this API.
    f.rest === undefined
      ? undefined
      : {
          name: f.rest.name,
          displayName: f.displayName,
          dataType: f.dataType,
          readOnly: f.rest.readOnly ?? false,
        },
  );

/** `marketoGUID` (string) is replacing the integer `id` as the key; one of them must be there. */
const activityKey = {
  id: z.number().int().optional(),
  marketoGUID: z.string().min(1).optional(),
  leadId: z.number().int().positive(),
  activityDate: activityDateSchema,
};
const hasKey = (a: { id?: number; marketoGUID?: string }) =>
  a.id !== undefined || a.marketoGUID !== undefined;

/** LeadChange of Get Lead Changes (activity types 12 New Lead, 13 Change Data Value). */
export const leadChangeSchema = z
  .object({
    ...activityKey,
    activityTypeId: z.number().int(),
    fields: z
      .array(
        z.object({
          name: z.string(),
          newValue: z.unknown().optional(),
          oldValue: z.unknown().optional(),
        }),
      )
      .optional(),
  })
  .refine(hasKey, { message: 'activity has neither id nor marketoGUID' })
  .transform((a): LeadChangeActivity => ({
    id: a.marketoGUID ?? String(a.id),
    leadId: a.leadId,
    activityDate: a.activityDate.raw,
    activityAt: a.activityDate.ms,
    activityTypeId: a.activityTypeId,
    fields: (a.fields ?? []).map((f) => ({
      name: f.name,
      newValue: f.newValue ?? null,
      oldValue: f.oldValue ?? null,
    })),
  }));

/** Activity of Get Deleted Leads. */
export const deletedLeadSchema = z
  .object(activityKey)
  .refine(hasKey, { message: 'activity has neither id nor marketoGUID' })
  .transform((a): DeletedLeadActivity => ({
    id: a.marketoGUID ?? String(a.id),
    leadId: a.leadId,
    activityDate: a.activityDate.raw,
    activityAt: a.activityDate.ms,
  }));

/**
 * Activity of Get Lead Activities. `attributes` is required by the spec but absent when every
 * attribute is empty in practice, so it defaults to none; `value` is typed `object` in the
 * spec and comes as a string, number or boolean.
 */
export const leadActivitySchema = z
  .object({
    ...activityKey,
    activityTypeId: z.number().int(),
    primaryAttributeValue: z.string().optional(),
    primaryAttributeValueId: z.number().int().optional(),
    attributes: z
      .array(z.object({ name: z.string(), apiName: z.string().optional(), value: z.unknown() }))
      .optional(),
  })
  .refine(hasKey, { message: 'activity has neither id nor marketoGUID' })
  .transform((a): LeadActivity =>
    defined({
      id: a.marketoGUID ?? String(a.id),
      leadId: a.leadId,
      activityDate: a.activityDate.raw,
      activityAt: a.activityDate.ms,
      activityTypeId: a.activityTypeId,
      primaryAttributeValue: a.primaryAttributeValue,
      primaryAttributeValueId: a.primaryAttributeValueId,
      attributes: (a.attributes ?? []).map((attribute) =>
        defined({ name: attribute.name, apiName: attribute.apiName, value: attribute.value }),
      ),
    }),
  );

/** Paged activity answers always carry the next token; it becomes the stored cursor. */
export const activityPagingSchema = z.object({
  nextPageToken: z.string().min(1),
  moreResult: z.boolean().default(false),
});

/** Marketo spells it "Canceled"; the service (and tap-marketo) says "Cancelled". */
const exportStatusSchema = z
  .string()
  .transform((s) => (s === 'Canceled' ? 'Cancelled' : s))
  .pipe(z.enum(['Created', 'Queued', 'Processing', 'Cancelled', 'Completed', 'Failed']));

/** ExportResponse of the bulk lead extract endpoints. */
export const exportJobSchema = z
  .object({
    exportId: z.string().min(1),
    status: exportStatusSchema,
    numberOfRecords: z.number().int().nonnegative().optional(),
    fileSize: z.number().int().nonnegative().optional(),
    fileChecksum: z.string().optional(),
    errorMsg: z.string().optional(),
  })
  .transform((job): LeadExportJob => defined(job));

const customActivityAttributeSchema = z.object({
  apiName: z.string().min(1),
  name: z.string(),
  description: z.string().optional(),
  // Optional in the spec; Marketo's default data type for a primary attribute is string.
  dataType: z.string().default('string'),
});

/** CustomActivityType of the activity type endpoints. */
export const customActivityTypeSchema = z
  .object({
    id: z.number().int(),
    apiName: z.string().min(1),
    name: z.string(),
    status: z.string(),
    description: z.string().optional(),
    triggerName: z.string().optional(),
    filterName: z.string().optional(),
    primaryAttribute: customActivityAttributeSchema.optional(),
    attributes: z.array(customActivityAttributeSchema).optional(),
  })
  .transform((t): CustomActivityType =>
    defined({
      id: t.id,
      apiName: t.apiName,
      name: t.name,
      status: t.status,
      triggerName: t.triggerName,
      filterName: t.filterName,
      primaryAttribute: t.primaryAttribute && defined(t.primaryAttribute),
      attributes: t.attributes?.map((a) => defined(a)),
    }),
  );

/**
 * A record-level result (Sync Leads, Add Custom Activities), in input order. Failures carry
 * `reasons` (leads) or `errors` (custom activities) with 1xxx codes.
 */
export const recordResultSchema = z
  .object({
    id: z.number().int().optional(),
    marketoGUID: z.string().optional(),
    status: z.string().min(1),
    errors: z.array(marketoErrorSchema).optional(),
    reasons: z.array(marketoErrorSchema).optional(),
  })
  .transform((r): RecordResult =>
    defined({
      status: r.status,
      id: r.id,
      marketoGUID: r.marketoGUID,
      errors: r.errors ?? r.reasons,
    }),
  );

/** A `result` that may be absent when there is nothing to return. */
export function listOf<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .optional()
    .transform((items) => items ?? []);
}

/** A `result` whose first item is the answer (create/enqueue/status/cancel/approve). */
export function firstOf<T extends z.ZodType>(item: T) {
  return z
    .array(item)
    .min(1)
    .transform((items) => items[0] as z.output<T>);
}
