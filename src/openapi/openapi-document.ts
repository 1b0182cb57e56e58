import { adminOperations } from './admin-operations.js';
import { errorBody } from './error-body.js';
import { marketoOperations } from './marketo-operations.js';
import { meetingOperations } from './meeting-operations.js';
import { createOperationObject } from './operation-object.js';
import type { OperationSpec } from './openapi-operation.js';
import { publicOperations } from './public-operations.js';
import { createSchemaComponents } from './schema-components.js';
import { securitySchemes } from './security-schemes.js';

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

export interface OpenApiDocumentOptions {
  /** The service's version (package.json). */
  version: string;
  /** PUBLIC_BASE_URL, the one server. */
  serverUrl: string;
}

/**
 * The OpenAPI 3.1 document of the whole service, built from the operation tables and the zod
 * schemas the routes parse with (z.toJSONSchema), so it is never written twice. It holds no
 * data, only shapes; openapi-routes.ts builds it once, on the first request.
 */
export function createOpenApiDocument(options: OpenApiDocumentOptions): Json {
  const components = createSchemaComponents();
  const errorRef = components.ref('Error', errorBody, 'output');
  const paths: Record<string, Record<string, Json>> = {};

  for (const op of OPERATIONS) {
    const operation = createOperationObject(op, components, errorRef);
    const path = toOpenApiPath(op.path);
    paths[path] ??= {};
    if (paths[path][op.method]) throw new Error(`${op.method} ${op.path} is documented twice`);
    paths[path][op.method] = operation;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'marketo-chat',
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
