import { z } from 'zod';

/**
 * The wire shapes this module relies on, parsed so drift becomes a typed error. Only the
 * fields we read are listed; zod drops the rest.
 */

/**
 * Token endpoint success (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow,
 * "Successful response"; the refresh-token request answers the same shape). `refresh_token` is
 * present only when `offline_access` was granted, and on refresh it is a new token every time.
 */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
  refresh_token: z.string().min(1).optional(),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/**
 * Token endpoint error ("Error response"): `error` is the OAuth code, `error_codes` the AADSTS
 * numbers that `error_description` starts with ("AADSTS700082: The refresh token has expired...").
 */
export const tokenErrorSchema = z.object({
  error: z.string().min(1),
  error_description: z.string().optional(),
  error_codes: z.array(z.number()).optional(),
  correlation_id: z.string().optional(),
  trace_id: z.string().optional(),
});
export type TokenErrorBody = z.infer<typeof tokenErrorSchema>;

/**
 * dateTimeTimeZone (learn.microsoft.com/graph/api/resources/datetimetimezone): a wall time
 * without offset, e.g. `2026-11-24T09:00:00.0000000`, plus the zone it is in.
 */
export const dateTimeTimeZoneSchema = z.object({
  dateTime: z.string(),
  timeZone: z.string(),
});
export type DateTimeTimeZone = z.infer<typeof dateTimeTimeZoneSchema>;

/** One page of List calendarView with `$select=showAs,start,end,isCancelled`. */
export const calendarViewPageSchema = z.object({
  value: z.array(
    z.object({
      /** free | tentative | busy | oof | workingElsewhere | unknown (resources/event). */
      showAs: z.string().nullish(),
      isCancelled: z.boolean().nullish(),
      start: dateTimeTimeZoneSchema,
      end: dateTimeTimeZoneSchema,
    }),
  ),
  '@odata.nextLink': z.string().optional(),
});

/** One page of List events with `$select=id` (the lookup of an event by its meeting marker). */
export const eventIdPageSchema = z.object({
  value: z.array(z.object({ id: z.string().min(1) })),
  '@odata.nextLink': z.string().optional(),
});

/** The fields of an event we keep after create/update. */
export const eventSchema = z.object({
  id: z.string().min(1),
  onlineMeeting: z.object({ joinUrl: z.string().nullish() }).nullish(),
});

/** GET /me?$select=mail,userPrincipalName. `mail` is null for some accounts. */
export const meSchema = z.object({
  mail: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
});
