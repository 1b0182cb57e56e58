import { createHash, createHmac, hkdfSync } from 'node:crypto';

/**
 * The visitor's links to their own meeting (view, cancel, reschedule, invitation). The token is
 * an HMAC of the meeting id under a key derived from the service's secret: 256 bits no one can
 * guess or derive from the meeting id, and the same token again when an idempotent retry of the
 * booking returns the meeting. The store keeps only its SHA-256, so a copy of the data file
 * gives no working link.
 */
export interface ManageLinks {
  /**
   * The meeting's token. With the stored hash, the token under whichever configured secret made
   * it (links from before a key rotation keep working while the previous key is configured);
   * without, the current secret's (a new meeting).
   */
  token(meetingId: string, storedHash?: string): string;
  hash(token: string): string;
  urls(token: string): {
    manageUrl: string;
    cancelUrl: string;
    rescheduleUrl: string;
    icsUrl: string;
  };
}

export function createManageLinks(options: {
  /** The current secret first, then previous ones (TOKEN_ENCRYPTION_KEY, then _PREVIOUS). */
  secrets: ReadonlyArray<Buffer | string>;
  publicBaseUrl: string;
}): ManageLinks {
  const keys = options.secrets.map((secret) =>
    Buffer.from(
      hkdfSync('sha256', secret, Buffer.alloc(0), 'marketo-chat meeting manage links', 32),
    ),
  );
  if (keys.length === 0) throw new Error('createManageLinks needs at least one secret');
  const base = `${options.publicBaseUrl.replace(/\/+$/, '')}/chat/meetings/manage`;
  const tokenWith = (key: Buffer, meetingId: string) =>
    createHmac('sha256', key).update(meetingId).digest('base64url');
  const hash = (token: string) => createHash('sha256').update(token).digest('hex');
  return {
    token: (meetingId, storedHash) => {
      if (storedHash !== undefined) {
        for (const key of keys) {
          const token = tokenWith(key, meetingId);
          if (hash(token) === storedHash) return token;
        }
      }
      return tokenWith(keys[0]!, meetingId);
    },
    hash,
    urls: (token) => ({
      manageUrl: `${base}/${token}`,
      cancelUrl: `${base}/${token}/cancel`,
      rescheduleUrl: `${base}/${token}/reschedule`,
      icsUrl: `${base}/${token}/invite.ics`,
    }),
  };
}
