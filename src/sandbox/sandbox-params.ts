import type { Request } from 'express';
import type { z } from 'zod';
import { marketoErrors } from './envelope.js';

/**
 * Query parameters as Marketo reads them: comma-separated lists or repeated keys
 * (`activityTypeIds=1&activityTypeIds=12`, DEV:help/rest-api/paging-tokens.md), and for
 * `POST ...?_method=GET` the same parameters from a form-encoded body (error-codes.md, 414).
 */

export type Params = (name: string) => string | undefined;

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const parts = value.filter((part): part is string => typeof part === 'string');
    return parts.length > 0 ? parts.join(',') : undefined;
  }
  return undefined;
}

/** Parameters from the query string, plus the form body when the call is `_method=GET`. */
export function readParams(req: Request): Params {
  const body: unknown = req.body;
  const form =
    req.method === 'POST' && typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>)
      : {};
  return (name) => text(req.query[name]) ?? text(form[name]);
}

/** Comma-separated values, trimmed, empties dropped. */
export function listParam(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

export function requiredParam(params: Params, name: string): string {
  const value = params(name);
  if (value === undefined || value.trim() === '') throw marketoErrors.blank(name);
  return value;
}

/** `batchSize`: "Maximum and default is 300" on every paged Lead Database endpoint. */
export function batchSizeParam(params: Params, max = 300): number {
  const value = params('batchSize');
  if (value === undefined || value === '') return max;
  const size = Number(value);
  if (!Number.isInteger(size)) throw marketoErrors.invalidValue(value, 'Integer');
  if (size < 1 || size > max) throw marketoErrors.invalidData(`batchSize must be 1 to ${max}`);
  return size;
}

/** Integer list such as `leadIds` or `activityTypeIds`, with Marketo's per-call maximum. */
export function integerListParam(params: Params, name: string, max: number): number[] {
  const values = listParam(params(name));
  if (values.length > max) throw marketoErrors.invalidData(`at most ${max} ${name} allowed`);
  return values.map((value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw marketoErrors.invalidValue(value, 'Integer');
    return n;
  });
}

/** zod issues become Marketo codes: a missing member is 701, anything else 1003. */
export function parseMarketo<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') ?? 'body';
  if (issue?.code === 'invalid_type' && issue.message.includes('undefined')) {
    throw marketoErrors.blank(path);
  }
  throw marketoErrors.invalidData(`${path} ${issue?.message ?? 'is invalid'}`);
}
