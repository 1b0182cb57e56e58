import { adminOperations } from './admin-operations.js';
import { errorBody } from './error-body.js';
import { marketoOperations } from './marketo-operations.js';
import { meetingOperations } from './meeting-operations.js';
import { MEDIA, type OperationSpec } from './openapi-operation.js';
import { publicOperations } from './public-operations.js';
import { createSchemaComponents } from './schema-components.js';
import { securityFor, securitySchemes } from './security-schemes.js';

type Json = Record<string, unknown>;

/** Every operation the service serves, by capability. */
export const OPERATIONS: readonly OperationSpec[] = [
  ...publicOperations,
  ...marketoOperations,
  ...adminOperations,
  ...meetingOperations,
];

const TAGS = [
  ['Service', 'Liveness, readiness, metrics and this document.'],
  ['Console', 'The admin console: its page and its session.'],
  ['Chat', "The widget's public endpoints and the embeddable script."],
  ['Booking', 'Public booking: slots, the booking page, and the links in the confirmation.'],
  ['Calendar OAuth', 'Where Google and Microsoft send an agent back after consent.'],
  ['Transcripts', 'Signed transcript pages linked from the chat activity.'],
  ['Marketo webhooks', 'Call Webhook endpoints for Marketo smart campaigns.'],
  ['Flow steps', 'The Self-Service Flow Step service Marketo installs and invokes.'],
  ['Sync and leads', 'Lead sync from Marketo and the local copy of leads.'],
  ['Chat admin', 'The chat configuration and its dialogues.'],
  ['Agents', 'Sales agents, their availability and calendar connections.'],
  ['Meetings', 'Booked meetings and their status changes.'],
  ['Routing', 'The rotation, routing rules and the account list.'],
  ['Outbox', 'Writes waiting for Marketo, and dead letters.'],
  ['Conversations', 'Chat conversations and their transcripts.'],
  ['Reports', 'Dialogue and agent reports, JSON or CSV.'],
  ['Notifications', 'Notification emails captured instead of sent.'],
] as const;

/** `/api/agents/:id` as OpenAPI writes it: `/api/agents/{id}`. */
export function toOpenApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

function pathParamNames(expressPath: string): string[] {
  return [...expressPath.matchAll(/:(\w+)/g)].map((m) => m[1]!);
}

export interface OpenApiDocumentOptions {
  /** The service's version (package.json). */
  version: string;
  /** PUBLIC_BASE_URL, the one server. */
  serverUrl: string;
}

/**
 * The OpenAPI 3.1 document of the whole service, built from the operation tables and the zod
 * schemas the routes parse with (z.toJSONSchema), so it is never written twice. Built once per
 * service; it holds no data, only shapes.
 */
export function createOpenApiDocument(options: OpenApiDocumentOptions): Json {
  const components = createSchemaComponents();
  const errorRef = components.ref('Error', errorBody, 'output');
  const paths: Record<string, Record<string, Json>> = {};

  for (const op of OPERATIONS) {
    const parameters: Json[] = [];
    for (const name of pathParamNames(op.path)) {
      const schema = op.params?.[name];
      parameters.push({
        name,
        in: 'path',
        required: true,
        schema:
          schema === undefined
            ? { type: 'string' }
            : components.convert(`${operationId(op)}_${name}`, schema, 'input'),
      });
    }
    for (const query of op.query ?? []) {
      const json = components.convert(query.name, query.schema, 'input');
      const required = new Set((json.required ?? []) as string[]);
      const properties = (json.properties ?? {}) as Record<string, Json>;
      for (const [name, schema] of Object.entries(properties)) {
        const { description, ...rest } = schema;
        parameters.push({
          name,
          in: 'query',
          required: required.has(name),
          ...(typeof description === 'string' ? { description } : {}),
          schema: rest,
        });
      }
    }

    const errorContent = op.errorsAsPages
      ? { [MEDIA.html]: { schema: { type: 'string' } } }
      : { [MEDIA.json]: { schema: errorRef } };
    const errorAnswer = (description: string) => ({ description, content: errorContent });
    const responses: Record<string, Json> = {};
    const okMedia = MEDIA[op.ok.media ?? 'json'];
    const okSchema = op.ok.schema
      ? components.ref(op.ok.schema.name, op.ok.schema.schema, 'output')
      : op.ok.media === undefined || op.ok.media === 'json'
        ? { type: 'object' }
        : { type: 'string' };
    responses[String(op.ok.status ?? 200)] = {
      description: op.ok.description,
      ...(op.ok.status === 204
        ? {}
        : {
            content: {
              [okMedia]: { schema: okSchema },
              ...(op.ok.alsoMedia
                ? { [MEDIA[op.ok.alsoMedia]]: { schema: { type: 'string' } } }
                : {}),
            },
          }),
    };
    if (op.body || parameters.length > 0) {
      responses['400'] = errorAnswer('The input is not valid; `field` names the first bad field.');
    }
    if (op.access !== 'public') responses['401'] = errorAnswer('A missing or wrong credential.');
    for (const [status, description] of Object.entries(op.also ?? {})) {
      // A 3xx (304 Not Modified) has no body; 4xx and 5xx carry the error.
      responses[status] = Number(status) >= 400 ? errorAnswer(description) : { description };
    }
    responses['default'] = errorAnswer('Any other error, with the same error body.');

    const operation: Json = {
      operationId: operationId(op),
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      security: securityFor(op.access, op.method),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: op.body.required ?? true,
              content: {
                [MEDIA[op.body.media ?? 'json']]: {
                  schema: op.body.schema
                    ? components.ref(op.body.schema.name, op.body.schema.schema, 'input')
                    : { type: 'string' },
                },
              },
            },
          }
        : {}),
      responses,
    };
    const path = toOpenApiPath(op.path);
    paths[path] ??= {};
    if (paths[path][op.method]) throw new Error(`${op.method} ${op.path} is documented twice`);
    paths[path][op.method] = operation;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Marketo chat and meetings service',
      version: options.version,
      description:
        'Every route the service serves: the admin API (/api), the chat widget and booking ' +
        'endpoints, and the endpoints Marketo calls. Generated from the zod schemas the routes ' +
        'parse with. Errors are `{ "error": { "code", "message", "field" } }`.',
    },
    servers: [{ url: options.serverUrl.replace(/\/+$/, '') || '/' }],
    tags: TAGS.map(([name, description]) => ({ name, description })),
    paths,
    components: { schemas: components.schemas, securitySchemes },
  };
}

/** `get /api/agents/:id` -> `getApiAgentsById`: unique and readable in generated clients. */
function operationId(op: OperationSpec): string {
  const words = op.path
    .split(/[/.-]/)
    .filter(Boolean)
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part))
    .flatMap((part) => part.split(/[-_]/))
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return op.method + words.join('');
}
