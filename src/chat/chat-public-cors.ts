import type { RequestHandler, Response } from 'express';
import { AppError } from '../errors.js';
import { isAllowedSite } from './domain-lists.js';

/**
 * Which web pages may use the widget endpoints from a browser (research F1): the sites in the
 * configuration's allowed domains ("so third parties can't reuse your snippet", Dynamic Chat's
 * security settings, marketo-facts.md §7.3), read by domain-lists.ts as everywhere else
 * (`example.com` on any port, `example.com:3000` that port only, `*.example.com` the
 * subdomains but not `example.com` itself), and the service's own origin (the demo page).
 * `Origin: null` (sandboxed frames, file: pages) and anything that is not a bare
 * `scheme://host[:port]` are never allowed.
 */
export function createOriginPolicy(
  allowedDomains: readonly string[],
  ownOrigin: string | undefined,
): (origin: string) => boolean {
  const decided = new Map<string, boolean>();
  return (origin) => {
    let allowed = decided.get(origin);
    if (allowed === undefined) {
      allowed =
        origin === ownOrigin || (isBareOrigin(origin) && isAllowedSite(allowedDomains, origin));
      // Bounded: Origin is chosen by the caller, so the memo must not grow without limit.
      if (decided.size >= 1000) decided.clear();
      decided.set(origin, allowed);
    }
    return allowed;
  };
}

function isBareOrigin(origin: string): boolean {
  if (origin.length > 300) return false;
  try {
    return new URL(origin).origin === origin.toLowerCase();
  } catch {
    return false;
  }
}

/** The service's own origin from PUBLIC_BASE_URL, e.g. `https://chat.example.com`. */
export function originOf(baseUrl: string): string | undefined {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return undefined;
  }
}

const EXPOSED = 'ETag, RateLimit, RateLimit-Policy, Retry-After';

/**
 * CORS for the widget routes, by hand: an allowed Origin is echoed (never `*`, no credentials),
 * every answer says `Vary: Origin`, and a preflight from an allowed origin is answered 204.
 * A disallowed origin gets no CORS headers, so its browser cannot read a GET; its POSTs (and
 * preflights) are refused with 403 before anything is read or recorded, since a simple POST
 * (text/plain, sendBeacon) reaches us without a preflight. Requests without Origin (same-origin
 * navigation, servers) pass: CORS is not access control (research F1), the rate limit is.
 */
export function chatCors(
  isAllowed: (res: Response) => (origin: string) => boolean,
): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Vary', 'Origin');
    const origin = req.headers.origin;
    if (origin === undefined) {
      next();
      return;
    }
    const allowed = isAllowed(res)(origin);
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', EXPOSED);
    }
    const method = req.method;
    if (method === 'GET' || method === 'HEAD') {
      next();
      return;
    }
    if (!allowed) {
      next(
        new AppError('ORIGIN_NOT_ALLOWED', 'This site may not use the chat', {
          httpStatus: 403,
          field: 'Origin',
        }),
      );
      return;
    }
    if (method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      // If-None-Match: a widget that revalidates the configuration itself.
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type, If-None-Match, Idempotency-Key');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
