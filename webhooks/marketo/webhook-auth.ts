import type { RequestHandler } from 'express';
import { secretMatches } from '../../src/admin/constant-time.js';
import { UnauthorizedError } from '../../src/errors.js';

export const SECRET_HEADER = 'x-webhook-secret';

export interface WebhookAuthOptions {
  /** Current and previous secret (rotation); empty strings are ignored. None: every call fails. */
  secrets: readonly string[];
  /** Also accept `?secret=` in the URL: weaker, since proxies and Marketo's own logs keep URLs. */
  allowQuerySecret: boolean;
}

/**
 * Marketo signs nothing (no HMAC header is documented for Call Webhook), so a shared secret is
 * all there is: sent with "Set Custom Header" (DEV:help/webhooks/webhooks.md, Custom Headers),
 * compared in constant time against every active secret so a rotation has no gap. This runs
 * before the body is read: an unauthenticated caller costs no parsing and no memory.
 *
 * The 401 says nothing about the secret, and nothing here logs the URL, which may hold it.
 */
export function requireWebhookSecret(options: WebhookAuthOptions): RequestHandler {
  const secrets = options.secrets.filter((s) => s !== '');
  return (req, _res, next) => {
    const header = req.get(SECRET_HEADER);
    let presented = header;
    if (presented === undefined && options.allowQuerySecret) {
      const fromQuery: unknown = req.query['secret'];
      // `?secret=a&secret=b` parses to an array: not a secret.
      presented = typeof fromQuery === 'string' ? fromQuery : undefined;
    }
    if (!secretMatches(presented, secrets)) {
      next(new UnauthorizedError('A valid webhook secret is required'));
      return;
    }
    next();
  };
}
