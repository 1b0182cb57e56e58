import { domainToASCII } from 'node:url';

/**
 * Target-page patterns, as Dynamic Chat writes them (marketo-facts.md §7.2, Target URLs):
 * `http://website.com`, `https://*.website.com`, `http://website.com/folder/*`, exclusions in
 * the same format, and no URL parameters. The rules:
 *
 * - A pattern is `scheme://host/path`; the scheme may be left out (`example.com/pricing`, or
 *   `//example.com`), which matches http and https. `*` is a wildcard in every part.
 * - Only scheme, host and path are compared: the page's query and fragment are ignored (a `#`
 *   part in a pattern is ignored too; a `?` is refused by the contract's schema).
 * - Scheme and host compare case-insensitively, the path case-sensitively (servers may tell
 *   `/Pricing` from `/pricing`). In the host `*` stops at `/`, so `*.example.com` covers
 *   `www.example.com` and `a.b.example.com` but, as in CSP, not `example.com` itself.
 * - A host without a port means the default port; `localhost:*` matches any port. A port is a
 *   number, compared as one (`:0443` is 443, as a browser reads it), and a port the pattern
 *   names matches a page on that port whether the page writes it or not: `example.com:443` and
 *   `*://example.com:443` match `https://example.com/` (443 is https's default) and
 *   `http://example.com:443/`, not `http://example.com/` (port 80). WHATWG URL §4.4 (port
 *   state) drops a port equal to the scheme's default, so the page's port is read back from it.
 * - Trailing slashes do not matter: `/pricing` and `/pricing/` are the same page.
 * - A path ending in `/*` covers the folder itself too: `https://example.com/docs/*` matches
 *   `/docs`, `/docs/` and `/docs/a/b`, and `https://example.com/*` matches the whole site.
 *   Without a path, a pattern is the home page only (`https://example.com` = `/`).
 * - The pattern `*` alone matches every page.
 */
export function matchesUrlPattern(pattern: string, url: string): boolean {
  const page = parsePageUrl(url);
  const compiled = compileUrlPattern(pattern);
  if (page === undefined || compiled === undefined) return false;
  return (
    compiled.scheme.test(page.scheme) &&
    compiled.host.test(compiled.withPort ? page.hostWithPort : page.host) &&
    compiled.path.test(page.path)
  );
}

/** Why a pattern can never match a page, or undefined when it is usable. */
export function describeUrlPatternProblem(pattern: string): string | undefined {
  const trimmed = pattern.trim();
  if (trimmed === '') return 'is empty';
  if (trimmed.includes('?')) return 'cannot contain query parameters';
  if (/\s/.test(trimmed)) return 'cannot contain spaces';
  const parts = splitPattern(trimmed);
  if (parts === undefined) return 'has no host (write e.g. https://example.com/*)';
  if (parts.scheme !== undefined && !/^(\*|https?)$/.test(parts.scheme.replace(/\*+/g, '*'))) {
    return `has scheme "${parts.scheme}"; pages are http or https`;
  }
  const host = splitHost(parts.host);
  if (host === undefined) {
    return `has host "${parts.host}", which is not a host name (with an optional :port)`;
  }
  const { name, port, portText } = host;
  // RFC 6335 §6: ports are 16-bit, and 0 is reserved; a page is never served from another.
  if (typeof port === 'number' && (port < 1 || port > 65535)) {
    return `has port ${portText}; a port is a number from 1 to 65535`;
  }
  if (parts.marked === false && looksLikePath(name)) {
    return (
      `"${trimmed}" is read as the host "${name}", not as a page; write the site too, ` +
      `e.g. https://example.com/${trimmed}, or *://*/${trimmed} for every site`
    );
  }
  return undefined;
}

/** Web page file endings: `pricing.html` is a page, not a host (there is no such top-level domain). */
const PAGE_FILE = /\.(html?|php|aspx?|jsp|cfm)$/;

/**
 * A host written without `scheme://` or `//` in front that has no dot (and is not localhost or
 * a wildcard), or that ends like a page file: the author meant a path (`pricing`, `docs/*`).
 * An intranet host without a dot is still possible with the scheme: `http://intranet/*`.
 */
function looksLikePath(name: string): boolean {
  if (name.includes('*') || name === 'localhost') return false;
  return !name.includes('.') || PAGE_FILE.test(name);
}

interface CompiledPattern {
  scheme: RegExp;
  /** Tested against the page's `hostWithPort` when `withPort`, else its `host`. */
  host: RegExp;
  withPort: boolean;
  path: RegExp;
}

interface PatternParts {
  scheme: string | undefined;
  host: string;
  path: string;
  /** Whether the host was marked as one, by `scheme://` or `//` in front. */
  marked: boolean;
}

const MATCH_ALL: CompiledPattern = { scheme: /^/, host: /^/, withPort: false, path: /^/ };

function compileUrlPattern(pattern: string): CompiledPattern | undefined {
  const trimmed = pattern.trim();
  if (trimmed === '*') return MATCH_ALL;
  const parts = splitPattern(trimmed);
  if (parts === undefined) return undefined;
  // A host the check refuses (saved before it existed) is compared as written, as it always was.
  const host = splitHost(parts.host) ?? { name: parts.host, port: undefined, portText: undefined };
  const scheme = parts.scheme === undefined ? /^https?$/ : globToRegExp(parts.scheme, '.*');
  const name = globToSource(host.name, '[^/]*');
  // Without a port the pattern is compared with the page's host as URL writes it (default port
  // dropped), so a `*` at the end of the name still covers any port, as it always has; with one,
  // with the page's host and the port it is served from, written or not.
  const port = host.port === '*' ? '\\d+' : String(host.port);
  return {
    scheme,
    host: new RegExp(host.port === undefined ? `^${name}$` : `^${name}:${port}$`, 's'),
    withPort: host.port !== undefined,
    path: compilePath(parts.path),
  };
}

interface HostParts {
  name: string;
  /** The port as a number (leading zeros dropped), `*` for any, undefined for the default. */
  port: number | '*' | undefined;
  /** The port as written, for messages. */
  portText: string | undefined;
}

/** `name[:port]` of a pattern; undefined when it is not a host name. */
function splitHost(host: string): HostParts | undefined {
  const match = /^([a-z0-9.*-]+)(?::(\d+|\*))?$/.exec(host);
  if (match === null) return undefined;
  const [, name = '', port] = match;
  if (port === undefined || port === '*') return { name, port, portText: port };
  return { name, port: Number(port), portText: port };
}

/** Splits `scheme://host/path#fragment`; undefined when there is no host. */
function splitPattern(pattern: string): PatternParts | undefined {
  let rest = pattern.replace(/#.*$/, '');
  let scheme: string | undefined;
  let marked = true;
  const withScheme = /^([a-z*][a-z0-9+.*-]*):\/\//i.exec(rest);
  if (withScheme !== null) {
    scheme = withScheme[1]!.toLowerCase();
    rest = rest.slice(withScheme[0].length);
  } else if (rest.startsWith('//')) {
    rest = rest.slice(2);
  } else {
    marked = false;
  }
  const slash = rest.indexOf('/');
  const rawHost = slash === -1 ? rest : rest.slice(0, slash);
  if (rawHost === '') return undefined;
  const path = slash === -1 ? '' : rest.slice(slash);
  return { scheme, host: normalizeHost(rawHost), path, marked };
}

/** Lower case, internationalised names in their ASCII (punycode) form, as URL hosts are. */
function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  if (/^[\x21-\x7e]*$/.test(lower)) return lower;
  const colon = lower.lastIndexOf(':');
  const name = colon === -1 ? lower : lower.slice(0, colon);
  const port = colon === -1 ? '' : lower.slice(colon);
  return (domainToASCII(name) || name) + port;
}

function compilePath(rawPath: string): RegExp {
  const folder = rawPath.endsWith('/*');
  const path = trimTrailingSlashes(normalizePath(folder ? rawPath.slice(0, -2) : rawPath));
  const body = globToSource(path, '.*');
  return new RegExp(folder ? `^${body}(?:/.*)?$` : `^${body}$`, 's');
}

/** Percent-encodes the pattern's path as URL encodes a page's path (and resolves `..`). */
function normalizePath(path: string): string {
  if (path === '') return '';
  try {
    // Appended, not resolved against a base: `//a` is a path here, not a host.
    return new URL(`http://pattern.invalid${path}`).pathname;
  } catch {
    return path;
  }
}

function trimTrailingSlashes(path: string): string {
  return path.replace(/\/+$/, '');
}

function globToSource(glob: string, star: string): string {
  return glob
    .split('*')
    .map((piece) => piece.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
    .join(star);
}

function globToRegExp(glob: string, star: string): RegExp {
  return new RegExp(`^${globToSource(glob, star)}$`, 's');
}

interface PageParts {
  scheme: string;
  /** As URL writes it: the port only when it is not the scheme's default. */
  host: string;
  /** Always with the port the page is served from, its scheme's default when unwritten. */
  hostWithPort: string;
  path: string;
}

/** RFC 9110 §4.2.1 and §4.2.2: http's default port is 80, https's 443. */
const DEFAULT_PORT: Readonly<Record<string, string>> = { http: '80', https: '443' };

function parsePageUrl(url: string): PageParts | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  const defaultPort = DEFAULT_PORT[scheme];
  if (defaultPort === undefined) return undefined;
  return {
    scheme,
    host: parsed.host,
    hostWithPort: `${parsed.hostname}:${parsed.port || defaultPort}`,
    path: trimTrailingSlashes(parsed.pathname),
  };
}
