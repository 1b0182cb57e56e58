import { isIPv6 } from 'node:net';
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
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
/**
 * Clients whose windows this process keeps at most, per limiter: past it the least recently
 * seen is forgotten, so a flood of addresses costs bounded memory (the library's memory store
 * has no cap of its own; an entry goes only when its window ends).
 */
export const DEFAULT_MAX_TRACKED_CLIENTS = 50_000;

export const DEFAULT_CHAT_RATE_LIMITS: ChatRateLimits = {
  windowMs: 60_000,
  config: 300,
  resolve: 300,
  events: 600,
};

/** One call counted against a client's budget. */
export interface RateLimitHit {
  allowed: boolean;
  /** Calls left in the current window (0 once refused). */
  remaining: number;
  /** Milliseconds until the window ends and the budget is whole again. */
  resetMs: number;
}

/** Counts calls per client key, in this process or, with Redis, across every replica. */
export interface RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  hit(key: string): Promise<RateLimitHit>;
}

/** Where the limiters count: Redis (REDIS_URL) so that a limit holds across replicas. */
export interface RateLimitStore {
  redis: Redis;
  /** Keys under this prefix (one per route's limiter below it). */
  keyPrefix: string;
}

/**
 * A fixed window per client that starts at its first call, on rate-limiter-flexible: its
 * memory store by default (windows expire with a timer, so idle clients cost nothing), its
 * Redis store (one atomic INCR-and-expire script) with REDIS_URL. Should Redis be away, the
 * library's insurance limiter counts in memory meanwhile, so the widget keeps answering with
 * per-replica limits rather than failing. The Redis store keeps whole seconds (EX).
 */
export function createFlexibleRateLimiter(options: {
  name: string;
  limit: number;
  windowMs: number;
  store?: RateLimitStore | undefined;
  maxClients?: number;
}): RateLimiter {
  const { limit, windowMs, store } = options;
  const memory = new RateLimiterMemory({
    points: limit,
    duration: windowMs / 1000,
    keyPrefix: options.name,
  });
  // The clients the memory store holds (as the limiter or as Redis's insurance), capped.
  const tracked = new LRUCache<string, true>({
    max: Math.max(1, options.maxClients ?? DEFAULT_MAX_TRACKED_CLIENTS),
    dispose: (_value, key, reason) => {
      if (reason === 'evict') void memory.delete(key);
    },
  });
  const limiter = store
    ? new RateLimiterRedis({
        storeClient: store.redis,
        keyPrefix: `${store.keyPrefix}:${options.name}`,
        points: limit,
        duration: Math.max(1, Math.ceil(windowMs / 1000)),
        insuranceLimiter: memory,
      })
    : memory;
  const answer = (res: RateLimiterRes, allowed: boolean): RateLimitHit => ({
    allowed,
    remaining: allowed ? res.remainingPoints : 0,
    resetMs: res.msBeforeNext,
  });
  return {
    limit,
    windowMs,
    async hit(key) {
      if (tracked.get(key) === undefined) tracked.set(key, true);
      try {
        return answer(await limiter.consume(key), true);
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return answer(refusal, false);
        throw refusal;
      }
    },
  };
}

/**
 * A per-client limit (research F2) answering 429 through the error handler, with the standard
 * `RateLimit-Limit`/`-Remaining`/`-Reset`/`-Policy` headers (IETF draft 6) and `Retry-After`.
 * The client is `req.ip`, so who that is depends on the app's `trust proxy` (set to the proxy
 * hop count, never `true`, or any visitor picks their own bucket with X-Forwarded-For).
 */
export function createChatRateLimiter(limiter: RateLimiter): RequestHandler {
  const limitHeader = String(limiter.limit);
  const policy = `${limiter.limit};w=${Math.ceil(limiter.windowMs / 1000)}`;
  return async (req, res, next) => {
    const key = clientKey(req.ip ?? req.socket.remoteAddress ?? 'unknown');
    let hit: RateLimitHit;
    try {
      hit = await limiter.hit(key);
    } catch (error) {
      next(error);
      return;
    }
    const { allowed, remaining, resetMs } = hit;
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
