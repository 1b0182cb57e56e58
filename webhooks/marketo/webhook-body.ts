import { AppError, ValidationError } from '../../src/errors.js';
import { repairMarketoJson } from './marketo-json-repair.js';

export type WebhookBody = Record<string, unknown>;

/** `name=` at the start: a form body; JSON and plain text never start so. */
const FORM_START = /^[^\s={}"[\]]+=/;

/**
 * Turns the raw body of a Call Webhook into a flat object of strings, numbers, booleans and
 * nulls (nested values kept as they are).
 *
 * The form is decided by the body, not the Content-Type. Marketo's "Request Token Encoding" is
 * JSON or Form/Url (DEV:help/webhooks/webhooks.md), but the Content-Type is whatever the admin
 * set with "Set Custom Header", and without one Marketo sends
 * `application/x-www-form-urlencoded` whatever the template holds, so a JSON template commonly
 * arrives labelled as a form. A body whose first non-space character is `{` or `[` is JSON, and
 * is reported as invalid JSON if it does not parse even after repair (a Form/Url template starts
 * with a field name, never a brace, so reading it as a form would only hide the template's
 * mistake behind a missing id); `name=value` is a form; anything else is invalid JSON, unless
 * the Content-Type says form, which is then believed.
 */
export function parseWebhookBody(
  raw: Buffer | undefined,
  contentType: string | undefined,
): WebhookBody {
  const text = raw === undefined ? '' : raw.toString('utf8').replace(/^\uFEFF/, '');
  const trimmed = text.trim();
  // An empty template is not an error of encoding: the caller reports the missing lead id.
  if (trimmed === '') return {};
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJsonObject(trimmed);
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/x-www-form-urlencoded')) return parseForm(trimmed);
  if (!type.includes('json') && FORM_START.test(trimmed)) return parseForm(trimmed);
  return parseJsonObject(trimmed);
}

function parseJsonObject(text: string): WebhookBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Only a body JSON.parse refused is repaired: a valid one is never rewritten.
    try {
      value = JSON.parse(repairMarketoJson(text));
    } catch {
      throw new AppError('INVALID_JSON', 'The request body is not valid JSON', {
        httpStatus: 400,
        field: 'body',
      });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('The request body must be a JSON object', 'body');
  }
  return value as WebhookBody;
}

/**
 * `application/x-www-form-urlencoded`: URLSearchParams decodes `+` and %XX as browsers do.
 * A value in double quotes loses them: the template may have been written for JSON, whose
 * string tokens Marketo quotes. The last of repeated names wins.
 */
function parseForm(text: string): WebhookBody {
  const body: WebhookBody = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const unquoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"');
    setOwn(body, name, unquoted ? value.slice(1, -1) : value);
  }
  return body;
}

/** A plain own property even for `__proto__`: names come from the caller. */
function setOwn(target: WebhookBody, name: string, value: unknown): void {
  Object.defineProperty(target, name, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
