import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Ids } from '../deps.js';
import type { Logger } from '../logger.js';
import { requestIdFor } from './request-id.js';

/** Probes that load balancers and Prometheus call every few seconds: logged at debug only. */
const PROBE_ROUTES = new Set(['/health', '/ready', '/metrics']);

export interface AccessLogDeps {
  logger: Logger;
  ids: Ids;
  /** The route pattern of a request (route-label.ts). */
  routeOf: (req: IncomingMessage) => string;
  /** Called once per answered request, for the HTTP metrics. */
  onAnswered?: (labels: { method: string; route: string; status: number }, seconds: number) => void;
}

/** The path part of the URL as the client sent it: routers rewrite `req.url` on the way in. */
export function pathOf(req: IncomingMessage): string {
  const url = (req as Partial<Request>).originalUrl ?? req.url ?? '/';
  const end = url.indexOf('?');
  return end === -1 ? url : url.slice(0, end);
}

/**
 * One line per request (pino-http): method, route pattern, status, duration and the request
 * id, which is also echoed in the X-Request-Id header and bound to `req.log`, so the error
 * handler's line for the same request carries it. The URL itself is never logged: its query may
 * hold the Call Webhook's `?secret=`, a transcript link's signature or an email, and its path a
 * visitor's manage-link token; the route pattern says where the request went without them.
 */
export function createAccessLog(deps: AccessLogDeps): RequestHandler[] {
  // The level, the line and the metrics all ask for the route: match the patterns once.
  const routes = new WeakMap<IncomingMessage, string>();
  const routeOf = (req: IncomingMessage): string => {
    let route = routes.get(req);
    if (route === undefined) {
      route = deps.routeOf(req);
      routes.set(req, route);
    }
    return route;
  };
  const fields = (req: IncomingMessage, res: ServerResponse) => ({
    method: req.method,
    route: routeOf(req),
    status: res.statusCode,
  });
  const log = pinoHttp({
    logger: deps.logger,
    genReqId: (req, res) => {
      const id = requestIdFor(req.headers['x-request-id'], deps.ids);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // req.log binds only the id; the line at the end carries the rest, never `req` whole.
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
    // A 5xx is a warning here: the error handler logs the error itself (at error level, or at
    // warn for a 503 refusal under load), with the same request id.
    customLogLevel: (req, res, err) => {
      if (err !== undefined || res.statusCode >= 500) return 'warn';
      return PROBE_ROUTES.has(routeOf(req)) ? 'debug' : 'info';
    },
    customSuccessObject: (req, res, value: { durationMs?: number }) => ({
      ...fields(req, res),
      durationMs: value.durationMs,
    }),
    customErrorObject: (req, res, _err, value: { durationMs?: number }) => ({
      ...fields(req, res),
      durationMs: value.durationMs,
    }),
    customSuccessMessage: (_req, res) =>
      res.writableEnded ? 'request completed' : 'request aborted',
    customErrorMessage: () => 'request failed',
  });
  const measure: RequestHandler = (req, res, next) => {
    const at = performance.now();
    res.once('close', () => {
      deps.onAnswered?.(
        { method: req.method, route: routeOf(req), status: res.statusCode },
        (performance.now() - at) / 1000,
      );
    });
    next();
  };
  return [log, measure];
}
