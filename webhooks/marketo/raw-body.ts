import type { NextFunction, Request, RequestHandler } from 'express';
import { AppError } from '../../src/errors.js';

/**
 * Reads the body as raw bytes whatever its Content-Type, into `req.body` (a Buffer), so that
 * webhook-body.ts decides how to parse it: Marketo sends JSON templates as application/json,
 * text/plain or with no type at all, and Form/Url templates as form-urlencoded.
 *
 * The limit bounds memory: a Content-Length over it is refused before a byte is read, and a
 * chunked body stops being kept once past it (the rest is drained and dropped). Errors are
 * 400 naming `body`: the issue asks 400, not the shared handler's 413, for a body over the
 * limit, and bad input never reaches the 5xx path.
 *
 * Why not express.raw: body-parser does the same with more machinery (type matching, charset
 * and inflation), and on this hot path it cost about a fifth of the webhook's CPU time
 * (bench/webhooks.ts). Compressed bodies are refused: Marketo does not compress webhook calls,
 * and inflating would let a small body grow past the limit.
 */
export function readRawBody(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    // Already read by a parser mounted before this router: nothing more will come.
    if (req.readableEnded) {
      next();
      return;
    }
    const encoding = req.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      next(bodyError('UNSUPPORTED_ENCODING', `Content-Encoding ${encoding} is not accepted`));
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limitBytes) {
      req.resume(); // drain without keeping, so the connection can answer
      next(tooLarge(limitBytes));
      return;
    }

    const body = new BodyRead(req, next, limitBytes);
    req.on('data', (chunk: Buffer) => body.add(chunk));
    req.on('end', () => body.settle());
    req.on('error', () => body.settle(unreadable));
    // A caller that goes away mid-body: nobody reads the answer, but the call must end.
    req.on('close', () => body.settle(cutShort));
  };
}

/** One body being read: its chunks, and whether the call went on (with the body or an error). */
class BodyRead {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private settled = false;

  constructor(
    private readonly req: Request,
    private readonly next: NextFunction,
    private readonly limitBytes: number,
  ) {}

  add(chunk: Buffer): void {
    if (this.settled) return;
    this.size += chunk.length;
    if (this.size > this.limitBytes) this.settle(() => tooLarge(this.limitBytes));
    else this.chunks.push(chunk);
  }

  /**
   * Goes on with the body, or with the error `error` makes. Errors are made only when they
   * happen: 'close' fires after every call, and an error's stack trace, deep inside Express,
   * cost about a twentieth of the webhook's CPU time.
   */
  settle(error?: () => AppError): void {
    if (this.settled) return;
    this.settled = true;
    // The data listener stays: after an error it keeps the rest of the body flowing to
    // nowhere, so the connection can carry the answer.
    if (error) {
      this.next(error());
      return;
    }
    const { chunks, size } = this;
    this.req.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
    this.next();
  }
}

const unreadable = () => bodyError('INVALID_BODY', 'The request body could not be read');
const cutShort = () => bodyError('INVALID_BODY', 'The request body was cut short');

function tooLarge(limitBytes: number): AppError {
  return bodyError('BODY_TOO_LARGE', `The request body is over the limit of ${limitBytes} bytes`);
}

function bodyError(code: string, message: string): AppError {
  return new AppError(code, message, { httpStatus: 400, field: 'body' });
}
