import { LRUCache } from 'lru-cache';
import type { MarketoApi } from '../clients/marketo/types.js';
import type { Clock } from '../deps.js';
import type { Logger } from '../logger.js';

/**
 * Who Marketo says a browser is: the lead it associates with the browser's Munchkin cookie
 * (`_mkto_trk`), asked with Get Leads `filterType=cookies` (swagger-mapi getLeadsByFilterUsingGET).
 * Marketo makes that association itself (a form fill, a tracked email click, Associate Lead), so
 * a visitor cannot claim someone else's lead by typing their address; this is how Dynamic Chat
 * knows a visitor too.
 *
 * - Cached (lru-cache, bounded, on the injected clock): a found lead for `ttlMs` (1 h), no lead
 *   or a failed call for `missTtlMs` (10 min). Concurrent asks for one cookie share one call.
 * - Within the Marketo budget: every call goes through the shared client (its rate window,
 *   concurrency and daily quota), and this module starts at most `burst` calls at once and then
 *   one per `refillMs` (default 20 then one per 20 s: at most 4,320 a day, a sixth of Adobe's
 *   advised 50 per 20 s), so a flood of made-up cookies cannot spend the sync's budget. Past
 *   that the visitor is treated as anonymous and nothing is cached.
 * - Never slow: a caller waits at most `waitMs` (300 ms); a call still running then goes on and
 *   fills the cache for the visitor's next request.
 */
export interface MunchkinLookup {
  /**
   * The lead Marketo associates with the cookie, with its email as Marketo has it; undefined:
   * none, a lead without an email (an anonymous one), not known yet, or not asked.
   */
  leadFor(cookie: string): Promise<CookieLead | undefined>;
  stats(): MunchkinLookupStats;
}

export interface MunchkinLookupStats {
  /** Calls made to Marketo. */
  calls: number;
  /** Answers from the cache. */
  hits: number;
  /** Not asked: the bucket was empty, or the value is not a Munchkin cookie. */
  skipped: number;
  /** Callers that stopped waiting before Marketo answered. */
  timedOut: number;
}

export interface MunchkinLookupOptions {
  marketo: Pick<MarketoApi, 'getLeadsByCookie'>;
  clock: Clock;
  logger: Logger;
  waitMs?: number;
  /** Resolves after `ms`; injected so tests decide when the wait is over. */
  wait?: (ms: number) => Promise<void>;
  ttlMs?: number;
  missTtlMs?: number;
  maxEntries?: number;
  burst?: number;
  refillMs?: number;
}

export const DEFAULT_MUNCHKIN_WAIT_MS = 300;

/**
 * Munchkin's cookie: `id:<Munchkin id>&token:_mch-<domain>-<time>-<random>` (the swagger's
 * example: `id:123-XYZ-456&tooken:_mch-marketo.com-1594662481190-60776`). Anything else is not
 * worth a call.
 */
const MUNCHKIN_COOKIE = /^id:[A-Za-z0-9-]{1,40}&to{1,2}ken:_mch-[A-Za-z0-9._-]{1,150}$/;

export function isMunchkinCookie(value: string): boolean {
  return MUNCHKIN_COOKIE.test(value);
}

export interface CookieLead {
  id: number;
  email: string;
}

interface Entry {
  lead: CookieLead | null;
}

const TIMED_OUT: unique symbol = Symbol('timed out');

const realWait = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/**
 * The lookup for the service, from CHAT_COOKIE_LOOKUPS_PER_HOUR: bursts of up to 20, then that
 * rate; undefined for 0 (cookies identify no one).
 */
export function createMunchkinLookupPerHour(
  options: Omit<MunchkinLookupOptions, 'burst' | 'refillMs'>,
  perHour: number,
): MunchkinLookup | undefined {
  if (perHour <= 0) return undefined;
  return createMunchkinLookup({
    ...options,
    burst: Math.min(20, perHour),
    refillMs: Math.ceil(3_600_000 / perHour),
  });
}

export function createMunchkinLookup(options: MunchkinLookupOptions): MunchkinLookup {
  const { marketo, clock, logger } = options;
  const waitMs = options.waitMs ?? DEFAULT_MUNCHKIN_WAIT_MS;
  const wait = options.wait ?? realWait;
  const missTtlMs = options.missTtlMs ?? 10 * 60_000;
  const bucket = createTokenBucket(clock, options.burst ?? 20, options.refillMs ?? 20_000);
  const counts = { calls: 0, hits: 0, skipped: 0, timedOut: 0 };

  const cache = new LRUCache<string, Entry>({
    max: options.maxEntries ?? 10_000,
    ttl: options.ttlMs ?? 60 * 60_000,
    // The injected clock, read on every check (no 1 ms resolution timer).
    perf: { now: () => clock.now() },
    ttlResolution: 0,
    fetchMethod: async (cookie, _stale, { options: set }) => {
      if (!bucket.take()) {
        counts.skipped += 1;
        return undefined; // not cached: a later request may ask
      }
      counts.calls += 1;
      try {
        const { leads } = await marketo.getLeadsByCookie(cookie, ['email']);
        const email = leads[0]?.['email'];
        // One browser, one person: several leads (not expected) identify no one; nor does a
        // lead without an email ("Person Email Is Empty" is Dynamic Chat's anonymous visitor).
        if (leads.length === 1 && typeof email === 'string' && email.trim() !== '') {
          return { lead: { id: leads[0]!.id, email: email.trim().toLowerCase() } };
        }
        set.ttl = missTtlMs;
        return { lead: null };
      } catch (error) {
        logger.warn({ err: error }, 'Munchkin cookie lookup failed; visitor treated as anonymous');
        set.ttl = missTtlMs;
        return { lead: null };
      }
    },
  });

  return {
    async leadFor(cookie) {
      if (!isMunchkinCookie(cookie)) {
        counts.skipped += 1;
        return undefined;
      }
      const cached = cache.get(cookie);
      if (cached !== undefined) {
        counts.hits += 1;
        return cached.lead ?? undefined;
      }
      const answer = await Promise.race([
        cache.fetch(cookie),
        wait(waitMs).then((): typeof TIMED_OUT => TIMED_OUT),
      ]);
      if (answer === TIMED_OUT) {
        counts.timedOut += 1;
        return undefined;
      }
      return answer?.lead ?? undefined;
    },
    stats: () => ({ ...counts }),
  };
}

/** `burst` tokens, one more every `refillMs` up to `burst`, on the injected clock. */
function createTokenBucket(clock: Clock, burst: number, refillMs: number) {
  let tokens = burst;
  let at = clock.now();
  return {
    take(): boolean {
      const now = clock.now();
      const refilled = Math.floor((now - at) / refillMs);
      if (refilled > 0) {
        tokens = Math.min(burst, tokens + refilled);
        at = tokens === burst ? now : at + refilled * refillMs;
      }
      if (tokens === 0) return false;
      tokens -= 1;
      return true;
    },
  };
}
