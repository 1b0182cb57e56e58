import { z } from 'zod';
import { CalendarProviderError } from '../../calendar/calendar-types.js';

/**
 * The parts of Google's answers the client relies on, parsed so that wire drift becomes a typed
 * CalendarProviderError instead of an `undefined` deep in booking. Field meanings from the
 * Calendar API v3 reference (developers.google.com/workspace/calendar/api/v3/reference) and
 * the OAuth 2.0 web-server guide.
 */

/** An RFC 3339 instant, read as epoch milliseconds. */
const instant = z.string().transform((value, ctx) => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'not an RFC 3339 date-time' });
    return z.NEVER;
  }
  return ms;
});

/** The Calendar API's error body: `{ error: { code, message, errors: [{ domain, reason }] } }`. */
export const apiErrorBodySchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    errors: z
      .array(z.object({ reason: z.string().optional(), domain: z.string().optional() }))
      .optional(),
  }),
});

/** The token endpoint's error body (RFC 6749 §5.2): `{ error, error_description }`. */
export const oauthErrorBodySchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});

/**
 * Token endpoint answer to `authorization_code` and `refresh_token` grants, as google-auth-library
 * hands it back: the library replaces Google's `expires_in` (seconds, 3599) by `expiry_date`
 * (epoch ms by the system clock) in the very answer object; either is accepted.
 */
export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive().optional(),
  expiry_date: z.number().positive().optional(),
  /** Only on the first exchange with access_type=offline (and prompt=consent). */
  refresh_token: z.string().min(1).optional(),
  /** Space-separated scopes actually granted (granular consent may leave some out). */
  scope: z.string().optional(),
  /** With the `openid` scope. */
  id_token: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** The id_token claims we read (OpenID Connect Core §2; Google adds `email_verified`). */
export const idTokenClaimsSchema = z.object({
  email: z.string().optional(),
  email_verified: z.union([z.boolean(), z.literal('true'), z.literal('false')]).optional(),
});

/** freebusy.query answer, keyed by the calendar ids we asked for. */
export const freeBusyResponseSchema = z.object({
  calendars: z.record(
    z.string(),
    z.object({
      busy: z.array(z.object({ start: instant, end: instant })).default(() => []),
      /** e.g. `notFound`, `backendError`, `internalError`: the calendar's busy list is missing. */
      errors: z
        .array(z.object({ domain: z.string().optional(), reason: z.string().optional() }))
        .optional(),
    }),
  ),
});

/** The Event fields we read back from insert, get and patch. */
export const eventSchema = z.object({
  id: z.string().min(1),
  /** `confirmed`, `tentative` or `cancelled`. */
  status: z.string().optional(),
  /** The Meet link, when the event has one. */
  hangoutLink: z.string().optional(),
  conferenceData: z
    .object({
      entryPoints: z
        .array(z.object({ entryPointType: z.string().optional(), uri: z.string().optional() }))
        .optional(),
      createRequest: z
        .object({
          status: z.object({ statusCode: z.string().optional() }).optional(),
        })
        .optional(),
    })
    .optional(),
  extendedProperties: z.object({ private: z.record(z.string(), z.string()).optional() }).optional(),
});
export type GoogleEvent = z.infer<typeof eventSchema>;

/**
 * Parses an answer the client relies on. The error never carries the answer itself (a token
 * response holds secrets); the issue paths say what drifted.
 */
export function parseGoogleAnswer<S extends z.ZodType>(
  schema: S,
  data: unknown,
  operation: string,
): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const where = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
  throw new CalendarProviderError(
    'google',
    `${operation} answered in an unexpected shape (${where})`,
    {
      retryable: false,
    },
  );
}
