import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import type { Clock } from '../deps.js';
import { AppError, UnauthorizedError } from '../errors.js';
import { secretMatches } from './constant-time.js';
import {
  createSessionCodec,
  deriveConsoleKey,
  type ConsoleSession,
  type SessionCodec,
} from './console-session.js';

export interface ConsoleAuthDeps {
  adminTokens: readonly string[];
  /** The admin token the session and CSRF keys derive from (the same on every replica). */
  keyToken: string;
  sessionMs: number;
  /** PUBLIC_BASE_URL is https: cookies are Secure and take the `__Host-` prefix. */
  secureCookies: boolean;
  clock: Clock;
}

/** The answer header that tells the console when its session ends (the cookie is HttpOnly). */
export const SESSION_EXPIRES_HEADER = 'X-Console-Session-Expires';

const SESSION_OF = Symbol('console session');
type WithSession = Request & { [SESSION_OF]?: ConsoleSession };

export interface ConsoleAuth {
  /** /api: a bearer token, or a console session cookie with `x-csrf-token` on every change. */
  adminAccess: RequestHandler[];
  /** Sets the session cookie (sign-in and every renewal) and the expiry header. */
  startSession(req: Request, res: Response, session: ConsoleSession): void;
  /** The session this request's cookie carries, or why there is none. */
  sessionOf(req: Request): ReturnType<SessionCodec['check']>;
  /** A CSRF token bound to the request's session (its cookie set or reused). */
  csrfToken(req: Request, res: Response): string;
  /** Whether a change carries the CSRF token of its session. */
  csrfValid(req: Request): boolean;
  clearCookies(res: Response): void;
  cookieNames: { session: string; csrf: string };
}

/**
 * The console's half of admin authentication, beside the bearer token of requireAdmin: one
 * stateless signed session cookie (console-session.ts), HttpOnly and SameSite=Strict, renewed on
 * every request, and csrf-csrf's double-submit token for every change made with it. A request
 * with an Authorization header is judged by the header alone and needs no CSRF token.
 */
export function createConsoleAuth(deps: ConsoleAuthDeps): ConsoleAuth {
  const codec = createSessionCodec(deriveConsoleKey(deps.keyToken, 'session'));
  const prefix = deps.secureCookies ? '__Host-' : '';
  const cookieNames = { session: `${prefix}mc-console`, csrf: `${prefix}mc-csrf` };
  const cookieOptions: CookieOptions = {
    httpOnly: true,
    sameSite: 'strict',
    secure: deps.secureCookies,
    path: '/',
  };
  const csrf = doubleCsrf({
    getSecret: () => deriveConsoleKey(deps.keyToken, 'csrf').toString('hex'),
    getSessionIdentifier: (req) => {
      const check = sessionOf(req);
      return check.ok ? check.session.sid : '';
    },
    cookieName: cookieNames.csrf,
    cookieOptions,
    getCsrfTokenFromRequest: (req) => req.get('x-csrf-token'),
  });

  function sessionOf(req: Request) {
    const attached = (req as WithSession)[SESSION_OF];
    if (attached !== undefined) return { ok: true as const, session: attached };
    const cookies = (req as { cookies?: Record<string, string> }).cookies ?? {};
    return codec.check(cookies[cookieNames.session], deps.clock.now());
  }

  /**
   * The header must equal the cookie (compared in constant time here), and the cookie's HMAC
   * must bind it to this session (csrf-csrf).
   */
  function csrfValid(req: Request): boolean {
    const cookies = (req as { cookies?: Record<string, string> }).cookies ?? {};
    const cookie = cookies[cookieNames.csrf];
    return (
      cookie !== undefined &&
      secretMatches(req.get('x-csrf-token'), [cookie]) &&
      csrf.validateRequest(req)
    );
  }

  function startSession(req: Request, res: Response, session: ConsoleSession) {
    (req as WithSession)[SESSION_OF] = session;
    // A browser-session cookie: the expiry that counts is the signed `exp` inside it.
    res.cookie(cookieNames.session, codec.sign(session), cookieOptions);
    res.setHeader(SESSION_EXPIRES_HEADER, new Date(session.exp).toISOString());
  }

  const access: RequestHandler = (req, res, next) => {
    if (req.get('authorization') !== undefined) {
      const match = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
      if (!match || !secretMatches(match[1]?.trim(), deps.adminTokens)) {
        next(new UnauthorizedError('A valid admin bearer token is required'));
        return;
      }
      next();
      return;
    }
    const check = sessionOf(req);
    if (!check.ok) {
      next(
        check.reason === 'expired'
          ? new AppError('SESSION_EXPIRED', 'The console session expired: sign in again.', {
              httpStatus: 401,
            })
          : new UnauthorizedError('A valid admin bearer token (or a console session) is required'),
      );
      return;
    }
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && !csrfValid(req)) {
      next(csrfRefused());
      return;
    }
    startSession(req, res, { sid: check.session.sid, exp: deps.clock.now() + deps.sessionMs });
    next();
  };

  return {
    adminAccess: [cookieParser(), access],
    startSession,
    sessionOf,
    csrfToken: (req, res) => csrf.generateCsrfToken(req, res),
    csrfValid,
    clearCookies(res) {
      res.clearCookie(cookieNames.session, cookieOptions);
      res.clearCookie(cookieNames.csrf, cookieOptions);
    },
    cookieNames,
  };
}

export function csrfRefused(): AppError {
  return new AppError(
    'CSRF_INVALID',
    'A change made with a console session needs its x-csrf-token header (GET /console/session ' +
      'gives it); reload the console and try again.',
    { httpStatus: 403, field: 'x-csrf-token' },
  );
}
