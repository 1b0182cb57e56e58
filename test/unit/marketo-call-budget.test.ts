import Bottleneck from 'bottleneck';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SlidingWindowCallBudget } from '../../src/clients/marketo/call-budget.js';

// Time is vitest's fake clock (Date, setTimeout and Bottleneck's own timers with it), moved a
// millisecond at a time: the budget's waits and the calls' latencies are exact, so no figure
// depends on how busy the machine is (the real-clock version of this file failed under load).
beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
});
afterEach(() => {
  vi.useRealTimers();
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** The budget's wait on the fake clock, ended early by its abort signal. */
function fakeSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/** Moves the fake clock a millisecond at a time until `work` settles. */
async function settle<T>(work: Promise<T>): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  void work.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  for (let ms = 0; outcome === undefined; ms++) {
    if (ms > 60_000) throw new Error('work never settled');
    await vi.advanceTimersByTimeAsync(1);
  }
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

// Marketo's 20 s window shrunk to 200 ms (+20 ms margin): the same rules, 100x faster.
const WINDOW = 200;
const MARGIN = 20;
const LIMIT = 5;
const SPAN = WINDOW + MARGIN;

/** Deterministic latencies: a small linear congruential generator. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Wraps a budget so every call records when it really started and how many were running. */
function instrument(budget: SlidingWindowCallBudget) {
  const starts: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const call = (latencyMs: number) =>
    budget.run(async () => {
      starts.push(Date.now());
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await delay(latencyMs);
      inFlight -= 1;
    });
  return { call, starts, maxInFlight: () => maxInFlight };
}

/**
 * The most starts found in any half-open window [t, t + span). The test reads Date.now() a
 * few microseconds after the budget stamps the start, which can cross a millisecond: callers
 * allow 1 ms for that (in production the margin absorbs far more).
 */
function mostStartsInAnyWindow(starts: number[], span: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  sorted.forEach((start, i) => {
    const inWindow = sorted.slice(i).filter((s) => s < start + span).length;
    most = Math.max(most, inWindow);
  });
  return most;
}

/**
 * One call now, four just before a fixed period of SPAN would end, then five right after the
 * boundary: a reservoir refilled every SPAN lets ten calls start within about 40 ms.
 */
async function boundaryBurst(run: (fn: () => Promise<void>) => Promise<void>) {
  const starts: number[] = [];
  const call = () => run(async () => void starts.push(Date.now()));
  const begin = Date.now();
  await call();
  await delay(180 - (Date.now() - begin));
  await Promise.all(Array.from({ length: 4 }, call));
  await delay(SPAN - 15 - (Date.now() - begin));
  await Promise.all(Array.from({ length: 5 }, call));
  return starts;
}

function createBudget(maxConcurrency = 3) {
  return new SlidingWindowCallBudget({
    rateLimit: LIMIT,
    rateWindowMs: WINDOW,
    rateMarginMs: MARGIN,
    maxConcurrency,
    clock: { now: () => Date.now() },
    sleep: fakeSleep,
  });
}

describe('SlidingWindowCallBudget', () => {
  it('when 30 calls of random latency run, then no window holds more than the limit, concurrency holds, and the rate is used', async () => {
    const budget = createBudget(3);
    const { call, starts, maxInFlight } = instrument(budget);
    const random = seededRandom(42);

    await settle(Promise.all(Array.from({ length: 30 }, () => call(Math.floor(random() * 25)))));

    expect(starts).toHaveLength(30);
    expect(mostStartsInAnyWindow(starts, SPAN - 1)).toBeLessThanOrEqual(LIMIT);
    expect(maxInFlight()).toBeLessThanOrEqual(3);
    // 30 calls at 5 per 220 ms: the last batch can start 5 windows after the first. Taking
    // much longer would mean the budget wastes Marketo's allowance (we ask for ≥ 90% of it).
    const span = Math.max(...starts) - Math.min(...starts);
    const ideal = (30 / LIMIT - 1) * SPAN;
    expect(span).toBeGreaterThanOrEqual(ideal - 5);
    expect(span).toBeLessThanOrEqual(ideal / 0.9);

    const stats = budget.stats();
    expect(stats).toMatchObject({ started: 30, maxInWindow: LIMIT, inFlight: 0, queued: 0 });
    expect(stats.maxInFlight).toBeLessThanOrEqual(3);
  });

  it('when calls bunch up at the end of one window and the start of the next, then they are not let through twice over (no fixed-reservoir burst)', async () => {
    const budget = createBudget(10);
    const starts = await settle(boundaryBurst((fn) => budget.run(fn)));

    const [t0 = 0, t1 = 0] = starts;
    const next = starts.slice(5);
    expect(mostStartsInAnyWindow(starts, SPAN - 1)).toBeLessThanOrEqual(LIMIT);
    // The sixth call waits until the first leaves the window; the rest until the late four do.
    expect(Math.min(...next)).toBeGreaterThanOrEqual(t0 + SPAN - 1);
    expect(next.filter((s) => s < t1 + SPAN - 1)).toHaveLength(1);
  });

  it('when the same burst meets a reservoir refilled every window, then it does go through twice over (the check above can fail)', async () => {
    const reservoir = new Bottleneck({
      reservoir: LIMIT,
      reservoirRefreshAmount: LIMIT,
      reservoirRefreshInterval: SPAN,
    });
    const starts = await settle(boundaryBurst((fn) => reservoir.schedule(fn)));
    expect(mostStartsInAnyWindow(starts, SPAN)).toBeGreaterThan(LIMIT);
    await reservoir.stop({ dropWaitingJobs: true });
  });

  it('when a call fails, then its error comes back and its slot is freed', async () => {
    const budget = createBudget(1);
    await expect(settle(budget.run(() => Promise.reject(new Error('boom'))))).rejects.toThrow(
      'boom',
    );
    await expect(settle(budget.run(() => Promise.resolve('ok')))).resolves.toBe('ok');
    expect(budget.stats()).toMatchObject({ started: 2, inFlight: 0, maxInFlight: 1 });
  });

  it('when the budget is abandoned while calls wait for room and for a slot, then they reject at once unsent, the call in flight finishes, and later calls are refused', async () => {
    const budget = createBudget(2);
    const sent: string[] = [];
    const call = (name: string, latencyMs: number) =>
      budget.run(async () => {
        sent.push(name);
        await delay(latencyMs);
        return name;
      });
    // Five quick calls fill the window; the sixth waits for room, the seventh for a slot.
    await settle(Promise.all(['a', 'b', 'c', 'd'].map((name) => call(name, 1))));
    const inFlight = call('e', 50);
    const waitingForRoom = call('f', 1);
    const waitingForSlot = call('g', 1);
    const outcomes = [inFlight, waitingForRoom, waitingForSlot].map((p) =>
      p.then(
        (value) => ({ value, at: Date.now() }),
        (error: unknown) => ({ error, at: Date.now() }),
      ),
    );
    await vi.advanceTimersByTimeAsync(10);
    expect(budget.stats()).toMatchObject({ inFlight: 1, queued: 2 });

    const stopped = new Error('stopping');
    const abandonedAt = Date.now();
    budget.abandonWaiting(stopped);
    const [e, f, g] = await settle(Promise.all(outcomes));
    expect(f).toEqual({ error: stopped, at: abandonedAt });
    expect(g).toEqual({ error: stopped, at: abandonedAt });
    expect(e).toMatchObject({ value: 'e' });
    await expect(budget.run(() => Promise.resolve('late'))).rejects.toBe(stopped);
    await expect(budget.runUncounted(() => Promise.resolve('late'))).rejects.toBe(stopped);
    // Let any job still in Bottleneck's queue reach a slot: none of them is sent.
    await vi.advanceTimersByTimeAsync(SPAN * 2);
    expect(sent).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(budget.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('when options are nonsense, then the budget refuses to start', () => {
    const options = { rateLimit: 5, rateWindowMs: 200, rateMarginMs: 0, maxConcurrency: 1 };
    expect(() => new SlidingWindowCallBudget({ ...options, rateLimit: 0 })).toThrow(RangeError);
    expect(() => new SlidingWindowCallBudget({ ...options, rateMarginMs: -1 })).toThrow(RangeError);
  });
});
