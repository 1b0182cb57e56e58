import bcrypt from 'bcryptjs';
import cookieParser from 'cookie-parser';
import express, { Router } from 'express';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import type { Clock } from '../deps.js';
import { AppError } from '../errors.js';
import { parseInput } from '../http/parse-input.js';
import type { Logger } from '../logger.js';
import { csrfRefused, type ConsoleAuth } from './console-auth.js';
import { secretMatches } from './constant-time.js';
import { newSessionId } from './console-session.js';
import { createConsoleAssetRoutes } from './console-assets.js';

export interface ConsoleRoutesDeps {
  auth: ConsoleAuth;
  adminTokens: readonly string[];
  /** ADMIN_PASSWORD_HASH: a bcrypt hash; undefined: sign-in with the admin token only. */
  passwordHash: string | undefined;
  sessionMs: number;
  clock: Clock;
  logger: Logger;
  /** dist/console by default (scripts/build-console.mjs). */
  assetsDir?: string;
}

export const signInSchema = z
  .object({
    token: z.string().min(1).max(500).optional(),
    password: z.string().min(1).max(200).optional(),
  })
  .strict()
  .refine((body) => (body.token === undefined) !== (body.password === undefined), {
    error: 'give either the admin token or the password',
    path: ['password'],
  });

/** Sign-in attempts per client address and minute; bcrypt's cost already slows each one. */
const SIGN_INS_PER_MINUTE = 10;

/**
 * /console: the browser console's page and assets (console-assets.ts) and its session:
 * - POST   /console/session `{ token }` or `{ password }`: signs in (cookie), 401 naming the field;
 * - GET    /console/session: `{ signedIn, expiresAt, csrfToken, passwordSignIn }`, or
 *   `{ signedIn: false, expired, passwordSignIn }`;
 * - DELETE /console/session: signs out (with the CSRF token while the session is valid).
 */
export function createConsoleRoutes(deps: ConsoleRoutesDeps): Router {
  const { auth } = deps;
  const router = Router();
  const limiter = new RateLimiterMemory({ points: SIGN_INS_PER_MINUTE, duration: 60 });
  router.use('/session', cookieParser(), express.json({ limit: '4kb' }));

  router.post('/session', async (req, res) => {
    await limiter.consume(req.ip ?? 'unknown').catch((refusal: unknown) => {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      res.setHeader('Retry-After', String(Math.ceil(refusal.msBeforeNext / 1000)));
      throw new AppError('TOO_MANY_SIGN_INS', 'Too many sign-in attempts: wait a minute.', {
        httpStatus: 429,
      });
    });
    const body = parseInput(signInSchema, req.body ?? {}, 'sign-in');
    await checkCredentials(deps, body);
    auth.startSession(req, res, {
      sid: newSessionId(),
      exp: deps.clock.now() + deps.sessionMs,
    });
    deps.logger.info({ by: body.token === undefined ? 'password' : 'token' }, 'console sign-in');
    res.json(sessionAnswer(deps, auth.csrfToken(req, res), deps.clock.now() + deps.sessionMs));
  });

  router.get('/session', (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const check = auth.sessionOf(req);
    // Signed out is an answer, not an error: the page asks this first on every load.
    if (!check.ok) {
      res.json({
        signedIn: false,
        expired: check.reason === 'expired',
        passwordSignIn: deps.passwordHash !== undefined,
      });
      return;
    }
    // Asking for the state is not activity: the expiry stays where the last change put it.
    res.json(sessionAnswer(deps, auth.csrfToken(req, res), check.session.exp));
  });

  router.delete('/session', (req, res) => {
    if (auth.sessionOf(req).ok && !auth.csrfValid(req)) throw csrfRefused();
    auth.clearCookies(res);
    res.status(204).end();
  });

  router.use(createConsoleAssetRoutes({ dir: deps.assetsDir }));
  return router;
}

function sessionAnswer(deps: ConsoleRoutesDeps, csrfToken: string, exp: number) {
  return {
    signedIn: true as const,
    expiresAt: new Date(exp).toISOString(),
    sessionMinutes: Math.round(deps.sessionMs / 60_000),
    csrfToken,
    passwordSignIn: deps.passwordHash !== undefined,
  };
}

async function checkCredentials(
  deps: ConsoleRoutesDeps,
  body: { token?: string | undefined; password?: string | undefined },
): Promise<void> {
  if (body.token !== undefined) {
    if (secretMatches(body.token, deps.adminTokens)) return;
    throw new AppError('SIGN_IN_FAILED', 'That is not the admin token.', {
      httpStatus: 401,
      field: 'token',
    });
  }
  if (deps.passwordHash === undefined) {
    throw new AppError(
      'SIGN_IN_FAILED',
      'No console password is configured (ADMIN_PASSWORD_HASH): sign in with the admin token.',
      { httpStatus: 401, field: 'password' },
    );
  }
  // bcrypt compares in constant time over the hash it computes.
  if (await bcrypt.compare(body.password ?? '', deps.passwordHash)) return;
  throw new AppError('SIGN_IN_FAILED', 'Wrong password.', { httpStatus: 401, field: 'password' });
}
