import type { Express } from 'express';

/** One route the app serves: its method (upper case) and its full path, Express style. */
export interface RouteEntry {
  method: string;
  path: string;
}

/** What this module reads of Express 5's router (the `router` package's Layer and Route). */
interface RouterLayer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

function joinPath(prefix: string, path: unknown): string {
  const part = typeof path === 'string' && path !== '/' ? path : '';
  return `${prefix}${part}` || '/';
}

function walk(stack: readonly RouterLayer[], prefix: string, out: RouteEntry[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const path = joinPath(prefix, layer.route.path);
      for (const method of Object.keys(layer.route.methods)) {
        if (method !== '_all') out.push({ method: method.toUpperCase(), path });
      }
    } else if (layer.handle?.stack) {
      walk(layer.handle.stack, joinPath(prefix, layer.rawPath).replace(/^\/$/, ''), out);
    }
  }
}

/**
 * Every method and path the app routes, read from the app itself, so a test or a document
 * generated from this list cannot miss a route added later (static files and the 404 handler
 * are not routes). Order is mount order.
 */
export function listRoutes(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  const router = (app as unknown as { router?: { stack?: RouterLayer[] } }).router;
  walk(router?.stack ?? [], '', out);
  return out;
}
