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
 * - A host without a port means the default port; `localhost:*` matches any port.
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
    compiled.host.test(page.host) &&
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
  const host = /^([a-z0-9.*-]+)(?::(\d{1,5}|\*))?$/.exec(parts.host);
  if (host === null) {
    return `has host "${parts.host}", which is not a host name (with an optional :port)`;
  }
  const [, name = '', port] = host;
  // RFC 6335 §6: ports are 16-bit, and 0 is reserved; a page is never served from another.
  if (port !== undefined && port !== '*' && (Number(port) < 1 || Number(port) > 65535)) {
    return `has port ${port}; a port is a number from 1 to 65535`;
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
  host: RegExp;
  path: RegExp;
}

interface PatternParts {
  scheme: string | undefined;
  host: string;
  path: string;
  /** Whether the host was marked as one, by `scheme://` or `//` in front. */
  marked: boolean;
}

const MATCH_ALL: CompiledPattern = { scheme: /^/, host: /^/, path: /^/ };

function compileUrlPattern(pattern: string): CompiledPattern | undefined {
  const trimmed = pattern.trim();
  if (trimmed === '*') return MATCH_ALL;
  const parts = splitPattern(trimmed);
  if (parts === undefined) return undefined;
  const scheme = parts.scheme === undefined ? /^https?$/ : globToRegExp(parts.scheme, '.*');
  return {
    scheme,
    host: globToRegExp(withoutDefaultPort(parts.host, parts.scheme), '[^/]*'),
    path: compilePath(parts.path),
  };
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

/** URL drops a scheme's default port from `host`, so the pattern must too. */
function withoutDefaultPort(host: string, scheme: string | undefined): string {
  if (scheme === 'https') return host.replace(/:443$/, '');
  if (scheme === 'http') return host.replace(/:80$/, '');
  return host;
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
  host: string;
  path: string;
}

function parsePageUrl(url: string): PageParts | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  return { scheme, host: parsed.host, path: trimTrailingSlashes(parsed.pathname) };
}
