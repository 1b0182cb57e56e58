import type { Clock } from '../deps.js';
import type { Interval } from './calendar-types.js';

/**
 * A small in-memory cache of free/busy answers, so a visitor paging through a week, or a pool
 * of agents asked for the same days, does not call Google or Graph once per request (both
 * meter free/busy queries per user and per app).
 *
 * - Fresh for `ttlMs` (60 s) counted from when the load started (the answer is as old as the
 *   question): short, because it feeds slots a visitor is about to book. The commit-time
 *   recheck should ask the provider itself, not this cache.
 * - At most `maxEntries` (500), least recently used evicted first.
 * - Single flight: concurrent gets of one key share one load. A failed load is not kept;
 *   everyone waiting on it sees the failure and the next get loads again.
 * - A range inside a fresh cached range of the same agent is answered from it (the busy
 *   intervals that overlap the smaller range, unclipped, as a provider would return them).
 * - `invalidate(agentId)` after a booking, a cancellation or a revoked grant drops the agent's
 *   entries, and a load already in flight for the agent is not stored when it lands (it may
 *   have been read before the change).
 */

export interface BusyCacheKey {
  agentId: string;
  range: Interval;
}

export interface BusyCacheStats {
  size: number;
  /** Answered from a fresh entry (the same range or a larger one). */
  hits: number;
  /** Loads started. */
  misses: number;
  /** Gets that joined a load already in flight. */
  joined: number;
  inFlight: number;
}

export interface BusyCache {
  get(key: BusyCacheKey, load: () => Promise<Interval[]>): Promise<Interval[]>;
  invalidate(agentId: string): void;
  stats(): BusyCacheStats;
}

export interface BusyCacheOptions {
  clock: Clock;
  ttlMs?: number;
  maxEntries?: number;
}

interface Entry {
  agentId: string;
  range: Interval;
  busy: readonly Interval[];
  expiresAt: number;
}

export const DEFAULT_BUSY_TTL_MS = 60_000;
export const DEFAULT_BUSY_MAX_ENTRIES = 500;

export function createBusyCache(options: BusyCacheOptions): BusyCache {
  const { clock } = options;
  const ttlMs = options.ttlMs ?? DEFAULT_BUSY_TTL_MS;
  const maxEntries = options.maxEntries ?? DEFAULT_BUSY_MAX_ENTRIES;
  if (!(ttlMs >= 0)) throw new RangeError(`ttlMs must be >= 0, got ${ttlMs}`);
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }

  /** Map order is recency order: the first key is the least recently used. */
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, { agentId: string; promise: Promise<Interval[]> }>();
  /** Bumped by invalidate, so a load that started before it is not stored. */
  const generations = new Map<string, number>();
  const counts = { hits: 0, misses: 0, joined: 0 };

  const keyOf = ({ agentId, range }: BusyCacheKey): string =>
    JSON.stringify([agentId, range.start, range.end]);

  const touch = (key: string, entry: Entry): void => {
    entries.delete(key);
    entries.set(key, entry);
  };

  /** A fresh entry of the agent whose range holds `range`; expired ones met on the way go. */
  function findCovering(
    agentId: string,
    range: Interval,
    now: number,
  ): [string, Entry] | undefined {
    for (const [key, entry] of entries) {
      if (entry.agentId !== agentId) continue;
      if (now >= entry.expiresAt) {
        entries.delete(key);
        continue;
      }
      if (entry.range.start <= range.start && range.end <= entry.range.end) return [key, entry];
    }
    return undefined;
  }

  function store(key: string, entry: Entry): void {
    entries.delete(key);
    entries.set(key, entry);
    for (const oldest of entries.keys()) {
      if (entries.size <= maxEntries) break;
      entries.delete(oldest);
    }
  }

  return {
    get(cacheKey, load) {
      const key = keyOf(cacheKey);
      const { agentId, range } = cacheKey;
      const now = clock.now();
      const covering = findCovering(agentId, range, now);
      if (covering !== undefined) {
        const [coveringKey, entry] = covering;
        touch(coveringKey, entry);
        counts.hits += 1;
        return Promise.resolve(
          entry.busy.filter((b) => b.start < range.end && range.start < b.end).map(copy),
        );
      }
      const pending = inFlight.get(key);
      if (pending !== undefined) {
        counts.joined += 1;
        return pending.promise.then((busy) => busy.map(copy));
      }

      counts.misses += 1;
      const generation = generations.get(agentId) ?? 0;
      // Started on a later tick so a loader that throws synchronously still rejects here.
      const promise: Promise<Interval[]> = Promise.resolve()
        .then(load)
        .then((loaded) => {
          const busy = loaded.map(copy);
          if ((generations.get(agentId) ?? 0) === generation) {
            store(key, { agentId, range: { ...range }, busy, expiresAt: now + ttlMs });
          }
          return busy;
        })
        .finally(() => {
          if (inFlight.get(key)?.promise === promise) inFlight.delete(key);
        });
      inFlight.set(key, { agentId, promise });
      return promise.then((busy) => busy.map(copy));
    },

    invalidate(agentId) {
      generations.set(agentId, (generations.get(agentId) ?? 0) + 1);
      for (const [key, entry] of entries) if (entry.agentId === agentId) entries.delete(key);
      for (const [key, pending] of inFlight) if (pending.agentId === agentId) inFlight.delete(key);
    },

    stats() {
      return { size: entries.size, ...counts, inFlight: inFlight.size };
    },
  };
}

/** Callers get their own objects: a caller that edits its answer cannot edit the cache. */
const copy = (interval: Interval): Interval => ({ start: interval.start, end: interval.end });
