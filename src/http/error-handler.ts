import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, StoreError } from '../errors.js';
import type { Logger } from '../logger.js';

/** The one place errors become HTTP: `{ "error": { "code", "message", "field"? } }`. */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const { status, body } = toHttpError(err);
    // 503s of our own (overload, no agents, quota) are expected under load: one warn line, no
    // stack, so a flood of refusals does not become a flood of error logs.
    // A store error is not load: the operator needs its detail (the file, the system error).
    if (status === 503 && err instanceof AppError && !(err instanceof StoreError))
      logger.warn({ code: err.code }, 'request refused');
    else if (status >= 500) logger.error({ err }, 'request failed');
    if (!res.headersSent) res.status(status).json({ error: body });
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res
    .status(404)
    .json({ error: { code: 'NOT_FOUND', message: `No route for ${req.method} ${req.path}` } });
};

function toHttpError(err: unknown): {
  status: number;
  body: { code: string; message: string; field?: string; details?: Record<string, unknown> };
} {
  if (err instanceof AppError) {
    const message =
      err.httpStatus >= 500 && err.code === 'INTERNAL'
        ? 'Internal error'
        : // A store error names files and system errors: for the log and the operator, never
          // for the caller. Its code says enough to decide on a retry.
          err instanceof StoreError
          ? 'The data store could not complete the request; try again later.'
          : err.message;
    return {
      status: err.httpStatus,
      body: {
        code: err.code,
        message,
        ...(err.field ? { field: err.field } : {}),
        // A client error's details (e.g. every bad field) help the caller fix the request;
        // server-side details stay in the logs.
        ...(err.details && err.httpStatus < 500 ? { details: err.details } : {}),
      },
    };
  }
  // body-parser errors carry `type` and `status`.
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.parse.failed') {
    return {
      status: 400,
      body: { code: 'INVALID_JSON', message: 'The request body is not valid JSON', field: 'body' },
    };
  }
  // The webhook and flow-step contract asks for 400 naming the field for an oversized body, and
  // one mapping serves every route.
  if (e?.type === 'entity.too.large') {
    return {
      status: 400,
      body: { code: 'BODY_TOO_LARGE', message: 'The request body is too large', field: 'body' },
    };
  }
  // body-parser's refusal of a charset it cannot decode (`charset=latin1` on JSON) or of a
  // Content-Encoding it does not inflate: the caller can fix either, so name them.
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') {
    return {
      status: 415,
      body:
        e.type === 'charset.unsupported'
          ? { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the body as UTF-8', field: 'body' }
          : {
              code: 'UNSUPPORTED_ENCODING',
              message: 'The request body’s Content-Encoding is not accepted',
              field: 'body',
            },
    };
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return {
      status: e.status,
      body: { code: 'BAD_REQUEST', message: 'The request could not be read' },
    };
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'Internal error' } };
}
