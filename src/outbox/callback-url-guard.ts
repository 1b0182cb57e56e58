import { BlockList, isIP } from 'node:net';

/**
 * The SSRF guard for SSFS callbacks (research A4). Marketo puts the `callbackUrl` in the body
 * of every invocation (Adobe SPI, CFA-Swagger.yaml `async.callbackUrl`), and we POST the
 * callback key to it: left unchecked, anyone holding our API key could make us send requests,
 * and Marketo's key, to any address our network reaches (cloud metadata, admin ports).
 *
 * Rules, from SSFS_CALLBACK_HOSTS:
 * - `*.domain` matches any name under domain (not domain itself); `name` matches exactly.
 *   Both require https on the default port, and no address that is loopback, private, CGNAT,
 *   link-local (cloud metadata), unspecified, multicast, reserved, or an IPv6 form that embeds
 *   an IPv4 address: checked on the literal host here, and on every address the name resolves
 *   to just before each send (verifyCallbackTarget).
 * - `host:port` is trusted as written: http, loopback and private addresses are allowed and no
 *   DNS check is made. It is meant for a relay in front of Marketo or a local test receiver;
 *   whoever sets it vouches for that exact endpoint.
 * Pure: no I/O except through the resolver that verifyCallbackTarget is given.
 */

export type CallbackUrlCheck =
  { ok: true; url: URL; trustedAsWritten: boolean } | { ok: false; reason: string };

/** Resolves a host name to all its addresses (e.g. dns.lookup with `all: true`). */
export type HostResolver = (hostname: string) => Promise<string[]>;

const MAX_URL_LENGTH = 2048;

// Two lists: Node's BlockList matches IPv4 addresses against IPv6 rules as if IPv4-mapped,
// so with ::ffff:0:0/96 in a shared list every IPv4 address would be refused.
const forbiddenV4 = new BlockList();
const forbiddenV6 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", incl. the unspecified address
  ['10.0.0.0', 8], // private (RFC 1918)
  ['100.64.0.0', 10], // carrier-grade NAT (RFC 6598)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, incl. 169.254.169.254 cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. broadcast
] as const) {
  forbiddenV4.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::', 96], // IPv4-compatible (deprecated)
  ['::ffff:0:0', 96], // IPv4-mapped: would reach an IPv4 address past the IPv4 rules
  ['64:ff9b::', 96], // NAT64, embeds an IPv4 address
  ['64:ff9b:1::', 48], // local-use NAT64
  ['2002::', 16], // 6to4, embeds an IPv4 address
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  forbiddenV6.addSubnet(net, prefix, 'ipv6');
}

/** True for an IP address no callback may go to (see the lists above). Not an IP: true. */
export function isForbiddenAddress(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(bare);
  if (family === 4) return forbiddenV4.check(bare, 'ipv4');
  if (family === 6) return forbiddenV6.check(bare, 'ipv6');
  return true;
}

interface HostRule {
  host: string;
  wildcard: boolean;
  port: string | undefined;
}

function parseRule(entry: string): HostRule {
  const value = entry.trim().toLowerCase();
  const match = /^(.*?)(?::(\d{1,5}))?$/.exec(value)!;
  const name = match[1]!;
  const wildcard = name.startsWith('*.');
  return { host: wildcard ? name.slice(2) : name, wildcard, port: match[2] };
}

function effectivePort(url: URL): string {
  if (url.port !== '') return url.port;
  return url.protocol === 'https:' ? '443' : '80';
}

/** Checks what can be known without DNS: scheme, credentials, host rule, literal address. */
export function checkCallbackUrl(raw: string, allowedHosts: readonly string[]): CallbackUrlCheck {
  if (raw.length > MAX_URL_LENGTH) return { ok: false, reason: 'is too long' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not a URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: 'must be an https URL' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'must not carry credentials' };
  }
  // WHATWG URL has already normalised the host: lower case, IPv4 in dotted form (so 2130706433
  // and 0x7f.1 read 127.0.0.1), IPv6 in brackets. A trailing dot names the same host.
  const host = url.hostname.replace(/\.$/, '');
  const port = effectivePort(url);
  const rules = allowedHosts.map(parseRule);

  if (
    rules.some((r) => r.port !== undefined && !r.wildcard && r.host === host && r.port === port)
  ) {
    return { ok: true, url, trustedAsWritten: true };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: 'must be an https URL' };
  if (isIP(host.replace(/^\[(.*)\]$/, '$1')) !== 0 && isForbiddenAddress(host)) {
    return { ok: false, reason: 'must not point to a private, loopback or link-local address' };
  }
  const allowed = rules.some(
    (r) =>
      (r.port ?? '443') === port && (r.wildcard ? host.endsWith(`.${r.host}`) : host === r.host),
  );
  if (!allowed) return { ok: false, reason: 'is not on an allowed callback host' };
  return { ok: true, url, trustedAsWritten: false };
}

/**
 * checkCallbackUrl, then (unless trusted as written or an IP literal) resolves the host and
 * refuses it when any address is forbidden: a name on an allowed domain may still point inside
 * (a dangling or hijacked record, DNS rebinding). Resolver failures propagate: they are
 * transient, the caller retries.
 */
export async function verifyCallbackTarget(
  raw: string,
  allowedHosts: readonly string[],
  resolve: HostResolver,
): Promise<CallbackUrlCheck> {
  const check = checkCallbackUrl(raw, allowedHosts);
  if (!check.ok || check.trustedAsWritten) return check;
  const host = check.url.hostname.replace(/\.$/, '');
  if (isIP(host.replace(/^\[(.*)\]$/, '$1')) !== 0) return check;
  const addresses = await resolve(host);
  if (addresses.length === 0) throw new Error(`no address found for ${host}`);
  if (addresses.some(isForbiddenAddress)) {
    return { ok: false, reason: 'resolves to a private, loopback or link-local address' };
  }
  return check;
}
