import type { Request } from 'express';
import { AppError } from '../errors.js';

/**
 * Reads a request body of at most `limitBytes` into one Buffer: the one place that does, for
 * the webhooks (raw bytes, parsed by webhook-body.ts) and the chat's public POSTs (JSON).
 *
 * The limit bounds memory: a Content-Length over it is refused before a byte is read, and a
 * chunked body stops being kept once past it. Compressed bodies are refused: inflating would
 * let a small body grow past the limit. After any refusal the rest of the body drains to
 * nowhere, so the connection can carry the answer. Every error is 400 naming `body`, and is
 * built only when it happens: an error's stack trace deep inside Express is a measurable share
 * of a hot call (bench/webhooks.ts).
 *
 * Why not body-parser: it does the same with more machinery (type matching, charset
 * conversion, inflation), which cost a fifth of the webhook's CPU time and a tenth of the
 * chat's resolve call.
 */
export function readBoundedBody(
  req: Request,
  limitBytes: number,
  done: (error: (() => AppError) | undefined, body?: Buffer) => void,
): void {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    req.resume();
    done(() =>
      bodyError(400, 'UNSUPPORTED_ENCODING', `Content-Encoding ${encoding} is not accepted`),
    );
    return;
  }
  if (Number(req.headers['content-length'] ?? 0) > limitBytes) {
    req.resume();
    done(() => tooLarge(limitBytes));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (error?: () => AppError) => {
    if (settled) return;
    settled = true;
    // The data listener stays: after an error it keeps the rest flowing to nowhere.
    if (error) done(error);
    else done(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  };
  req.on('data', (chunk: Buffer) => {
    if (settled) return;
    size += chunk.length;
    if (size > limitBytes) settle(() => tooLarge(limitBytes));
    else chunks.push(chunk);
  });
  req.on('end', () => settle());
  req.on('error', () => settle(unreadable));
  // A caller that goes away mid-body: nobody reads the answer, but the call must end.
  req.on('close', () => settle(cutShort));
}

export function bodyError(status: number, code: string, message: string): AppError {
  return new AppError(code, message, { httpStatus: status, field: 'body' });
}

const unreadable = () => bodyError(400, 'INVALID_BODY', 'The request body could not be read');
const cutShort = () => bodyError(400, 'INVALID_BODY', 'The request body was cut short');
const tooLarge = (limitBytes: number) =>
  bodyError(400, 'BODY_TOO_LARGE', `The request body is over the limit of ${limitBytes} bytes`);
