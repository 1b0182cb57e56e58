import { isIPv6 } from 'node:net';
import type { RequestHandler } from 'express';
import { MemoryStore, rateLimit } from 'express-rate-limit';
import { AppError } from '../errors.js';

/** Requests per client per window, for each widget route. */
export interface ChatRateLimits {
  windowMs: number;
  config: number;
  resolve: number;
  events: number;
}

/**
 * Per minute and client: a page view costs one config read (often a 304, and browsers cache it
 * for a minute), one resolve and a handful of events. The margins allow for an office or a
 * mobile carrier behind one address.
 */
export const DEFAULT_CHAT_RATE_LIMITS: ChatRateLimits = {
  windowMs: 60_000,
  config: 300,
  resolve: 300,
  events: 600,
};

/**
 * A per-client limiter (research F2) answering 429 through the error handler, with the standard
 * `RateLimit`/`RateLimit-Policy` headers (IETF draft 7) and `Retry-After`. The client is
 * `req.ip`, so who that is depends on the app's `trust proxy` (set to the proxy hop count, never
 * `true`, or any visitor picks their own bucket with X-Forwarded-For). The memory store counts
 * per process: several replicas need a shared store (e.g. rate-limit-redis).
 */
export function createChatRateLimiter(limit: number, windowMs: number): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store: new MemoryStore(),
    keyGenerator: (req) => clientKey(req.ip ?? req.socket.remoteAddress ?? 'unknown'),
    handler: (_req, _res, next) => {
      next(
        new AppError('RATE_LIMITED', 'Too many requests; try again later', {
          httpStatus: 429,
          retryable: true,
        }),
      );
    },
  });
}

/**
 * The bucket of an address: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64, since one host
 * is usually given a whole /64 and could otherwise take a fresh bucket per request.
 */
export function clientKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
