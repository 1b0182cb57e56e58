import { MEDIA, type OperationSpec } from './openapi-operation.js';
import type { createSchemaComponents } from './schema-components.js';
import { securityFor } from './security-schemes.js';

type Json = Record<string, unknown>;
type Components = ReturnType<typeof createSchemaComponents>;

function pathParamNames(expressPath: string): string[] {
  return [...expressPath.matchAll(/:(\w+)/g)].map((m) => m[1]!);
}

/**
 * One operation as OpenAPI writes it: its parameters and body from the route's zod schemas, the
 * success answer, and the errors every route can give (400 with input, 401 behind a credential,
 * the ones it names, and any other), all with the one error body.
 */
export function createOperationObject(
  op: OperationSpec,
  components: Components,
  errorRef: Json,
): Json {
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
  return operation;
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
