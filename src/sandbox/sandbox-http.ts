import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import {
  MarketoApiError,
  errorEnvelope,
  marketoErrors,
  successEnvelope,
  type SuccessBody,
} from './envelope.js';
import { bearerToken, carriesQueryToken } from './sandbox-auth.js';
import type { SandboxState } from './sandbox-state.js';
import type { FaultSpec } from './sandbox-types.js';

/**
 * The HTTP rules every Marketo route shares, in Marketo's order: a scripted fault (if any),
 * then auth (bearer only; 601/602 are not counted), then the limits (615, 606, 607), then the
 * handler after `latencyMs` while the call is in flight, then a scripted `after` fault (if any)
 * in place of the success answer. Errors become Marketo envelopes here and nowhere else.
 * Unknown paths get HTTP 404; known paths with the wrong method get 605.
 */

/** A route returns a success body, or undefined when it wrote the response itself. */
export type RouteHandler = (req: Request, res: Response) => SuccessBody | undefined;

export interface RouteSpec {
  method: 'get' | 'post';
  path: string;
  handle: RouteHandler;
}

/** Marketo's limit on a GET URI (error-codes.md: 414 beyond 8 KB). */
export const MAX_URI_LENGTH = 8 * 1024;

export function sendMarketoError(
  state: SandboxState,
  res: Response,
  error: MarketoApiError,
  httpStatus = 200,
): void {
  state.recordError(error.code);
  state.logger.debug({ code: error.code, message: error.message }, 'sandbox answered an error');
  res.status(httpStatus).json(errorEnvelope(state.requestId(), error));
}

function sendHttpError(state: SandboxState, res: Response, status: number, text: string): void {
  state.recordError(`http:${status}`);
  res.status(status).type('text/plain').send(text);
}

export function createUriGuard(state: SandboxState): RequestHandler {
  return (req, res, next) => {
    if (req.originalUrl.length > MAX_URI_LENGTH) {
      sendHttpError(state, res, 414, 'Request-URI Too Long');
    } else next();
  };
}

function sendFault(state: SandboxState, res: Response, fault: FaultSpec): void {
  if (fault.drop === true) {
    state.recordError('fault:drop');
    res.socket?.destroy();
    return;
  }
  const error =
    fault.code === undefined
      ? undefined
      : new MarketoApiError(fault.code, fault.message ?? `Injected fault ${fault.code}`);
  if (error) sendMarketoError(state, res, error, fault.httpStatus ?? 200);
  else if (fault.httpStatus !== undefined) {
    sendHttpError(state, res, fault.httpStatus, fault.message ?? 'Injected fault');
  } else sendMarketoError(state, res, marketoErrors.systemError());
}

export function createFaultGate(state: SandboxState): RequestHandler {
  return (req, res, next) => {
    const fault = state.faults.take(req.path, 'before') ?? state.profiler.before(req.path);
    if (!fault) return next();
    sendFault(state, res, fault);
  };
}

function createAdmission(state: SandboxState, routePath: string): RequestHandler {
  return (req, res, next) => {
    if (carriesQueryToken(req)) {
      // The access_token parameter is removed (authentication.md): it never authenticates.
      state.counters.queryTokenUses++;
      return sendMarketoError(state, res, marketoErrors.tokenInvalid());
    }
    const token = bearerToken(req);
    const authError = state.tokens.check(token);
    if (authError) return sendMarketoError(state, res, authError);
    const limitError = state.limiter.admit();
    if (limitError) {
      const clientId = state.tokens.clientOf(token) ?? '';
      state.recordRefusal({
        at: state.clock.now(),
        clientId,
        path: routePath,
        code: limitError.code,
      });
      return sendMarketoError(state, res, limitError);
    }
    state.recordCall(routePath, state.tokens.clientOf(token) ?? '');
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      state.limiter.release();
    };
    res.once('finish', release);
    res.once('close', release);
    if (state.limits.latencyMs > 0) setTimeout(next, state.limits.latencyMs);
    else next();
  };
}

function respond(state: SandboxState, handle: RouteHandler): RequestHandler {
  return (req, res) => {
    try {
      const body = handle(req, res);
      if (!body) return;
      // Executed: a scripted `after` fault now loses the answer (the write stays applied).
      const fault = state.faults.take(req.path, 'after') ?? state.profiler.after(req.path);
      if (fault) sendFault(state, res, fault);
      else res.json(successEnvelope(state.requestId(), body));
    } catch (error) {
      if (error instanceof MarketoApiError) return sendMarketoError(state, res, error);
      state.logger.error({ err: error, path: req.path }, 'sandbox handler failed');
      sendMarketoError(state, res, marketoErrors.systemError());
    }
  };
}

export function registerMarketoRoutes(
  app: Express,
  state: SandboxState,
  routes: RouteSpec[],
): void {
  for (const route of routes) {
    app[route.method](route.path, createAdmission(state, route.path), respond(state, route.handle));
  }
  // "605 HTTP Method not supported" for known resources; starred, so never counted.
  for (const path of new Set(routes.map((route) => route.path))) {
    app.all(path, (_req, res) => sendMarketoError(state, res, marketoErrors.methodNotSupported()));
  }
}

export function createNotFound(state: SandboxState): RequestHandler {
  return (_req, res) => sendMarketoError(state, res, marketoErrors.notFound(), 404);
}

/** Body-parser failures: invalid JSON is 609; a body over 1 MB is HTTP 413 (error-codes.md). */
export function createErrorHandler(state: SandboxState) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      return sendHttpError(state, res, 413, 'Request Entity Too Large');
    }
    if (type === 'entity.parse.failed') {
      return sendMarketoError(state, res, marketoErrors.invalidJson());
    }
    state.logger.error({ err: error, path: req.path }, 'sandbox request failed');
    sendMarketoError(state, res, marketoErrors.systemError());
  };
}

/** POST endpoints that take JSON answer 612 to any other content type. */
export function requireJson(req: Request): Record<string, unknown> {
  if (!req.is('application/json')) throw marketoErrors.invalidContentType();
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw marketoErrors.invalidJson();
  }
  return body as Record<string, unknown>;
}
