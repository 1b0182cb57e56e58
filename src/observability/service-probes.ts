import type { MarketoApi } from '../clients/marketo/types.js';
import { marketoHold } from '../marketo-activities/marketo-delivery.js';
import type { Clock } from '../deps.js';
import { systemScheduler, type Scheduler } from '../scheduler.js';
import type { Store } from '../store/types.js';
import type { SyncRunner } from '../sync/sync-runner.js';
import type { MetricsSnapshot } from './service-metrics.js';
import { assessSync, type SyncHealth } from './sync-health.js';

export interface ServiceProbesDeps {
  store: Pick<Store, 'ping' | 'loadSyncState' | 'outboxSummary'>;
  marketo: Pick<MarketoApi, 'stats' | 'recheckCredentials'>;
  runner: Pick<SyncRunner, 'status'>;
  clock: Clock;
  /** When the service started: uptime, and the first sync's grace. */
  startedAt: number;
  syncEnabled: boolean;
  maxSyncAgeMs: number;
  sandbox: boolean;
  isLeader: () => boolean;
  /** Bounds each store read, so a hung database cannot hang a probe; real timers by default. */
  scheduler?: Scheduler;
  /** How long a probe waits for the store (default 2 s, well inside a probe's time-out). */
  storeTimeoutMs?: number;
}

export interface ReadyCheck {
  ok: boolean;
  /** Why it fails; present only when it does. Codes and words, never data or secrets. */
  reason?: string;
}

/**
 * What /health, /ready and /metrics learn of the service: the store (a ping, the shared sync
 * state, the outbox summary), the Marketo client's credentials and counts, the job leader.
 */
export function createServiceProbes(deps: ServiceProbesDeps) {
  const scheduler = deps.scheduler ?? systemScheduler;
  const timeoutMs = deps.storeTimeoutMs ?? 2_000;

  function bounded<T>(work: Promise<T>, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = scheduler.setTimeout(
        () => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      work.then(resolve, reject).finally(() => timer.cancel());
    });
  }

  async function readSync(): Promise<SyncHealth> {
    const state = await bounded(deps.store.loadSyncState(), 'the store');
    const run = deps.runner.status();
    return assessSync({
      enabled: deps.syncEnabled,
      state,
      localLastRun: run.lastRun,
      localRunning: run.state === 'running',
      now: deps.clock.now(),
      startedAt: deps.startedAt,
      maxAgeMs: deps.maxSyncAgeMs,
    });
  }

  return {
    /**
     * Liveness facts: `degraded` with the reason when the sync is stuck or its state cannot be
     * read. Never an error: the process is alive, and a restart would not mend either.
     */
    async health(): Promise<{ status: 'ok' | 'degraded'; reason?: string }> {
      try {
        const sync = await readSync();
        return sync.stuck ? { status: 'degraded', reason: sync.reason } : { status: 'ok' };
      } catch (error) {
        return { status: 'degraded', reason: `the sync state could not be read: ${codeOf(error)}` };
      }
    },

    /** Readiness: every check, and `ready` only when all pass. */
    async ready(): Promise<{ ready: boolean; checks: Record<string, ReadyCheck> }> {
      const [store, sync] = await Promise.all([
        bounded(deps.store.ping(), 'the store').then(
          (): ReadyCheck => ({ ok: true }),
          (error: unknown): ReadyCheck => ({
            ok: false,
            reason: `the store is not reachable: ${codeOf(error)}`,
          }),
        ),
        readSync().then(
          (health): ReadyCheck =>
            health.stuck ? { ok: false, reason: health.reason ?? 'stuck' } : { ok: true },
          (error: unknown): ReadyCheck => ({
            ok: false,
            reason: `the sync state could not be read: ${codeOf(error)}`,
          }),
        ),
      ]);
      // The client's own state: a refusal (401, not Identity) until a token comes, never an
      // outage (Identity's 5xx has the same code, MARKETO_AUTH_FAILED, but is no refusal).
      // While refused, the probe asks again once the client's wait has passed: an unready
      // replica gets no traffic, and would otherwise never learn that the credentials work.
      if (!deps.sandbox && deps.marketo.stats().identityRejected !== undefined) {
        await bounded(deps.marketo.recheckCredentials?.() ?? Promise.resolve(), 'Marketo').catch(
          () => undefined,
        );
      }
      const rejected = deps.marketo.stats().identityRejected;
      const marketo: ReadyCheck =
        deps.sandbox || rejected === undefined
          ? { ok: true }
          : {
              ok: false,
              reason:
                `Marketo Identity rejected the last token request (${rejected.code} since ` +
                `${new Date(rejected.since).toISOString()}): check MARKETO_BASE_URL, ` +
                'MARKETO_CLIENT_ID and MARKETO_CLIENT_SECRET; writes to Marketo wait in the outbox',
            };
      const checks = { store, marketo, sync };
      return { ready: Object.values(checks).every((c) => c.ok), checks };
    },

    /** The facts the metrics' gauges show; a store that fails leaves its gauges out. */
    async snapshot(): Promise<MetricsSnapshot> {
      const [sync, outbox] = await Promise.all([
        readSync().catch(() => undefined),
        bounded(deps.store.outboxSummary(), 'the store').catch(() => undefined),
      ]);
      const stats = deps.marketo.stats();
      return {
        now: deps.clock.now(),
        leader: deps.isLeader(),
        marketo: { callsToday: stats.callsToday, dailyQuota: stats.dailyQuota },
        sync,
        outbox,
        outboxHold: marketoHold(stats),
      };
    },
  };
}

export type ServiceProbes = ReturnType<typeof createServiceProbes>;

/** An error's code (STORE_CLOSED, ECONNREFUSED...), never its message, which may name files. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[\w.-]{1,40}$/.test(code)) return code;
  return error instanceof Error && /did not answer within/.test(error.message)
    ? 'TIMEOUT'
    : 'UNKNOWN';
}
