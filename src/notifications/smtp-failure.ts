import { OutboxHandlerError } from '../outbox/outbox-handler.js';

/** What nodemailer's errors carry (nodemailer errors.ts): a code, and the server's reply. */
interface NodemailerFailure {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
}

/** Failures of the connection itself: the server may well take the message a little later. */
const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROTOCOL',
  'EMAXLIMIT',
  'EPROXY',
  // Credentials refused or missing: an operator fixes SMTP_URL while the retries run, and the
  // messages go out then, rather than all reaching the dead letters at once.
  'EAUTH',
  'ENOAUTH',
  'EOAUTH2',
]);

/**
 * Pure: a failed send as the outbox sees it. SMTP says which failures are final: a 5yz reply is
 * a "permanent negative completion" (a mailbox that does not exist, a message refused) and a
 * 4yz reply a "transient negative completion" (RFC 5321 §4.2.1): 5yz goes to the dead letters at
 * once, 4yz and connection failures are retried with the outbox's backoff. Authentication is
 * the exception (535 is 5yz): see TRANSIENT_CODES. Anything unclassified is retried. The
 * message names the code and the server's reply, never the connection URL (its credentials).
 */
export function smtpFailure(error: unknown): OutboxHandlerError {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as NodemailerFailure;
  const code = typeof failure.code === 'string' ? failure.code : undefined;
  const status = typeof failure.responseCode === 'number' ? failure.responseCode : undefined;
  const reply =
    typeof failure.response === 'string' ? failure.response.replace(/\s+/g, ' ').slice(0, 200) : '';
  const what = [code, status, reply].filter((part) => part !== undefined && part !== '').join(' ');
  const retryable =
    (code !== undefined && TRANSIENT_CODES.has(code)) || status === undefined || status < 500;
  return new OutboxHandlerError(
    retryable ? 'SMTP_UNAVAILABLE' : 'SMTP_REFUSED',
    `the mail server ${retryable ? 'failed' : 'refused the message'}: ${what || 'no reply'}`,
    { retryable },
  );
}
