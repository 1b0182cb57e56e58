import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';

// ajv-formats is CommonJS whose default export ESM interop wraps differently per loader.
const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, unknown>;

/** The document's base URI inside ajv: its `#/components/...` refs resolve against it. */
const DOCUMENT_ID = 'urn:service:openapi.json';

/**
 * JSON Schema validators for the parts of an OpenAPI 3.1 document (its Schema Objects are JSON
 * Schema 2020-12), strict, so an unknown keyword zod emitted would fail to compile. Query
 * parameters arrive as text: `coerce` validates them the way a query string reads ("5" is 5).
 */
export function createOpenApiValidator(document: Json, options: { coerce?: boolean } = {}) {
  const ajv = new Ajv2020({ strict: true, allErrors: true, coerceTypes: options.coerce ?? false });
  addFormats(ajv);
  // The document itself is not a schema: its top-level keys are annotations to ajv, so only the
  // pointers into components.schemas are ever compiled.
  for (const keyword of ['openapi', 'info', 'servers', 'tags', 'paths', 'components']) {
    ajv.addKeyword({ keyword });
  }
  ajv.addSchema({ ...document, $id: DOCUMENT_ID });
  const anchored = (schema: unknown): Json =>
    JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', `"$ref":"${DOCUMENT_ID}#/`)) as Json;
  return {
    /** A validator for a schema taken from the document (its refs resolved in the document). */
    compile(schema: unknown) {
      return ajv.compile(anchored(schema));
    },
    /** A validator for the request body an operation documents, as JSON. */
    body(path: string, method: string) {
      const op = operation(document, path, method);
      const body = op.requestBody as { content: Record<string, { schema: unknown }> };
      return ajv.compile(anchored(body.content['application/json']!.schema));
    },
    /** A validator for an operation's query (or path) parameters, as one object. */
    parameters(path: string, method: string, where: 'query' | 'path') {
      const params = (operation(document, path, method).parameters ?? []) as Array<
        Json & { name: string; in: string; required: boolean; schema: unknown }
      >;
      const query = params.filter((p) => p.in === where);
      return ajv.compile(
        anchored({
          type: 'object',
          properties: Object.fromEntries(query.map((p) => [p.name, p.schema])),
          required: query.filter((p) => p.required).map((p) => p.name),
        }),
      );
    },
  };
}

function operation(document: Json, path: string, method: string): Json {
  const paths = document.paths as Record<string, Record<string, Json>>;
  const op = paths[path]?.[method];
  if (op === undefined) throw new Error(`${method} ${path} is not in the document`);
  return op;
}
