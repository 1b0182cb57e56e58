import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';

/**
 * Reads a small JSON body into `req.body`: as application/json, or as text/plain, which a
 * browser sends cross-origin without a preflight (navigator.sendBeacon, a fetch that wants no
 * OPTIONS round trip). UTF-8 only, as JSON is (RFC 8259 §8.1); no compression, which would let
 * a small body grow past the limit.
 *
 * The limit bounds memory: a Content-Length over it is refused before a byte is read, and a
 * chunked body stops being kept once past it (the rest drains to nowhere, so the connection can
 * answer). Every failure is a 4xx naming `body`.
 *
 * Why not express.json: body-parser does the same with more machinery (type matching, charset
 * conversion, inflation); on the resolve call it cost about a tenth of the CPU per call
 * (bench/chat.ts), as webhooks/marketo/raw-body.ts found for the webhooks.
 */
export function readJsonBody(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    if (req.readableEnded) {
      next(); // read by a parser mounted earlier
      return;
    }
    const type = req.headers['content-type'];
    if (type === undefined || !JSON_TYPES.test(type)) {
      req.resume();
      next(bodyError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json'));
      return;
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      req.resume();
      next(bodyError(415, 'UNSUPPORTED_ENCODING', `Content-Encoding ${encoding} is not accepted`));
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > limitBytes) {
      req.resume();
      next(tooLarge(limitBytes));
      return;
    }

    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // Errors are built only when they happen: a stack trace per call is not free.
    const settle = (error?: () => AppError) => {
      if (settled) return;
      settled = true;
      if (error) {
        next(error());
        return;
      }
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString();
      try {
        req.body = JSON.parse(text) as unknown;
      } catch {
        next(bodyError(400, 'INVALID_JSON', 'The request body is not valid JSON'));
        return;
      }
      next();
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limitBytes) settle(() => tooLarge(limitBytes));
      else chunks.push(chunk);
    });
    req.on('end', () => settle());
    req.on('error', () =>
      settle(() => bodyError(400, 'INVALID_BODY', 'The body could not be read')),
    );
    req.on('close', () => settle(() => bodyError(400, 'INVALID_BODY', 'The body was cut short')));
  };
}

/** application/json or text/plain, with an optional UTF-8 charset. */
const JSON_TYPES = /^\s*(application\/json|text\/plain)\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

const tooLarge = (limitBytes: number) =>
  bodyError(400, 'BODY_TOO_LARGE', `The request body is over the limit of ${limitBytes} bytes`);

function bodyError(status: number, code: string, message: string): AppError {
  return new AppError(code, message, { httpStatus: status, field: 'body' });
}
