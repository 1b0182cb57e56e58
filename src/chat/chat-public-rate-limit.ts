import { isIPv6 } from 'node:net';
import type { RequestHandler } from 'express';
import type { Clock } from '../deps.js';
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

/** Clients tracked per limiter at most; past it the oldest window is forgotten. */
export const DEFAULT_MAX_TRACKED_CLIENTS = 100_000;

/** One call counted against a client's budget. */
export interface RateLimitHit {
  allowed: boolean;
  /** Calls left in the current window (0 once refused). */
  remaining: number;
  /** Milliseconds until the window ends and the budget is whole again. */
  resetMs: number;
}

/**
 * Counts calls per client key. The in-memory one counts per process: several replicas need one
 * backed by a shared store (e.g. Redis INCR + PEXPIRE) behind this same interface.
 */
export interface RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  hit(key: string, now: number): RateLimitHit;
}

/**
 * A fixed window per client, in a Map kept in window-start order (a new window re-inserts its
 * key), so expired windows sit at the front and are dropped lazily, a few per call at most on
 * average; past `maxClients` the oldest is dropped, so a flood of addresses costs bounded memory
 * (and at worst gives a forgotten client a fresh budget).
 */
export function createFixedWindowLimiter(options: {
  limit: number;
  windowMs: number;
  maxClients?: number;
}): RateLimiter {
  const { limit, windowMs } = options;
  const maxClients = Math.max(1, options.maxClients ?? DEFAULT_MAX_TRACKED_CLIENTS);
  const windows = new Map<string, { endsAt: number; count: number }>();

  return {
    limit,
    windowMs,
    hit(key, now) {
      for (const [oldKey, oldWindow] of windows) {
        if (oldWindow.endsAt > now) break;
        windows.delete(oldKey);
      }
      let window = windows.get(key);
      if (window === undefined || window.endsAt <= now) {
        if (window !== undefined) windows.delete(key);
        else if (windows.size >= maxClients) windows.delete(windows.keys().next().value!);
        window = { endsAt: now + windowMs, count: 0 };
        windows.set(key, window);
      }
      window.count += 1;
      const allowed = window.count <= limit;
      return {
        allowed,
        remaining: Math.max(0, limit - window.count),
        resetMs: window.endsAt - now,
      };
    },
  };
}

/**
 * A per-client limit (research F2) answering 429 through the error handler, with the standard
 * `RateLimit-Limit`/`-Remaining`/`-Reset`/`-Policy` headers (IETF draft 6) and `Retry-After`.
 * The client is `req.ip`, so who that is depends on the app's `trust proxy` (set to the proxy
 * hop count, never `true`, or any visitor picks their own bucket with X-Forwarded-For).
 */
export function createChatRateLimiter(limiter: RateLimiter, clock: Clock): RequestHandler {
  const limitHeader = String(limiter.limit);
  const policy = `${limiter.limit};w=${Math.ceil(limiter.windowMs / 1000)}`;
  return (req, res, next) => {
    const key = clientKey(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    const { allowed, remaining, resetMs } = limiter.hit(key, clock.now());
    const resetSeconds = String(Math.max(0, Math.ceil(resetMs / 1000)));
    res.setHeader('RateLimit-Policy', policy);
    res.setHeader('RateLimit-Limit', limitHeader);
    res.setHeader('RateLimit-Remaining', String(remaining));
    res.setHeader('RateLimit-Reset', resetSeconds);
    if (allowed) {
      next();
      return;
    }
    res.setHeader('Retry-After', resetSeconds);
    next(
      new AppError('RATE_LIMITED', 'Too many requests; try again later', {
        httpStatus: 429,
        retryable: true,
      }),
    );
  };
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
