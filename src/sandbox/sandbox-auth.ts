import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Clock } from '../deps.js';
import { marketoErrors, type MarketoApiError } from './envelope.js';
import type { SandboxLimits } from './sandbox-types.js';

/**
 * Marketo Identity (2-legged OAuth client credentials; DEV:help/rest-api/authentication.md):
 * `GET|POST /identity/oauth/token` returns `{ access_token, token_type, expires_in, scope }`;
 * asking again before expiry returns the SAME token with its remaining life; bad client
 * credentials get HTTP 401. Identity calls are not counted against limits (swagger-identity).
 * REST and bulk calls must carry the token in `Authorization: Bearer` only.
 */

export const SANDBOX_SCOPE = 'apis@sandbox';

export interface TokenIssuer {
  /** The API user's current token (new when none is live), or undefined for bad credentials. */
  issue(
    clientId: string,
    clientSecret: string,
  ): { token: string; expiresIn: number; fresh: boolean } | undefined;
  /** 601 for unknown tokens, 602 for expired ones, undefined when valid. */
  check(token: string | undefined): MarketoApiError | undefined;
  /** The client id of the API user a token was issued to (undefined: not ours). */
  clientOf(token: string | undefined): string | undefined;
}

export interface ApiUser {
  clientId: string;
  clientSecret: string;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison, so response time does not leak how much of a secret matched. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Each API user (a client id and secret; Marketo: an API-only user's LaunchPoint service) has a
 * token of its own; asking again before it expires returns the same one. The limits are the
 * instance's, shared by every user (rest-api.md "Limits").
 */
export function createTokenIssuer(
  users: readonly ApiUser[],
  limits: SandboxLimits,
  clock: Clock,
): TokenIssuer {
  const issued = new Map<string, { clientId: string; expiresAt: number }>();
  const current = new Map<string, { token: string; expiresAt: number }>();
  return {
    issue(clientId, clientSecret) {
      // Every user is compared, whichever matches, so timing does not tell which one did.
      let user: ApiUser | undefined;
      for (const candidate of users) {
        const idOk = sameSecret(clientId, candidate.clientId);
        const secretOk = sameSecret(clientSecret, candidate.clientSecret);
        if (idOk && secretOk) user ??= candidate;
      }
      if (!user) return undefined;
      const now = clock.now();
      let live = current.get(user.clientId);
      let fresh = false;
      if (!live || live.expiresAt - now < 1000) {
        live = { token: `${randomUUID()}:sb`, expiresAt: now + limits.tokenTtlSeconds * 1000 };
        current.set(user.clientId, live);
        issued.set(live.token, { clientId: user.clientId, expiresAt: live.expiresAt });
        fresh = true;
      }
      return {
        token: live.token,
        expiresIn: Math.floor((live.expiresAt - now) / 1000),
        fresh,
      };
    },
    check(token) {
      const expiresAt = token === undefined ? undefined : issued.get(token)?.expiresAt;
      if (expiresAt === undefined) return marketoErrors.tokenInvalid();
      if (clock.now() >= expiresAt) return marketoErrors.tokenExpired();
      return undefined;
    },
    clientOf: (token) => (token === undefined ? undefined : issued.get(token)?.clientId),
  };
}

/** The bearer token of a request, if it sent one. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** True when the deprecated `access_token` parameter is in the query string or form body. */
export function carriesQueryToken(req: Request): boolean {
  const body: unknown = req.body;
  const inBody = typeof body === 'object' && body !== null && 'access_token' in body;
  return req.query.access_token !== undefined || inBody;
}

const first = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : Array.isArray(value) && typeof value[0] === 'string'
      ? value[0]
      : '';

/** `GET|POST /identity/oauth/token`; POST may carry the parameters form-encoded. */
export function createIdentityHandler(
  issuer: TokenIssuer,
  onCall: (fresh: boolean) => void,
): (req: Request, res: Response) => void {
  return (req, res) => {
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
      string,
      unknown
    >;
    const param = (name: string) => first(req.query[name]) || first(body[name]);
    if (param('grant_type') !== 'client_credentials') {
      onCall(false);
      res
        .status(400)
        .json({ error: 'unsupported_grant_type', error_description: 'Unsupported grant type' });
      return;
    }
    const issued = issuer.issue(param('client_id'), param('client_secret'));
    onCall(issued?.fresh ?? false);
    if (!issued) {
      res
        .status(401)
        .json({ error: 'invalid_client', error_description: 'Bad client credentials' });
      return;
    }
    res.json({
      access_token: issued.token,
      token_type: 'bearer',
      expires_in: issued.expiresIn,
      scope: SANDBOX_SCOPE,
    });
  };
}
