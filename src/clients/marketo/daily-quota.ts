import { DateTime } from 'luxon';
import type { Clock } from '../../deps.js';
import type { Logger } from '../../logger.js';
import { systemScheduler, type Scheduler } from '../../scheduler.js';
import type { DailyUsage, DailyUsageDelta, DailyUsagePort } from './daily-usage-port.js';
import { MarketoApiError } from './marketo-error.js';

/**
 * Marketo's daily quota "resets daily at 12:00 AM CST" (help/rest-api/rest-api.md). We read
 * that as midnight in America/Chicago, so the day is 23 h long in March and 25 h in November.
 */
export const MARKETO_TIME_ZONE = 'America/Chicago';

/** The Marketo day `epochMs` falls in, `YYYY-MM-DD` in US Central. */
export function marketoDayKey(epochMs: number): string {
  return DateTime.fromMillis(epochMs, { zone: MARKETO_TIME_ZONE }).toISODate() ?? '';
}

/** Epoch ms of the next midnight in US Central after `epochMs` (when the quota resets). */
export function nextMarketoReset(epochMs: number): number {
  return DateTime.fromMillis(epochMs, { zone: MARKETO_TIME_ZONE })
    .startOf('day')
    .plus({ days: 1 })
    .toMillis();
}

export interface DailyQuotaOptions {
  /** Calls we allow ourselves per Marketo day (the subscription has ≥ 10,000; often 50,000). */
  dailyQuota: number;
  clock: Clock;
  logger: Logger;
  /**
   * Where the count lives, with its totals read at start: the store's (createStoreDailyUsage,
   * one process; keeps today's count and any pause across restarts) or one shared by replicas.
   */
  usage?: { port: DailyUsagePort; initial: DailyUsage | undefined } | undefined;
  /** At most one save per this many ms while calls flow. */
  saveIntervalMs?: number;
  /** Runs the delayed save (tests pass a manual one). */
  scheduler?: Scheduler;
}

/**
 * Calls that may still be sent today: none while paused (after 607, or at the budget), so a
 * status never shows thousands left while every call is refused.
 */
export function callsRemaining(usage: {
  dailyQuota: number;
  callsToday: number;
  pausedUntil: number | undefined;
}): number {
  return usage.pausedUntil !== undefined ? 0 : Math.max(0, usage.dailyQuota - usage.callsToday);
}

/**
 * Counts every call sent (retries included, identity excluded) per Marketo day and stops
 * sending once the count reaches `dailyQuota` or Marketo answers 607: until the next reset
 * every call fails fast with MARKETO_DAILY_QUOTA and nothing is sent. Also keeps the count of
 * errors by code (since the store began, not per day), saved with the usage so a restart keeps
 * it. With a shared port (Redis) each merge brings in the other replicas' calls and any pause
 * they met, at most `saveIntervalMs` apart while calls flow: together the replicas may pass
 * the budget by what they send in one interval (a few calls at Marketo's 100 per 20 s), so
 * the budget stays a little under the subscription's quota and a 607 still pauses everyone.
 */
export class DailyQuota {
  /** Totals as last merged, plus what this process counted since (`pending`). */
  private usage: DailyUsage;
  private pending: DailyUsageDelta;
  private readonly port: DailyUsagePort | undefined;
  private saveTimer: { cancel(): void } | undefined;
  private saving: Promise<void> = Promise.resolve();
  private readonly saveIntervalMs: number;

  constructor(private readonly options: DailyQuotaOptions) {
    this.saveIntervalMs = options.saveIntervalMs ?? 1000;
    const now = options.clock.now();
    const today = marketoDayKey(now);
    const persisted = options.usage;
    this.port = persisted?.port;
    const stored = persisted?.initial;
    this.pending = { day: today, calls: 0, errorsByCode: {} };
    this.usage = { day: today, calls: stored?.day === today ? stored.calls : 0 };
    if (stored?.errorsByCode !== undefined) this.usage.errorsByCode = { ...stored.errorsByCode };
    if (stored?.pausedUntil !== undefined && stored.pausedUntil > now) {
      this.usage.pausedUntil = stored.pausedUntil;
    }
  }

  /** Throws MARKETO_DAILY_QUOTA when no call may be sent now. */
  assertCanCall(endpoint: string): void {
    const now = this.rollOver();
    if (this.usage.pausedUntil === undefined && this.usage.calls >= this.options.dailyQuota) {
      this.pause(now, 'local daily quota reached');
    }
    const pausedUntil = this.usage.pausedUntil;
    if (pausedUntil !== undefined) {
      throw this.quotaError(endpoint, pausedUntil, { reason: 'paused' });
    }
  }

  /** Counts one call about to be sent. */
  recordCall(): void {
    this.rollOver();
    this.usage.calls += 1;
    this.pending.calls += 1;
    this.scheduleSave();
  }

  /** Counts one error Marketo (or the network) answered, by code. */
  recordError(code: string): void {
    const errors = { ...this.usage.errorsByCode };
    errors[code] = (errors[code] ?? 0) + 1;
    this.usage.errorsByCode = errors;
    this.pending.errorsByCode[code] = (this.pending.errorsByCode[code] ?? 0) + 1;
    this.scheduleSave();
  }

  errorsByCode(): Record<string, number> {
    return { ...this.usage.errorsByCode };
  }

  /** Marketo answered 607: pause until the reset. Returns the reset time. */
  pauseUntilReset(): number {
    const now = this.rollOver();
    return this.pause(now, 'Marketo answered 607 (daily quota reached)');
  }

  quotaError(
    endpoint: string,
    retryAt: number,
    extra: { reason: string; marketoCode?: string; requestId?: string; quota?: string },
  ): MarketoApiError {
    const iso = new Date(retryAt).toISOString();
    const what = extra.quota === 'bulk-export' ? 'bulk export quota' : 'daily API quota';
    return new MarketoApiError(
      'MARKETO_DAILY_QUOTA',
      `Marketo ${what} is used up; ${endpoint} not sent until ${iso}`,
      {
        endpoint,
        marketoCode: extra.marketoCode,
        requestId: extra.requestId,
        action: 'wait-for-quota',
        retryable: true,
        details: {
          retryAt: iso,
          reason: extra.reason,
          quota: extra.quota ?? 'daily-api',
          callsToday: this.usage.calls,
          dailyQuota: this.options.dailyQuota,
        },
      },
    );
  }

  snapshot(): { day: string; callsToday: number; pausedUntil: number | undefined } {
    this.rollOver();
    return {
      day: this.usage.day,
      callsToday: this.usage.calls,
      pausedUntil: this.usage.pausedUntil,
    };
  }

  /** Saves now (and waits for any save in progress). */
  async flush(): Promise<void> {
    this.saveTimer?.cancel();
    this.saveTimer = undefined;
    await this.save();
  }

  private pause(now: number, reason: string): number {
    const until = nextMarketoReset(now);
    if (this.usage.pausedUntil !== until) {
      this.usage.pausedUntil = until;
      this.pending.pausedUntil = until;
      this.options.logger.warn(
        { callsToday: this.usage.calls, pausedUntil: new Date(until).toISOString() },
        `Marketo calls paused: ${reason}`,
      );
      // A pause matters across restarts: save it now rather than on the next tick.
      void this.flush().catch(() => undefined);
    }
    return until;
  }

  /** Starts a new Marketo day when midnight Central has passed. Returns now. */
  private rollOver(): number {
    const now = this.options.clock.now();
    const today = marketoDayKey(now);
    if (today !== this.usage.day) {
      const { errorsByCode } = this.usage;
      this.usage = { day: today, calls: 0, ...(errorsByCode ? { errorsByCode } : {}) };
      this.pending = { day: today, calls: 0, errorsByCode: this.pending.errorsByCode };
      this.scheduleSave();
    } else if (this.usage.pausedUntil !== undefined && now >= this.usage.pausedUntil) {
      delete this.usage.pausedUntil;
    }
    return now;
  }

  private scheduleSave(): void {
    if (this.port === undefined || this.saveTimer !== undefined) return;
    const scheduler = this.options.scheduler ?? systemScheduler;
    this.saveTimer = scheduler.setTimeout(() => {
      this.saveTimer = undefined;
      void this.save().catch(() => undefined);
    }, this.saveIntervalMs);
  }

  /**
   * Merges what this process counted into the port and takes its totals (every replica's, when
   * shared), keeping what was counted meanwhile. Merges are chained so they never interleave;
   * a failed one puts its counts back for the next.
   */
  private save(): Promise<void> {
    const port = this.port;
    if (port === undefined) return Promise.resolve();
    const next = this.saving.then(async () => {
      const delta = this.pending;
      this.pending = { day: delta.day, calls: 0, errorsByCode: {} };
      try {
        const totals = await port.merge(delta);
        if (totals.day === this.usage.day) this.takeTotals(totals);
      } catch (error) {
        this.pending = mergeDeltas(delta, this.pending);
        this.options.logger.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'Could not save Marketo usage',
        );
        throw error;
      }
    });
    this.saving = next.catch(() => undefined);
    return next;
  }

  private takeTotals(totals: DailyUsage): void {
    const { calls, errorsByCode, pausedUntil } = mergeDeltas(
      { ...totals, errorsByCode: totals.errorsByCode ?? {} },
      this.pending,
    );
    this.usage = {
      day: totals.day,
      calls,
      ...(Object.keys(errorsByCode).length > 0 ? { errorsByCode } : {}),
      ...(pausedUntil !== undefined && pausedUntil > this.options.clock.now()
        ? { pausedUntil }
        : {}),
    };
  }
}

function mergeDeltas(a: DailyUsageDelta, b: DailyUsageDelta): DailyUsageDelta {
  const errorsByCode = { ...a.errorsByCode };
  for (const [code, n] of Object.entries(b.errorsByCode)) {
    errorsByCode[code] = (errorsByCode[code] ?? 0) + n;
  }
  const pausedUntil = Math.max(a.pausedUntil ?? 0, b.pausedUntil ?? 0);
  return {
    day: b.day,
    calls: (a.day === b.day ? a.calls : 0) + b.calls,
    errorsByCode,
    ...(pausedUntil > 0 ? { pausedUntil } : {}),
  };
}
