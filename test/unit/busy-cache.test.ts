import { describe, expect, it } from 'vitest';
import { createBusyCache } from '../../src/calendar/busy-cache.js';
import type { Interval } from '../../src/calendar/calendar-types.js';
import { createManualClock } from '../../src/deps.js';

const T0 = Date.UTC(2026, 2, 2, 0, 0);
const HOUR = 3_600_000;
const day = (n: number): Interval => ({ start: T0 + n * 24 * HOUR, end: T0 + (n + 1) * 24 * HOUR });
const busyAt = (hour: number): Interval => ({
  start: T0 + hour * HOUR,
  end: T0 + (hour + 1) * HOUR,
});

/** A loader that counts its calls and answers `busy`. */
function loader(busy: Interval[] = [busyAt(9)]) {
  const calls: number[] = [];
  return {
    calls,
    load: () => {
      calls.push(calls.length + 1);
      return Promise.resolve(busy);
    },
  };
}

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createBusyCache', () => {
  it.each([
    ['just before the TTL', 59_999, 1],
    ['at the TTL', 60_000, 2],
    ['well after the TTL', 10 * 60_000, 2],
  ])(
    'when the same key is asked again %s, then the loader has run %i time(s)',
    async (_n, wait, loads) => {
      const clock = createManualClock(T0);
      const cache = createBusyCache({ clock });
      const { calls, load } = loader();
      await cache.get({ agentId: 'a1', range: day(0) }, load);
      clock.advance(wait);
      expect(await cache.get({ agentId: 'a1', range: day(0) }, load)).toEqual([busyAt(9)]);
      expect(calls).toHaveLength(loads);
    },
  );

  it('when many keys pass through, then the size never exceeds the bound and the oldest go first', async () => {
    const cache = createBusyCache({ clock: createManualClock(T0), maxEntries: 5 });
    for (let n = 0; n < 50; n += 1) {
      await cache.get({ agentId: `a${n % 7}`, range: day(n) }, loader().load);
      expect(cache.stats().size).toBeLessThanOrEqual(5);
    }
    const recent = loader();
    await cache.get({ agentId: `a${49 % 7}`, range: day(49) }, recent.load);
    const evicted = loader();
    await cache.get({ agentId: 'a0', range: day(0) }, evicted.load);
    expect([recent.calls.length, evicted.calls.length]).toEqual([0, 1]);
  });

  it('when an entry is read, then it becomes the most recent and survives eviction', async () => {
    const cache = createBusyCache({ clock: createManualClock(T0), maxEntries: 2 });
    await cache.get({ agentId: 'a', range: day(0) }, loader().load);
    await cache.get({ agentId: 'b', range: day(0) }, loader().load);
    await cache.get({ agentId: 'a', range: day(0) }, loader().load); // a is now the newest
    await cache.get({ agentId: 'c', range: day(0) }, loader().load); // evicts b
    const a = loader();
    const b = loader();
    await cache.get({ agentId: 'a', range: day(0) }, a.load);
    await cache.get({ agentId: 'b', range: day(0) }, b.load);
    expect([a.calls.length, b.calls.length]).toEqual([0, 1]);
  });

  it('when 10 gets of one key arrive together, then one load answers them all', async () => {
    const cache = createBusyCache({ clock: createManualClock(T0) });
    const pending = deferred<Interval[]>();
    let calls = 0;
    const load = () => {
      calls += 1;
      return pending.promise;
    };
    const gets = Array.from({ length: 10 }, () =>
      cache.get({ agentId: 'a1', range: day(0) }, load),
    );
    expect(cache.stats()).toMatchObject({ misses: 1, joined: 9, inFlight: 1 });
    pending.resolve([busyAt(10)]);
    const answers = await Promise.all(gets);
    expect(calls).toBe(1);
    expect(answers.every((a) => a.length === 1 && a[0]?.start === busyAt(10).start)).toBe(true);
    expect(cache.stats()).toMatchObject({ size: 1, inFlight: 0 });
  });

  it.each([
    ['rejects', () => Promise.reject(new Error('provider down'))],
    [
      'throws before returning a promise',
      () => {
        throw new Error('provider down');
      },
    ],
  ])('when the loader %s, then every waiter fails and nothing is cached', async (_n, failing) => {
    const cache = createBusyCache({ clock: createManualClock(T0) });
    const key = { agentId: 'a1', range: day(0) };
    const first = cache.get(key, failing as () => Promise<Interval[]>);
    const second = cache.get(key, failing as () => Promise<Interval[]>);
    await expect(first).rejects.toThrow('provider down');
    await expect(second).rejects.toThrow('provider down');
    expect(cache.stats()).toMatchObject({ size: 0, inFlight: 0 });
    const retry = loader();
    expect(await cache.get(key, retry.load)).toEqual([busyAt(9)]);
    expect(retry.calls).toHaveLength(1);
  });

  it('when an agent is invalidated, then only that agent loads again', async () => {
    const cache = createBusyCache({ clock: createManualClock(T0) });
    await cache.get({ agentId: 'a1', range: day(0) }, loader().load);
    await cache.get({ agentId: 'a1', range: day(1) }, loader().load);
    await cache.get({ agentId: 'a2', range: day(0) }, loader().load);
    cache.invalidate('a1');
    expect(cache.stats().size).toBe(1);
    const a1 = loader();
    const a2 = loader();
    await cache.get({ agentId: 'a1', range: day(0) }, a1.load);
    await cache.get({ agentId: 'a2', range: day(0) }, a2.load);
    expect([a1.calls.length, a2.calls.length]).toEqual([1, 0]);
  });

  it('when an agent is invalidated during a load, then that load answers its waiters but is not kept', async () => {
    const cache = createBusyCache({ clock: createManualClock(T0) });
    const key = { agentId: 'a1', range: day(0) };
    const stale = deferred<Interval[]>();
    const before = cache.get(key, () => stale.promise);
    cache.invalidate('a1');
    const fresh = loader([busyAt(11)]);
    // The new get does not join the stale load, and the stale load lands last.
    expect(await cache.get(key, fresh.load)).toEqual([busyAt(11)]);
    stale.resolve([busyAt(9)]);
    expect(await before).toEqual([busyAt(9)]);
    expect(await cache.get(key, loader().load)).toEqual([busyAt(11)]);
    expect(fresh.calls).toHaveLength(1);
  });

  it('when a range lies inside a fresh cached range of the agent, then it is served from it', async () => {
    const cache = createBusyCache({ clock: createManualClock(T0) });
    const week = { start: day(0).start, end: day(6).end };
    await cache.get(
      { agentId: 'a1', range: week },
      loader([busyAt(9), busyAt(33), busyAt(57)]).load,
    );
    const inner = loader();
    expect(await cache.get({ agentId: 'a1', range: day(1) }, inner.load)).toEqual([busyAt(33)]);
    const other = loader();
    await cache.get({ agentId: 'a2', range: day(1) }, other.load);
    expect([inner.calls.length, other.calls.length]).toEqual([0, 1]);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2 });
  });

  it('when a caller edits its answer, then the cache is unchanged', async () => {
    const cache = createBusyCache({ clock: createManualClock(T0) });
    const key = { agentId: 'a1', range: day(0) };
    const first = await cache.get(key, loader().load);
    first[0]!.start = 0;
    first.push(busyAt(20));
    expect(await cache.get(key, loader().load)).toEqual([busyAt(9)]);
  });

  it.each([
    [{ ttlMs: -1 }, /ttlMs/],
    [{ maxEntries: 0 }, /maxEntries/],
    [{ maxEntries: 1.5 }, /maxEntries/],
  ])('when options are %o, then creation is refused', (options, message) => {
    expect(() => createBusyCache({ clock: createManualClock(T0), ...options })).toThrow(message);
  });
});
