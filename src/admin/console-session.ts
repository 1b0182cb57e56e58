import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * The console's session: a stateless cookie `<payload>.<mac>`, the payload base64url JSON
 * `{ sid, exp }` and the mac HMAC-SHA256 over it. No session table: every replica that shares
 * the admin token (the key is derived from it, deriveConsoleKey) accepts it, and changing the
 * admin token signs every console out. `sid` is random per sign-in and binds the CSRF token.
 */
export interface ConsoleSession {
  /** Random per sign-in; the CSRF token is bound to it. */
  sid: string;
  /** Epoch ms after which the cookie is refused; each request moves it on (renew). */
  exp: number;
}

const payloadSchema = z.object({
  sid: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  exp: z.number().int().positive(),
});

/** Why a cookie was refused: `expired` is said to the person, the rest is just "sign in". */
export type SessionCheck =
  { ok: true; session: ConsoleSession } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

/** A key for one purpose (`session`, `csrf`), derived from the admin token. */
export function deriveConsoleKey(adminToken: string, purpose: 'session' | 'csrf'): Buffer {
  return createHmac('sha256', adminToken).update(`marketo-chat console ${purpose} v1`).digest();
}

export function newSessionId(): string {
  return randomBytes(18).toString('base64url');
}

export interface SessionCodec {
  sign(session: ConsoleSession): string;
  check(cookie: string | undefined, now: number): SessionCheck;
}

export function createSessionCodec(key: Buffer): SessionCodec {
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    sign(session) {
      const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    check(cookie, now) {
      if (cookie === undefined || cookie === '') return { ok: false, reason: 'missing' };
      const [payload, signature, extra] = cookie.split('.');
      if (payload === undefined || signature === undefined || extra !== undefined)
        return { ok: false, reason: 'invalid' };
      const expected = mac(payload);
      const given = Buffer.from(signature, 'base64url');
      // Constant time: the lengths are public (a SHA-256 is 32 bytes), the content is not.
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return { ok: false, reason: 'invalid' };
      const parsed = payloadSchema.safeParse(parseJson(payload));
      if (!parsed.success) return { ok: false, reason: 'invalid' };
      if (parsed.data.exp <= now) return { ok: false, reason: 'expired' };
      return { ok: true, session: parsed.data };
    },
  };
}

function parseJson(base64url: string): unknown {
  try {
    return JSON.parse(Buffer.from(base64url, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
