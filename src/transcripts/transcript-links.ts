import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring, read-only links to a conversation's transcript page, for the chat activity
 * in the lead's Marketo activity log (a marketer clicks it there, without an admin token).
 *
 * The signature is an HMAC-SHA256 of `<conversationId>.<expires>` under a key derived (HKDF)
 * from the service's link secret (TOKEN_ENCRYPTION_KEY, as the meeting manage links, with its
 * own label so neither kind of link can stand for the other). Links made under the previous
 * key (TOKEN_ENCRYPTION_KEY_PREVIOUS) keep working through a rotation. Checked in constant
 * time against every key, `now` passed in (style rule 9).
 */
export interface TranscriptLinks {
  /** The page's URL for the conversation, valid until `now + ttl`. */
  url(conversationId: string, now: number): string;
  /** Whether the link's parts are one this service signed and it has not expired. */
  verify(conversationId: string, expires: string, signature: string, now: number): boolean;
}

export const TRANSCRIPT_PATH = '/transcripts';

export function createTranscriptLinks(options: {
  /** The current secret first, then previous ones. */
  secrets: ReadonlyArray<Buffer | string>;
  publicBaseUrl: string;
  ttlMs: number;
}): TranscriptLinks {
  if (options.secrets.length === 0) throw new Error('createTranscriptLinks needs a secret');
  const keys = options.secrets.map((secret) =>
    Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'marketo-chat transcript links', 32)),
  );
  const base = `${options.publicBaseUrl.replace(/\/+$/, '')}${TRANSCRIPT_PATH}`;
  const sign = (key: Buffer, conversationId: string, expires: string) =>
    createHmac('sha256', key).update(`${conversationId}.${expires}`).digest();
  return {
    url(conversationId, now) {
      const expires = String(Math.ceil((now + options.ttlMs) / 1000));
      const signature = sign(keys[0]!, conversationId, expires).toString('base64url');
      return `${base}/${encodeURIComponent(conversationId)}?expires=${expires}&signature=${signature}`;
    },
    verify(conversationId, expires, signature, now) {
      if (!/^\d{1,12}$/.test(expires) || Number(expires) * 1000 <= now) return false;
      const presented = Buffer.from(signature, 'base64url');
      let ok = false;
      for (const key of keys) {
        const expected = sign(key, conversationId, expires);
        // timingSafeEqual needs equal lengths; the length of an HMAC is no secret.
        ok = (presented.length === expected.length && timingSafeEqual(presented, expected)) || ok;
      }
      return ok;
    },
  };
}
