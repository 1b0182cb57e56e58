import { randomUUID } from 'node:crypto';

/** Wall-clock time in epoch milliseconds. Injected so tests are deterministic. */
export interface Clock {
  now(): number;
}

/** Unique id source. Injected so tests can predict ids. */
export interface Ids {
  next(): string;
}

export const systemClock: Clock = { now: () => Date.now() };

export const randomIds: Ids = { next: () => randomUUID() };

/** A clock the test moves by hand. */
export function createManualClock(start = Date.UTC(2026, 10, 24, 12, 0, 0)): Clock & {
  set(ms: number): void;
  advance(ms: number): void;
} {
  let current = start;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

/** Sequential ids: `${prefix}-1`, `${prefix}-2`, ... */
export function createSequentialIds(prefix = 'id'): Ids {
  let n = 0;
  return { next: () => `${prefix}-${++n}` };
}

/**
 * Real time plus an offset that only moves forward: a sandbox Marketo's clock that a test or
 * benchmark jumps ahead (activity dates, the HTTP Date) while its rate window still sees real
 * time pass.
 */
export function createShiftedClock(start = 0): Clock & { advance(ms: number): void } {
  let offset = start;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += Math.max(0, ms);
    },
  };
}
