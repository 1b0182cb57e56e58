import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createOpenApiDocument } from '../../src/openapi/openapi-document.js';
import { createSchemaComponents } from '../../src/openapi/schema-components.js';
import { createOpenApiValidator } from '../helpers/openapi-validator.js';

type Json = Record<string, unknown>;

const document = createOpenApiDocument({
  version: '1.2.3',
  serverUrl: 'https://chat.example.com/',
});

/**
 * The parts of OpenAPI 3.1 this document uses, as the specification words them (the 3.1
 * meta-schema is not in the repository): enough that a viewer or a client generator reads it.
 */
const mediaSchema = z.record(
  z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/),
  z.object({ schema: z.record(z.string(), z.unknown()) }).strict(),
);
const parameterSchema = z
  .object({
    name: z.string().min(1),
    in: z.enum(['path', 'query', 'header', 'cookie']),
    required: z.boolean(),
    description: z.string().optional(),
    schema: z.record(z.string(), z.unknown()),
  })
  .strict()
  .refine((p) => p.in !== 'path' || p.required, 'a path parameter is required');
const operationSchema = z
  .object({
    operationId: z.string().regex(/^[A-Za-z0-9]+$/),
    tags: z.array(z.string()).length(1),
    summary: z.string().min(1),
    description: z.string().optional(),
    security: z.array(z.record(z.string(), z.array(z.string()))),
    parameters: z.array(parameterSchema).optional(),
    requestBody: z.object({ required: z.boolean(), content: mediaSchema }).strict().optional(),
    responses: z.record(
      z.string().regex(/^([1-5]\d\d|default)$/),
      z.object({ description: z.string().min(1), content: mediaSchema.optional() }).strict(),
    ),
  })
  .strict();
const documentSchema = z
  .object({
    openapi: z.literal('3.1.0'),
    info: z.object({ title: z.string(), version: z.string(), description: z.string() }).strict(),
    servers: z.array(z.object({ url: z.string() }).strict()).min(1),
    tags: z.array(z.object({ name: z.string(), description: z.string() }).strict()),
    paths: z.record(
      z.string().regex(/^\/[^:]*$/, 'an OpenAPI path starts with / and writes {param}, not :param'),
      z.partialRecord(z.enum(['get', 'put', 'post', 'delete', 'patch']), operationSchema),
    ),
    components: z
      .object({
        schemas: z.record(z.string().regex(/^[A-Za-z0-9._-]+$/), z.record(z.string(), z.unknown())),
        securitySchemes: z.record(
          z.string(),
          z.union([
            z
              .object({ type: z.literal('http'), scheme: z.string(), description: z.string() })
              .strict(),
            z
              .object({
                type: z.literal('apiKey'),
                in: z.enum(['header', 'query', 'cookie']),
                name: z.string(),
                description: z.string(),
              })
              .strict(),
          ]),
        ),
      })
      .strict(),
  })
  .strict();
type Document = z.infer<typeof documentSchema>;

function operations(doc: Document) {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ path, method, op: op! })),
  );
}

/** Every `$ref` in a value, with where it was found. */
function refsIn(value: unknown, at = '#'): Array<{ at: string; ref: string }> {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string'
      ? [{ at, ref: inner }]
      : refsIn(inner, `${at}/${key}`),
  );
}

function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>(
      (node, part) =>
        typeof node === 'object' && node !== null ? (node as Json)[part] : undefined,
      doc,
    );
}

describe('the OpenAPI document', () => {
  it('when it is built, then its structure is OpenAPI 3.1 as far as the parts it uses', () => {
    const parsed = documentSchema.safeParse(document);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });

  it('when it is built, then every $ref resolves inside it', () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(50);
    const broken = refs.filter(({ ref }) => resolvePointer(document, ref) === undefined);
    expect(broken).toEqual([]);
  });

  it('when each schema is compiled as JSON Schema 2020-12 in strict mode, then none fails', () => {
    const validator = createOpenApiValidator(document);
    const doc = documentSchema.parse(document);
    const failures: string[] = [];
    const tryCompile = (where: string, schema: unknown) => {
      try {
        validator.compile(schema);
      } catch (error) {
        failures.push(`${where}: ${(error as Error).message}`);
      }
    };
    for (const name of Object.keys(doc.components.schemas)) {
      tryCompile(name, { $ref: `#/components/schemas/${name}` });
    }
    for (const { path, method, op } of operations(doc)) {
      for (const p of op.parameters ?? []) tryCompile(`${method} ${path} ${p.name}`, p.schema);
    }
    expect(failures).toEqual([]);
  });

  it('when operations are listed, then ids are unique, tags declared, security schemes known and path parameters match the template', () => {
    const doc = documentSchema.parse(document);
    const ids = operations(doc).map(({ op }) => op.operationId);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    const tags = new Set(doc.tags.map((t) => t.name));
    const schemes = new Set(Object.keys(doc.components.securitySchemes));
    const problems: string[] = [];
    for (const { path, method, op } of operations(doc)) {
      const where = `${method} ${path}`;
      for (const tag of op.tags) if (!tags.has(tag)) problems.push(`${where}: tag ${tag}`);
      for (const requirement of op.security) {
        for (const scheme of Object.keys(requirement)) {
          if (!schemes.has(scheme)) problems.push(`${where}: security ${scheme}`);
        }
      }
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? [])
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort();
      if (templated.join() !== declared.join()) problems.push(`${where}: path parameters`);
    }
    expect(problems).toEqual([]);
  });

  it('when the admin API is read, then its changes accept the bearer token, or a console session with the CSRF token', () => {
    const doc = documentSchema.parse(document);
    expect(doc.paths['/api/agents/{id}']?.patch?.security).toEqual([
      { adminBearer: [] },
      { consoleSession: [], csrfToken: [] },
    ]);
    expect(doc.paths['/api/agents/{id}']?.get?.security).toEqual([
      { adminBearer: [] },
      { consoleSession: [] },
    ]);
    expect(doc.paths['/webhooks/marketo/lead']?.post?.security).toEqual([{ webhookSecret: [] }]);
    expect(doc.paths['/flow-steps/submitAsyncAction']?.post?.security).toEqual([
      { ssfsApiKey: [] },
    ]);
    expect(doc.paths['/chat/events']?.post?.security).toEqual([]);
  });
  it('when an answer is an error or a 304, then errors carry the error body and a 304 carries none', () => {
    const doc = documentSchema.parse(document);
    const config = doc.paths['/chat/config']?.get?.responses;
    expect(config?.['304']).toEqual({ description: expect.any(String) });
    expect(config?.['default']?.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
    const settings = doc.paths['/api/routing/settings']?.put?.responses;
    expect(settings?.['401']?.content?.['application/json']?.schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
  });
});

describe('schema components', () => {
  it('when a schema is recursive, then its definitions become components and the document validates nested values through them', () => {
    interface Node {
      name: string;
      children: Node[];
    }
    const node: z.ZodType<Node> = z.lazy(() =>
      z.object({ name: z.string().min(1), children: z.array(node) }),
    );
    const tree = z.object({ root: node });
    const components = createSchemaComponents();
    const ref = components.ref('Tree', tree, 'input');
    const doc = { components: { schemas: components.schemas } };
    for (const { ref: target } of refsIn(doc)) {
      expect(target.startsWith('#/components/schemas/')).toBe(true);
      expect(resolvePointer(doc, target)).toBeDefined();
    }
    const validate = createOpenApiValidator(doc).compile(ref);
    const leaf = { name: 'c', children: [] };
    expect(validate({ root: { name: 'a', children: [{ name: 'b', children: [leaf] }] } })).toBe(
      true,
    );
    expect(validate({ root: { name: 'a', children: [{ name: '', children: [] }] } })).toBe(false);
  });

  it('when two different schemas are given one name, then building fails rather than documenting one of them', () => {
    const components = createSchemaComponents();
    components.ref('Thing', z.object({ a: z.string() }), 'input');
    expect(() => components.ref('Thing', z.object({ b: z.string() }), 'input')).toThrow(/Thing/);
  });
});
