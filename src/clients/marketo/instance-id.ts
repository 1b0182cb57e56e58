import { normalizeBaseUrl } from './marketo-request.js';

/** Adobe's REST endpoint host: `<Munchkin ID>.mktorest.com` (help/rest-api/rest-api.md). */
const MUNCHKIN_HOST = /^(\d{3}-[a-z]{3}-\d{3})\.mktorest\.com$/i;

/**
 * Which Marketo instance a base URL reaches, as a store records it: `sandbox` for the built-in
 * one (whatever port it listens on), `munchkin:123-ABC-456` for Adobe's REST host (so case,
 * `/rest` and a trailing `/` do not matter), or the URL's origin for any other host.
 */
export function marketoInstanceId(baseUrl: string | undefined): string {
  if (baseUrl === undefined) return 'sandbox';
  const url = new URL(normalizeBaseUrl(baseUrl));
  const munchkin = MUNCHKIN_HOST.exec(url.hostname)?.[1];
  return munchkin !== undefined ? `munchkin:${munchkin.toUpperCase()}` : `url:${url.origin}`;
}

/** The instance in words, for messages. */
export function describeMarketoInstance(id: string): string {
  if (id === 'sandbox') return 'the built-in Marketo sandbox';
  if (id.startsWith('munchkin:')) return `Marketo instance ${id.slice('munchkin:'.length)}`;
  return `the Marketo instance at ${id.replace(/^url:/, '')}`;
}
