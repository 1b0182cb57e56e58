import type { z } from 'zod';

/** A zod schema and the name it takes under `components.schemas`. */
export interface NamedSchema {
  name: string;
  schema: z.ZodType;
}

/** `named('AgentInput', agentInputSchema)`: the route's own schema object, never a copy. */
export function named(name: string, schema: z.ZodType): NamedSchema {
  return { name, schema };
}

/**
 * Who may call: nobody in particular (`public`), the admin (bearer token, or a console session
 * with its CSRF token on changes), Marketo's Call Webhook (`x-webhook-secret`), Marketo's
 * Self-Service Flow Steps (`x-api-key`), or a metrics scraper (admin token or METRICS_TOKEN).
 */
export type Access = 'public' | 'admin' | 'webhook' | 'ssfs' | 'metrics';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Media types the service answers with, by a short name. */
export const MEDIA = {
  json: 'application/json',
  html: 'text/html',
  text: 'text/plain',
  csv: 'text/csv',
  svg: 'image/svg+xml',
  ics: 'text/calendar',
  javascript: 'text/javascript',
  form: 'application/x-www-form-urlencoded',
} as const;
export type Media = keyof typeof MEDIA;

/** The success answer of an operation. */
export interface SuccessSpec {
  status?: number;
  description: string;
  /** Default json. */
  media?: Media;
  /** Another media type the same answer may come in (e.g. a report as CSV). */
  alsoMedia?: Media;
  /** The body's schema, where a zod schema of it exists (converted as output). */
  schema?: NamedSchema;
}

/**
 * One documented operation. Bodies, query and path parameters name the zod objects the route
 * parses with, so the document and the route cannot disagree about what is accepted.
 */
export interface OperationSpec {
  method: HttpMethod;
  /** Express style, as listRoutes reports it (`/api/agents/:id`). */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  access: Access;
  /** The body's schema (none for a body that is not JSON, e.g. a CSV upload); media json. */
  body?: { schema?: NamedSchema; media?: Media; required?: boolean };
  /** Query schemas (z.object); several when the route parses the query in parts. */
  query?: NamedSchema[];
  /** Path parameter schemas by name; a parameter not named here is a plain string. */
  params?: Record<string, z.ZodType>;
  ok: SuccessSpec;
  /** Other answers worth naming (status: description); 4xx and 5xx share the error body. */
  also?: Record<number, string>;
  /** Errors come as pages (HTML) rather than the JSON error body. */
  errorsAsPages?: boolean;
}
