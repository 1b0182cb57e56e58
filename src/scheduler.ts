/**
 * Timers as a dependency, like the clock (STYLE.md rule 8): production uses Node's timers,
 * tests a manual scheduler that runs what is due when the test moves time, so no test sleeps.
 */
export interface Scheduler {
  /** Runs `fn` once after `ms`. The timer never keeps the process alive by itself. */
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

export const systemScheduler: Scheduler = {
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

/**
 * A scheduler driven by a manual clock: `advance(ms)` moves the clock and runs every timer that
 * falls due on the way, in order, with the clock set to each one's time.
 */
export function createManualScheduler(clock: { now(): number; set(ms: number): void }) {
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const scheduler: Scheduler = {
    setTimeout(fn, ms) {
      const id = (seq += 1);
      timers.set(id, { at: clock.now() + Math.max(0, ms), fn });
      return { cancel: () => void timers.delete(id) };
    },
  };
  return {
    ...scheduler,
    /** Timers not yet run. */
    pending: () => timers.size,
    advance(ms: number): void {
      const until = clock.now() + ms;
      for (;;) {
        let next: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of timers) {
          if (entry[1].at <= until && (next === undefined || entry[1].at < next[1].at))
            next = entry;
        }
        if (next === undefined) break;
        timers.delete(next[0]);
        clock.set(Math.max(clock.now(), next[1].at));
        next[1].fn();
      }
      clock.set(until);
    },
  };
}
