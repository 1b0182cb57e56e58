import type { Ids } from '../deps.js';

/**
 * A caller's (or proxy's) X-Request-Id is kept when it is a short plain token, so one id
 * follows a request through the proxy and this service; anything else (long, spaces, quotes,
 * line breaks, several values) could forge or break log lines and is replaced by a new id.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export function requestIdFor(incoming: string | string[] | undefined, ids: Ids): string {
  return typeof incoming === 'string' && SANE_REQUEST_ID.test(incoming) ? incoming : ids.next();
}
