import { maxCallsInWindow, type CallLogEntry } from '../../src/sandbox/index.js';

export interface WindowFigures {
  calls: number;
  /** Most calls arriving inside one sliding window (the sandbox limiter's rule). */
  maxInWindow: number;
  /**
   * Calls per window on average over the busy span (first to last call of everyone's log,
   * counted as span / window + 1 windows, so a full budget all along reads as the limit).
   */
  meanPerWindow: number;
}

/**
 * Calls per rate window of each API user (a replica) and of all together, from the sandbox's
 * call log: the figures the replica test asserts and prints.
 */
export function callsPerWindow(
  log: readonly CallLogEntry[],
  windowMs: number,
  clientIds: readonly string[],
): { byClient: Record<string, WindowFigures>; total: WindowFigures } {
  const first = Math.min(...log.map((entry) => entry.at));
  const last = Math.max(...log.map((entry) => entry.at));
  const windows = log.length === 0 ? 1 : (last - first) / windowMs + 1;
  const figures = (times: number[]): WindowFigures => ({
    calls: times.length,
    maxInWindow: maxCallsInWindow(times, windowMs),
    meanPerWindow: Math.round((times.length / windows) * 10) / 10,
  });
  const byClient = Object.fromEntries(
    clientIds.map((id) => [
      id,
      figures(log.filter((entry) => entry.clientId === id).map((entry) => entry.at)),
    ]),
  );
  return { byClient, total: figures(log.map((entry) => entry.at)) };
}

/** One line per replica and one for all, for the test's output. */
export function formatCallsPerWindow(
  figures: ReturnType<typeof callsPerWindow>,
  windowMs: number,
  limit: number,
): string {
  const line = (name: string, f: WindowFigures) =>
    `  ${name.padEnd(10)} calls ${String(f.calls).padStart(4)}  max per ${windowMs} ms window ` +
    `${String(f.maxInWindow).padStart(3)}  mean per window ${f.meanPerWindow}`;
  return [
    `Marketo calls per window (limit ${limit} per ${windowMs} ms, shared):`,
    ...Object.entries(figures.byClient).map(([id, f]) => line(id, f)),
    line('all', figures.total),
  ].join('\n');
}
