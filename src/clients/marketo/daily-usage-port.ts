import { z } from 'zod';

/** Marketo calls counted per Marketo day (midnight US Central to midnight), as persisted. */
export const dailyUsageSchema = z.object({
  /** The Marketo day, `YYYY-MM-DD` in America/Chicago. */
  day: z.string(),
  calls: z.number().int(),
  /** Set after a 607 (daily quota reached): no calls until this epoch ms. */
  pausedUntil: z.number().optional(),
  /** Errors Marketo answered, by code, since counting began (kept across days and restarts). */
  errorsByCode: z.record(z.string(), z.number().int().nonnegative()).optional(),
});
export type DailyUsage = z.infer<typeof dailyUsageSchema>;

/** What one process counted since it last merged. */
export interface DailyUsageDelta {
  day: string;
  calls: number;
  errorsByCode: Record<string, number>;
  pausedUntil?: number | undefined;
}

/**
 * Where the client keeps its daily usage (the client owns this port; the store or Redis
 * implement it). A merge adds what this process counted and answers the totals, which with a
 * shared implementation include every replica's calls and a pause any of them met.
 */
export interface DailyUsagePort {
  merge(delta: DailyUsageDelta): Promise<DailyUsage>;
}

/** The one-process persistence the stores offer (load once at start, save the totals). */
export interface DailyUsageStore {
  loadUsage(): Promise<DailyUsage | undefined>;
  saveUsage(usage: DailyUsage): Promise<void>;
}

/** Adds a delta to totals: a new day starts at zero calls and no pause; errors always add up. */
export function addDailyUsage(base: DailyUsage | undefined, delta: DailyUsageDelta): DailyUsage {
  const sameDay = base?.day === delta.day;
  const errors = { ...base?.errorsByCode };
  for (const [code, count] of Object.entries(delta.errorsByCode)) {
    errors[code] = (errors[code] ?? 0) + count;
  }
  const paused = Math.max((sameDay ? base.pausedUntil : undefined) ?? 0, delta.pausedUntil ?? 0);
  return {
    day: delta.day,
    calls: (sameDay ? base.calls : 0) + delta.calls,
    ...(paused > 0 ? { pausedUntil: paused } : {}),
    ...(Object.keys(errors).length > 0 ? { errorsByCode: errors } : {}),
  };
}

/** The port over a one-process store: the totals live here and are saved whole. */
export async function createStoreDailyUsage(store: DailyUsageStore): Promise<{
  port: DailyUsagePort;
  initial: DailyUsage | undefined;
}> {
  const initial = await store.loadUsage();
  let totals = initial;
  return {
    initial,
    port: {
      async merge(delta) {
        const next = addDailyUsage(totals, delta);
        totals = next;
        await store.saveUsage({ ...next });
        return next;
      },
    },
  };
}
