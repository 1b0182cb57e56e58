import { z } from 'zod';

type Json = Record<string, unknown>;
export type SchemaIo = 'input' | 'output';

/** Component names OpenAPI allows. */
const COMPONENT_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Turns zod schemas into the document's `components.schemas` with zod's own converter
 * (z.toJSONSchema), once per schema object. A schema converted alone keeps its shared and
 * recursive parts in its own `$defs`, referenced as `#/$defs/...` (or `#` for itself); inside an
 * OpenAPI document those would resolve against the document root, so they are lifted into
 * components of their own (`<Name>_<def>`) and every reference rewritten to point there.
 */
export function createSchemaComponents() {
  const schemas: Record<string, Json> = {};
  const names = new Map<string, { schema: z.ZodType | undefined; io: SchemaIo }>();

  /** One name, one schema read one way: a second claim must be the same (a request's input
   * and a response's output of one schema differ, so they need two names). */
  function claim(name: string, schema: z.ZodType | undefined, io: SchemaIo): void {
    if (!COMPONENT_NAME.test(name)) throw new Error(`not a component name: ${name}`);
    const holder = names.get(name);
    if (holder !== undefined && (holder.schema !== schema || holder.io !== io)) {
      throw new Error(`two different schemas are both named ${name}`);
    }
    names.set(name, { schema, io });
  }

  /** The schema as JSON Schema, its `$defs` lifted into components named after `name`. */
  function convert(name: string, schema: z.ZodType, io: SchemaIo): Json {
    const json = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      // A transform's output or a custom check has no JSON Schema: say "anything" rather than
      // fail, the route still decides.
      unrepresentable: 'any',
    }) as Json;
    const { $schema: _dialect, $defs, ...rest } = json;
    const defs = ($defs ?? {}) as Record<string, Json>;
    const defName = (def: string) => `${name}_${def.replace(/^_+/, '')}`;
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (typeof value !== 'object' || value === null) return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => {
          if (key !== '$ref' || typeof inner !== 'string') return [key, rewrite(inner)];
          if (inner === '#') return [key, `#/components/schemas/${name}`];
          if (inner.startsWith('#/$defs/')) {
            return [key, `#/components/schemas/${defName(inner.slice('#/$defs/'.length))}`];
          }
          return [key, inner];
        }),
      );
    };
    for (const [def, body] of Object.entries(defs)) {
      claim(defName(def), undefined, io);
      schemas[defName(def)] = rewrite(body) as Json;
    }
    return rewrite(rest) as Json;
  }

  return {
    schemas,
    convert,
    /** A `$ref` to the named schema, converting it the first time. */
    ref(name: string, schema: z.ZodType, io: SchemaIo): Json {
      claim(name, schema, io);
      schemas[name] ??= convert(name, schema, io);
      return { $ref: `#/components/schemas/${name}` };
    },
  };
}
