import type { VisitorLead } from './audience.js';

/**
 * Lead tokens in card texts, as Dynamic Chat writes them: `{{lead.firstName}}`, and with a
 * default for visitors without the value, `{{lead.leadFirstName:"there"}}` (marketo-facts.md
 * §7.2). The default may be in double, single or typographic quotes (pasted from a document).
 */
const TOKEN =
  /\{\{\s*lead\.([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*(?:"([^"]*)"|'([^']*)'|\u201c([^\u201d]*)\u201d))?\s*\}\}/g;

/** Anything that starts like a lead token, to find the ones TOKEN cannot read. */
const TOKEN_LIKE = /\{\{\s*lead\.[^}]*\}?\}?/g;

/** Longest value a token puts in a message: a field holding a whole document is not a greeting. */
export const MAX_TOKEN_VALUE_CHARS = 200;

/**
 * Replaces every lead token with the visitor's value, or the token's default (or '') when the
 * visitor is anonymous or the field is empty, unknown or not text-like. Other `{{...}}` tokens
 * are left as they are.
 *
 * The result is plain text, not HTML: nothing is escaped here because the widget inserts
 * messages as text (textContent), never as markup. Anything that does build HTML from it must
 * escape at that point.
 */
export function renderLeadTokens(text: string, lead: VisitorLead): string {
  return text.replace(
    TOKEN,
    (_token, field: string, double?: string, single?: string, curly?: string) =>
      leadValue(lead, field) ?? double ?? single ?? curly ?? '',
  );
}

/** The lead fields a text's tokens use, e.g. to check them against the synced fields. */
export function leadTokenFields(text: string): string[] {
  return [...new Set([...text.matchAll(TOKEN)].map((match) => match[1]!))];
}

/**
 * Lead tokens that cannot be read (`{{lead.firstName:"there}}`, `{{lead.}}`): the visitor
 * would see them raw, so publishing refuses them.
 */
export function findMalformedLeadTokens(text: string): string[] {
  return [...text.replace(TOKEN, ' ').matchAll(TOKEN_LIKE)].map((match) => match[0]);
}

/**
 * The field's value as text. Names are looked up as written, then case-insensitively, then
 * without Dynamic Chat's `lead` prefix (`leadFirstName` → `firstName`), so tokens copied from
 * Dynamic Chat work with the synced Marketo field names.
 */
function leadValue(lead: VisitorLead, field: string): string | undefined {
  if (lead === undefined) return undefined;
  const candidates = [field];
  if (/^lead[A-Z]/.test(field)) candidates.push(field[4]!.toLowerCase() + field.slice(5));
  for (const name of candidates) {
    const text = asText(lookup(lead, name));
    if (text !== undefined) return text;
  }
  return undefined;
}

function lookup(lead: Readonly<Record<string, unknown>>, field: string): unknown {
  if (Object.hasOwn(lead, field)) return lead[field];
  const lower = field.toLowerCase();
  const name = Object.keys(lead).find((key) => key.toLowerCase() === lower);
  return name === undefined ? undefined : lead[name];
}

function asText(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else if (typeof value === 'boolean') text = String(value);
  else return undefined;
  // Control characters would render as boxes or break lines the author did not write.
  // eslint-disable-next-line no-control-regex -- matching them is the point
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (clean === '') return undefined;
  return clean.length > MAX_TOKEN_VALUE_CHARS ? clean.slice(0, MAX_TOKEN_VALUE_CHARS) : clean;
}
