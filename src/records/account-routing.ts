import { z } from 'zod';

/**
 * Account routing (issue 11 item 8; Dynamic Chat's highest-priority routing rule): a list of
 * email domains and company names, each mapped to the agent who owns that account. An entry is
 * kept normalised (trimmed, lower case, inner spaces collapsed to one), so matching is
 * case-insensitive and the list holds each match once.
 *
 * An entry without spaces that holds a dot is a domain (`acme.com`): it routes visitors whose
 * email is at that domain or below it (`eu.acme.com`), and also a lead whose company is written
 * the same (`Booking.com`). Any other entry is a company name (`Acme Corporation`), matched
 * against the company field of the visitor's lead.
 */

/** Labels of letters, digits and inner hyphens, a top-level label of 2+ letters. */
const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const MAX_ACCOUNT_MATCH_LENGTH = 200;
export const MAX_ACCOUNT_ROUTES = 10_000;

/** Trimmed, lower case, runs of white space as one space: the form entries are kept and compared in. */
export function normalizeAccountMatch(raw: string): string {
  return raw.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Whether a (normalised) entry is written as a domain: no spaces, a dot. */
export function looksLikeDomain(match: string): boolean {
  return !match.includes(' ') && match.includes('.');
}

/**
 * Why a normalised entry is not a usable match, or undefined when it is: empty, too long, an
 * email address, or written as a domain but not a valid one (`acme..com`, `-acme.com`, `acme.c`).
 */
export function accountMatchProblem(match: string): string | undefined {
  if (match === '') return 'must not be empty';
  if (match.length > MAX_ACCOUNT_MATCH_LENGTH) {
    return `must be at most ${MAX_ACCOUNT_MATCH_LENGTH} characters`;
  }
  if (match.includes('@')) return 'must be a domain (acme.com) or a company name, not an email';
  if (looksLikeDomain(match) && !DOMAIN.test(match)) {
    return 'is not a valid domain (e.g. acme.com); a company name with a dot needs a space';
  }
  return undefined;
}

export const accountRouteSchema = z
  .object({
    /** Normalised (normalizeAccountMatch): a domain or a company name. */
    match: z.string(),
    agentId: z.string().min(1),
  })
  .strict()
  .superRefine((route, ctx) => {
    if (normalizeAccountMatch(route.match) !== route.match) {
      ctx.addIssue({ code: 'custom', path: ['match'], message: 'must be normalised' });
      return;
    }
    const problem = accountMatchProblem(route.match);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['match'], message: problem });
  });
export type AccountRoute = z.infer<typeof accountRouteSchema>;

/** The whole list, as stored: each match once. */
export const accountRoutesSchema = z
  .array(accountRouteSchema)
  .max(MAX_ACCOUNT_ROUTES)
  .superRefine((routes, ctx) => {
    const seen = new Set<string>();
    routes.forEach((route, i) => {
      if (seen.has(route.match)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'match'],
          message: `${route.match} is listed twice`,
        });
      }
      seen.add(route.match);
    });
  });

/** The entry that routes a visitor, and how it matched. */
export interface AccountMatch {
  route: AccountRoute;
  by: 'domain' | 'company';
}

/**
 * The account for a visitor: by their email's domain (or the `domain` given alone) first (the most specific entry: `eu.acme.com`
 * before `acme.com`), else by their lead's company. Undefined when no entry matches.
 */
export function findAccount(
  routes: readonly AccountRoute[],
  visitor: { email?: string | undefined; domain?: string | undefined; company?: unknown },
): AccountMatch | undefined {
  if (routes.length === 0) return undefined;
  const byMatch = new Map(routes.map((route) => [route.match, route]));
  const domain = visitor.domain ?? visitor.email?.slice(visitor.email.lastIndexOf('@') + 1);
  if (domain !== undefined && domain !== '') {
    const labels = domain.toLowerCase().split('.');
    for (let i = 0; i < labels.length - 1; i += 1) {
      const route = byMatch.get(labels.slice(i).join('.'));
      if (route !== undefined && looksLikeDomain(route.match)) return { route, by: 'domain' };
    }
  }
  if (typeof visitor.company === 'string') {
    const route = byMatch.get(normalizeAccountMatch(visitor.company));
    if (route !== undefined) return { route, by: 'company' };
  }
  return undefined;
}
