import type { RequestHandler } from 'express';
import { readBoundedBody } from '../../src/http/bounded-body.js';

/**
 * Reads the body as raw bytes whatever its Content-Type, into `req.body` (a Buffer), so that
 * webhook-body.ts decides how to parse it: Marketo sends JSON templates as application/json,
 * text/plain or with no type at all, and Form/Url templates as form-urlencoded. Limits and
 * errors: src/http/bounded-body.ts (400 naming `body`, as the issue asks for an oversized
 * body, not the 413 of the shared handler).
 */
export function readRawBody(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    readBoundedBody(req, limitBytes, (error, body) => {
      if (error) {
        next(error());
        return;
      }
      req.body = body;
      next();
    });
  };
}
