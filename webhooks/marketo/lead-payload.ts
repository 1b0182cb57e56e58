import { z } from 'zod';
import { ValidationError } from '../../src/errors.js';
import { normalizeFieldValue } from './lead-field-values.js';
import type { WebhookBody } from './webhook-body.js';

/**
 * The lead a Call Webhook describes. Field names are the payload template's keys, kept as
 * written (use the REST API names, e.g. `firstName`, so webhook and sync agree), except:
 * - the lead id, under any spelling of `id`, `leadId` or `lead.Id` (case, dots, spaces,
 *   underscores and hyphens ignored: `Id`, `ID`, `Lead ID`, `lead_id` ...): taken out of the
 *   fields, as the sync keeps it out;
 * - the email, under `email`, `emailAddress`, `Email Address` or `lead.Email Address` (same
 *   leniency): stored as `email`, the name the store indexes;
 * - `secret` (a secret belongs in a header, and must not be stored), `__proto__`,
 *   `constructor`, `prototype` and the empty name (`=x` in a form): dropped.
 * A body `{ "lead": { ... } }` is unwrapped; keys beside `lead` are kept too.
 */
const ID_NAMES = new Set(['id', 'leadid']);
const EMAIL_NAMES = new Set(['email', 'emailaddress', 'leademail', 'leademailaddress']);
const DROPPED = new Set(['secret', '__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 8;
/** Longest field name kept; Marketo's REST names are far shorter. */
const MAX_NAME_CHARS = 255;

const canonicalName = (name: string) => name.toLowerCase().replace(/[\s._-]/g, '');

type NameRole = 'id' | 'email' | 'dropped' | 'field';
/**
 * The role of each name seen, kept because a payload template sends the same names on every
 * call: one Map lookup instead of lowercasing and a regex per name per call. Bounded, so a
 * caller sending ever new names costs no memory (names past the bound are worked out anew).
 */
const roles = new Map<string, NameRole>();
const MAX_REMEMBERED_NAMES = 1_024;

function roleOf(name: string): NameRole {
  let role = roles.get(name);
  if (role === undefined) {
    const canonical = canonicalName(name);
    role =
      name === '' || DROPPED.has(name)
        ? 'dropped'
        : ID_NAMES.has(canonical)
          ? 'id'
          : EMAIL_NAMES.has(canonical)
            ? 'email'
            : 'field';
    if (roles.size < MAX_REMEMBERED_NAMES) roles.set(name, role);
  }
  return role;
}

/** Marketo lead ids are positive 32-bit integers; a template may send one as text. */
export const leadIdSchema = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^\d{1,10}$/)
      .transform(Number),
  ])
  .pipe(
    z
      .number()
      .int()
      .positive()
      .max(2 ** 31 - 1),
  );

/**
 * The lead's identity. Its fields are checked while they are read (parseLeadPayload): names
 * 1-255 characters, values bounded JSON (isBoundedJson). A zod record over them did the same
 * name check at about a tenth of the webhook's own CPU time per call (bench/webhooks.ts).
 */
export const leadIdentitySchema = z.object({
  id: leadIdSchema.optional(),
  email: z.string().min(1).max(254).optional(),
});
export type LeadPayload = z.infer<typeof leadIdentitySchema> & {
  fields: Record<string, unknown>;
};

export function parseLeadPayload(body: WebhookBody): LeadPayload {
  let id: unknown;
  const fields: Record<string, unknown> = {};
  const lead = unwrapLead(body);
  // Object.keys, not Object.entries: no array per field, a third of the time (bench/webhooks.ts).
  for (const name of Object.keys(lead)) {
    const raw = lead[name];
    const role = roleOf(name);
    if (role === 'dropped') continue;
    if (role === 'id') {
      if (id === undefined || id === null || id === '') id = raw;
      continue;
    }
    if (name.length > MAX_NAME_CHARS) {
      throw new ValidationError(
        `Field names have at most ${MAX_NAME_CHARS} characters: ${name.slice(0, 40)}...`,
        name,
      );
    }
    if (!isBoundedJson(raw, 0)) {
      throw new ValidationError(
        `${name} must be a JSON value with finite numbers, nested at most ${MAX_DEPTH} deep`,
        name,
      );
    }
    if (role === 'email') {
      fields['email'] = normalizeEmail(raw);
      continue;
    }
    fields[name] = normalizeFieldValue(name, raw);
  }
  // An empty id token (the lead has none, or the template names a field Marketo left empty)
  // counts as no id.
  if (id === null || (typeof id === 'string' && id.trim() === '')) id = undefined;
  const email = fields['email'];
  const parsed = leadIdentitySchema.safeParse({
    id,
    email: typeof email === 'string' ? email : undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? 'body');
    throw new ValidationError(
      field === 'id'
        ? 'id must be a Marketo lead id: a positive whole number, e.g. from {{lead.Id}}'
        : `${field} is not valid: ${issue?.message ?? 'invalid'}`,
      field,
    );
  }
  return { id: parsed.data.id, email: parsed.data.email, fields };
}

/** Checked only when it routes a lead: stored fields keep what Marketo sent. */
const routingEmailSchema = z.email().max(254);
const NOT_AN_ADDRESS =
  'email must be an email address to route a lead without an id; better, add "id": {{lead.Id}}';

/**
 * The key a lead is routed and remembered by: its Marketo id, or else its lowercased email.
 * An email that is not an address is refused (400 naming `email`) before the rotation is
 * touched: routed, every typo would take a turn from the agents and hold it for the window.
 */
export function parseRoutingKey(lead: LeadPayload): string {
  if (lead.id !== undefined) return `lead:${lead.id}`;
  if (lead.email === undefined) {
    // An email that is there but not text (a number, true) is a bad email, not a missing lead.
    const given = lead.fields['email'];
    if (given !== undefined && given !== null) {
      throw new ValidationError(NOT_AN_ADDRESS, 'email');
    }
    throw new ValidationError(
      'The payload names no lead: add "id": {{lead.Id}} (or "email": {{lead.Email Address}})',
      'id',
    );
  }
  if (!routingEmailSchema.safeParse(lead.email).success) {
    throw new ValidationError(NOT_AN_ADDRESS, 'email');
  }
  return `email:${lead.email.toLowerCase()}`;
}

function unwrapLead(body: WebhookBody): WebhookBody {
  const inner = body['lead'];
  if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return body;
  const { lead: _lead, ...rest } = body;
  return { ...rest, ...(inner as WebhookBody) };
}

/**
 * Trimmed; "" is null; spaces inside become `+`: with Request Token Encoding "None" a `+` in
 * an email reaches a form body raw and decodes as a space (Tray.ai, "Notes on using
 * Marketo"), and an address holds no spaces.
 */
function normalizeEmail(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const email = value.trim();
  if (email === '') return null;
  return email.includes('@') ? email.replace(/\s/g, '+') : email;
}

/** JSON.parse gives Infinity for 1e400 and has no depth limit; the store accepts neither. */
function isBoundedJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || depth >= MAX_DEPTH) return false;
  return Object.values(value).every((item) => isBoundedJson(item, depth + 1));
}
