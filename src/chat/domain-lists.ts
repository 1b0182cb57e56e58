/**
 * The configuration's two domain lists (marketo-facts.md §7.3, security settings), read the
 * same way everywhere. An entry is `example.com`, `*.example.com` or `example.com:3000`:
 * - a name alone matches that host on any port (`localhost` covers `localhost:3000`);
 * - with a port, only that port (a page's default port is 80 or 443);
 * - `*.example.com` matches the subdomains, not `example.com` itself (as URL patterns and CSP).
 */

/** Whether the widget may run on `pageUrl` (an http(s) URL) under `allowedDomains`. */
export function isAllowedSite(allowedDomains: readonly string[], pageUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowedDomains.some((entry) => matchesDomainEntry(entry, url.hostname, port));
}

/** Whether email capture must refuse `email` because its domain is blocked. */
export function isBlockedEmail(blockedEmailDomains: readonly string[], email: string): boolean {
  const at = email.lastIndexOf('@');
  if (at === -1) return false;
  const host = email
    .slice(at + 1)
    .trim()
    .toLowerCase();
  return blockedEmailDomains.some((entry) => matchesDomainEntry(entry, host, undefined));
}

function matchesDomainEntry(entry: string, host: string, port: string | undefined): boolean {
  const [name = '', entryPort] = entry.trim().toLowerCase().split(':');
  if (port !== undefined && entryPort !== undefined && entryPort !== port) return false;
  if (name.startsWith('*.')) return host.endsWith(name.slice(1)) && host.length > name.length - 1;
  return host === name;
}
