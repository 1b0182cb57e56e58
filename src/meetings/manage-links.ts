import { createHash, createHmac, hkdfSync } from 'node:crypto';

/**
 * The visitor's links to their own meeting (view, cancel, reschedule, invitation). The token is
 * an HMAC of the meeting id under a key derived from the service's secret: 256 bits no one can
 * guess or derive from the meeting id, and the same token again when an idempotent retry of the
 * booking returns the meeting. The store keeps only its SHA-256, so a copy of the data file
 * gives no working link.
 */
export interface ManageLinks {
  token(meetingId: string): string;
  hash(token: string): string;
  urls(token: string): {
    manageUrl: string;
    cancelUrl: string;
    rescheduleUrl: string;
    icsUrl: string;
  };
}

export function createManageLinks(options: {
  secret: Buffer | string;
  publicBaseUrl: string;
}): ManageLinks {
  const key = Buffer.from(
    hkdfSync('sha256', options.secret, Buffer.alloc(0), 'marketo-chat meeting manage links', 32),
  );
  const base = `${options.publicBaseUrl.replace(/\/+$/, '')}/chat/meetings/manage`;
  return {
    token: (meetingId) => createHmac('sha256', key).update(meetingId).digest('base64url'),
    hash: (token) => createHash('sha256').update(token).digest('hex'),
    urls: (token) => ({
      manageUrl: `${base}/${token}`,
      cancelUrl: `${base}/${token}/cancel`,
      rescheduleUrl: `${base}/${token}/reschedule`,
      icsUrl: `${base}/${token}/invite.ics`,
    }),
  };
}
