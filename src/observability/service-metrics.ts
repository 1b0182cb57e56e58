import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MarketoCallEvent } from '../clients/marketo/index.js';
import type { OutboxHold } from '../outbox/outbox-summary.js';
import type { OutboxSummary } from '../store/types.js';
import type { SyncHealth } from './sync-health.js';

/** What a scrape reads at collect time (the store, the Marketo client, the leader). */
export interface MetricsSnapshot {
  now: number;
  leader: boolean;
  marketo: { callsToday: number; dailyQuota: number };
  /** Undefined when the store could not be read: the gauges it feeds are left out. */
  sync: SyncHealth | undefined;
  outbox: OutboxSummary | undefined;
  /** What holds outbox deliveries back (Marketo refuses our credentials), if anything. */
  outboxHold?: OutboxHold | undefined;
}

/** Identity results that say the credentials or the address are wrong, not an outage. */
const REJECTED = new Set(['MARKETO_AUTH_FAILED', 'MARKETO_URL_NOT_FOUND']);

const PREFIX = 'marketo_chat_';

/**
 * The service's Prometheus metrics, on a registry of its own (never prom-client's global one:
 * tests build many services in one process). Counters are fed by hooks at the one place each
 * thing happens (HTTP, Marketo client, booking, calendars); gauges are set from a snapshot
 * read when /metrics is scraped, so nothing else has to keep them up to date.
 */
export function createServiceMetrics() {
  const registry = new Registry();
  const registers = [registry];
  const httpRequests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'HTTP request latency, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const marketoCalls = new Counter({
    name: `${PREFIX}marketo_calls_total`,
    help: 'Requests sent to Marketo, by endpoint (client method, or identity) and result (ok, Marketo error code, http_<status> or network code)',
    labelNames: ['endpoint', 'result'] as const,
    registers,
  });
  const gauge = (name: string, help: string) =>
    new Gauge({ name: `${PREFIX}${name}`, help, registers });
  const callsToday = gauge(
    'marketo_calls_today',
    'Marketo calls counted against today (Marketo day, US Central)',
  );
  const dailyQuota = gauge('marketo_daily_quota', 'Marketo calls this service allows itself a day');
  const syncLag = gauge(
    'sync_lag_seconds',
    'Now minus when the lead copy last caught up with Marketo (the sync cursor)',
  );
  const syncLastOk = gauge('sync_last_run_ok', '1 when the last lead sync run succeeded, else 0');
  const syncLastRunAt = gauge(
    'sync_last_run_timestamp_seconds',
    'When the last lead sync run ended (started, while it runs)',
  );
  const syncLastSuccessAt = gauge(
    'sync_last_success_timestamp_seconds',
    'When a lead sync run last succeeded',
  );
  const syncRunning = gauge(
    'sync_running',
    '1 while a lead sync runs (here or, for a full copy, on the leader)',
  );
  const syncStuck = gauge(
    'sync_stuck',
    '1 when no lead sync succeeded within READY_MAX_SYNC_AGE_MINUTES and none runs',
  );
  const outboxPending = gauge('outbox_pending', 'Outbox items waiting to be sent (its depth)');
  const outboxOldestAge = gauge(
    'outbox_oldest_pending_age_seconds',
    'Age of the outbox item waiting longest (0 when none waits)',
  );
  const outboxDead = gauge('outbox_dead_letters', 'Outbox items given up on (dead letters)');
  const outboxHeld = new Gauge({
    name: `${PREFIX}outbox_held_seconds`,
    help: 'How long outbox deliveries have been held back, by reason (marketo-credentials: Identity refuses the credentials or the address); absent when nothing holds them',
    labelNames: ['reason'] as const,
    registers,
  });
  const meetingsBooked = new Counter({
    name: `${PREFIX}meetings_booked_total`,
    help: 'Meetings booked (confirmed with a calendar event) by this process',
    registers,
  });
  const calendarErrors = new Counter({
    name: `${PREFIX}calendar_errors_total`,
    help: 'Calendar provider calls that failed, by provider and operation',
    labelNames: ['provider', 'operation'] as const,
    registers,
  });
  const leader = gauge('leader', '1 when this replica runs the scheduled jobs, else 0');
  let identity: 'ok' | 'rejected' | 'unknown' = 'unknown';

  return {
    registry,
    observeHttp(labels: { method: string; route: string; status: number }, seconds: number) {
      const l = { ...labels, status: String(labels.status) };
      httpRequests.inc(l);
      httpDuration.observe(l, seconds);
    },
    onMarketoCall(event: MarketoCallEvent) {
      marketoCalls.inc({ endpoint: event.endpoint, result: event.result });
      if (event.endpoint === 'identity') {
        identity =
          event.result === 'ok' ? 'ok' : REJECTED.has(event.result) ? 'rejected' : identity;
      }
    },
    onMeetingBooked() {
      meetingsBooked.inc();
    },
    onCalendarError(provider: string, operation: string) {
      calendarErrors.inc({ provider, operation });
    },
    /** The last identity answer: `rejected` when the credentials or the address are wrong. */
    marketoCredentials: () => identity,
    /** Sets the gauges from a snapshot; call right before rendering a scrape. */
    record(snapshot: MetricsSnapshot) {
      leader.set(snapshot.leader ? 1 : 0);
      callsToday.set(snapshot.marketo.callsToday);
      dailyQuota.set(snapshot.marketo.dailyQuota);
      setSync(snapshot.sync);
      setOutbox(snapshot.outbox, snapshot.now);
      outboxHeld.reset();
      const hold = snapshot.outboxHold;
      if (hold !== undefined)
        outboxHeld.set({ reason: hold.reason }, Math.max(0, (snapshot.now - hold.since) / 1000));
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };

  function setSync(sync: SyncHealth | undefined) {
    for (const g of [syncLag, syncLastOk, syncLastRunAt, syncLastSuccessAt, syncRunning, syncStuck])
      g.reset();
    if (sync === undefined) return;
    syncRunning.set(sync.running ? 1 : 0);
    syncStuck.set(sync.stuck ? 1 : 0);
    if (sync.lagSeconds !== undefined) syncLag.set(sync.lagSeconds);
    if (sync.lastSuccessAt !== undefined) syncLastSuccessAt.set(sync.lastSuccessAt / 1000);
    const run = sync.lastRun;
    if (run !== undefined && run.outcome !== 'running') {
      syncLastOk.set(run.outcome === 'succeeded' ? 1 : 0);
      syncLastRunAt.set(Date.parse(run.finishedAt ?? run.startedAt) / 1000);
    }
  }

  function setOutbox(outbox: OutboxSummary | undefined, now: number) {
    for (const g of [outboxPending, outboxOldestAge, outboxDead]) g.reset();
    if (outbox === undefined) return;
    outboxPending.set(outbox.pending);
    outboxDead.set(outbox.dead);
    const oldest = outbox.oldestPending;
    outboxOldestAge.set(oldest === undefined ? 0 : Math.max(0, (now - oldest.createdAt) / 1000));
  }
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
