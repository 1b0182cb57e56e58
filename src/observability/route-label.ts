import type { RouteEntry } from '../http/route-list.js';

/** The label of a request that no route matches (404 probes, static files). */
export const UNMATCHED_ROUTE = 'unmatched';

interface CompiledRoute {
  method: string;
  pattern: string;
  regex: RegExp;
}

/**
 * The route pattern a request matched (`/chat/meetings/manage/:token`), never its raw URL: the
 * metrics' route label stays a small fixed set, and a log line never shows a path's ids or
 * capability tokens. Read from the app's own route list (src/http/route-list.ts) once it is
 * complete, so a 401 from an auth middleware still gets its route's pattern.
 */
export function createRouteLabeler(routes: () => readonly RouteEntry[]) {
  let compiled: CompiledRoute[] | undefined;
  return (method: string, path: string): string => {
    compiled ??= routes().map((r) => ({ ...r, pattern: r.path, regex: toRegex(r.path) }));
    const matches = compiled.filter((r) => r.regex.test(path));
    // HEAD is served by GET routes; another method on a known path keeps the path's pattern.
    const wanted = method === 'HEAD' ? ['HEAD', 'GET'] : [method];
    const best = matches.find((r) => wanted.includes(r.method)) ?? matches[0];
    return best?.pattern ?? UNMATCHED_ROUTE;
  };
}

/** Express 5 path syntax as this app uses it: `:name` segments, `*name` wildcards, `{opt}`. */
export function toRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    const name = /^[:*][A-Za-z_$][\w$]*/.exec(pattern.slice(i));
    if (name) {
      source += c === ':' ? '[^/]+' : '.+';
      i += name[0].length - 1;
    } else if (c === '{') source += '(?:';
    else if (c === '}') source += ')?';
    else source += c.replace(/[.+?^$()[\]\\|]/g, '\\$&');
  }
  // Express matches with or without one trailing slash, case-insensitively.
  return new RegExp(`^${source}/?$`, 'i');
}
