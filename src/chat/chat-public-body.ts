import type { RequestHandler } from 'express';
import { bodyError, readBoundedBody } from '../http/bounded-body.js';

/**
 * Reads a small JSON body into `req.body`: as application/json, or as text/plain, which a
 * browser sends cross-origin without a preflight (navigator.sendBeacon, a fetch that wants no
 * OPTIONS round trip). UTF-8 only, as JSON is (RFC 8259 §8.1); no compression, which would let
 * a small body grow past the limit.
 *
 * Limits, encodings and errors: src/http/bounded-body.ts. Every failure is a 4xx naming `body`.
 *
 * Why not express.json: body-parser does the same with more machinery (type matching, charset
 * conversion, inflation); on the resolve call it cost about a tenth of the CPU per call
 * (bench/chat.ts), as webhooks/marketo/raw-body.ts found for the webhooks.
 */
export function readJsonBody(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    if (req.readableEnded) {
      // Read already: the meeting pages' form routes parse their urlencoded body first.
      next();
      return;
    }
    const type = req.headers['content-type'];
    if (type === undefined || !JSON_TYPES.test(type)) {
      req.resume();
      next(bodyError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json'));
      return;
    }
    readBoundedBody(req, limitBytes, (error, body) => {
      if (error) {
        next(error());
        return;
      }
      try {
        req.body = JSON.parse(body!.toString()) as unknown;
      } catch {
        next(bodyError(400, 'INVALID_JSON', 'The request body is not valid JSON'));
        return;
      }
      next();
    });
  };
}

/** application/json or text/plain, with an optional UTF-8 charset. */
const JSON_TYPES = /^\s*(application\/json|text\/plain)\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
