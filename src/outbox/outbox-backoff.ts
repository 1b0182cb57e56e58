/** When a failed outbox item is tried again. */
export interface OutboxBackoffOptions {
  /** Delay after the first failed attempt, before jitter (default 1 s). */
  baseMs?: number;
  /** Longest delay (default 1 h). */
  maxMs?: number;
}

export const DEFAULT_BACKOFF_BASE_MS = 1_000;
export const DEFAULT_BACKOFF_MAX_MS = 3_600_000;

/**
 * Pure: the delay after failed attempt `attempt` (1-based). Doubles per attempt from `baseMs`
 * up to `maxMs`, then "equal jitter": a random point in the upper half [d/2, d]. Jitter spreads
 * the retries of many callbacks that failed together (a Marketo outage) so they do not return
 * as one burst; keeping the lower half out means the gaps still grow from one attempt to the
 * next, which full jitter ([0, d]) would not promise (research A5: "the retry gaps grow").
 */
export function outboxBackoffMs(
  attempt: number,
  random: () => number = Math.random,
  options: OutboxBackoffOptions = {},
): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF_BASE_MS;
  const max = options.maxMs ?? DEFAULT_BACKOFF_MAX_MS;
  const exponent = Math.max(0, Math.min(attempt - 1, 40));
  const ceiling = Math.min(max, base * 2 ** exponent);
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
