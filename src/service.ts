import type { Express } from 'express';
import type { WorkerTimer } from '../jobs/outbox-worker.js';
import { createCalendarProviders, type CalendarProviders } from './calendar/calendar-providers.js';
import { checkStoredGrants } from './calendar/check-grants.js';
import type { ChatPublicRoutesDeps } from './chat/chat-public-routes.js';
import { seedDemoChat } from './chat/demo-content.js';
import type { Config } from './config.js';
import { randomIds, systemClock, type Clock, type Ids } from './deps.js';
import { createLogger, type Logger } from './logger.js';
import { createMeetingsModule } from './meetings/meetings-module.js';
import { createServiceMetrics, type ServiceMetrics } from './observability/service-metrics.js';
import { seedAgents } from './meetings/seed-agents.js';
import type { HostResolver } from './outbox/callback-url-guard.js';
import { DEMO_AGENTS } from './routing/routing-agents.js';
import { createRoutingSources } from './routing/routing-sources.js';
import { createRuntime, type Runtime } from './runtime.js';
import { createServiceApp } from './service-app.js';
import { createTranscriptLinks } from './transcripts/transcript-links.js';
import { createServiceJobs, type ServiceJob } from './service-jobs.js';
import { createMailTransport } from './notifications/mail-transport.js';
import { createNotificationHandlers } from './notifications/notification-handler.js';
import { createServiceOutbox, type ServiceOutbox } from './service-outbox.js';
import { loadServiceSecrets, type ServiceSecrets } from './service-secrets.js';
import { SyncRunner } from './sync/sync-runner.js';
import { readVersion } from './version.js';
import { marketoInstanceId } from './clients/marketo/instance-id.js';
import { createLeaderElection } from './leader/create-leader-election.js';
import { runAsLeader } from './leader/run-as-leader.js';
import { systemScheduler, type Scheduler } from './scheduler.js';

/** What the service uses of the runtime: the external systems, and how to close them. */
type OpenedRuntime = Pick<Runtime, 'store' | 'marketo' | 'sandbox' | 'close'> &
  Partial<Pick<Runtime, 'redis'>>;

/** What a test or benchmark brings instead of the real thing. */
export interface ServiceOverrides {
  clock?: Clock;
  ids?: Ids;
  logger?: Logger;
  /**
   * The store, the Marketo client and the sandbox it talks to, ready made (a test's memory
   * store and loopback sandbox). The service uses them as they are and leaves closing them to
   * the caller; without it, createRuntime opens DATA_FILE and Marketo (or the built-in sandbox),
   * and Redis with REDIS_URL.
   */
  runtime?: Pick<Runtime, 'store' | 'marketo' | 'sandbox'> & Partial<Pick<Runtime, 'redis'>>;
  /** Calendar providers instead of those the configuration names (fakes, or clients on nock). */
  calendarProviders?: CalendarProviders;
  /** Builds the chat's per-client rate limiters (in memory by default; benchmarks raise them). */
  createChatRateLimiter?: ChatPublicRoutesDeps['createRateLimiter'];
  /** The Munchkin lookup's wait for Marketo (300 ms of real time by default; tests decide). */
  munchkinWait?: (ms: number) => Promise<void>;
  /** How flow-step callback hosts are resolved (DNS by default). */
  resolveCallbackHost?: HostResolver;
  /** When the outbox workers' next passes run (real timers by default). */
  outboxTimer?: WorkerTimer;
  version?: string;
  /** The job leader's timers (renewals, checks); real timers by default. */
  scheduler?: Scheduler;
}

export interface Service {
  /** Every route, without listening: main.ts listens, tests call it in-process. */
  app: Express;
  config: Config;
  logger: Logger;
  store: Runtime['store'];
  marketo: Runtime['marketo'];
  /** Set when the service talks to the built-in sandbox instead of a Marketo instance. */
  sandbox: Runtime['sandbox'];
  secrets: ServiceSecrets;
  runner: SyncRunner;
  meetings: ReturnType<typeof createMeetingsModule>;
  outbox: ServiceOutbox;
  /** Prometheus metrics (GET /metrics), on this service's own registry. */
  metrics: ServiceMetrics;
  /** The background work start() runs: the lead sync's schedule, meeting job, prune, outbox. */
  jobs: readonly ServiceJob[];
  /** Starts the jobs in this process (a second call does nothing). */
  start(): void;
  /**
   * Stops in order: the sync's schedule, the run in hand, the jobs, the outbox relays, then,
   * once `requestsDone` (the HTTP server's close) has settled, the store and the sandbox. The
   * caller stops taking requests first. Once called, later calls return the same stop.
   */
  stop(requestsDone?: Promise<void>): Promise<void>;
}

/**
 * The composition root: the one function that builds the service from its configuration
 * (store, Marketo client or sandbox, calendar providers, routes, outbox, jobs). src/main.ts adds
 * only the environment, listening and signals; tests and benchmarks build the same service.
 */
export async function createService(
  config: Config,
  overrides: ServiceOverrides = {},
): Promise<Service> {
  const clock = overrides.clock ?? systemClock;
  const logger =
    overrides.logger ??
    createLogger({ level: config.logLevel, format: config.observability.logFormat });
  const runtime: OpenedRuntime = overrides.runtime
    ? { ...overrides.runtime, close: async () => {} }
    : await createRuntime(config, logger, clock);
  try {
    return await assemble(config, overrides, { clock, logger, runtime });
  } catch (error) {
    await runtime.close().catch(() => undefined);
    throw error;
  }
}

async function assemble(
  config: Config,
  overrides: ServiceOverrides,
  made: { clock: Clock; logger: Logger; runtime: OpenedRuntime },
): Promise<Service> {
  const { clock, logger, runtime } = made;
  const { store, marketo, sandbox } = runtime;
  const ids = overrides.ids ?? randomIds;
  const version = overrides.version ?? readVersion();
  const secrets = await loadServiceSecrets(config, logger);
  const deps = { marketo, store, clock, ids, logger };
  // Counters are fed where things happen: the Marketo client's requests (observed, so the
  // client needs no metrics library), bookings and calendar failures (hooks of the meetings).
  const metrics = createServiceMetrics();
  const unobserveMarketo = marketo.observeCalls?.((event) => metrics.onMarketoCall(event));
  const demo = sandbox !== undefined && config.routingAgents.length === 0;
  await seedAgents(deps, demo ? DEMO_AGENTS : config.routingAgents, { demo });
  // Webhook and flow-step routing use the same agents, in the same order, as meetings.
  const routing = createRoutingSources(store, config.meetings.ownerField, clock);
  await checkStoredGrants(store, secrets.cipher, logger);
  // Publishing checks a dialogue's conditions and tokens against the fields the copy holds.
  const chatAdmin = { ...deps, syncedFields: config.sync.fields };
  if (sandbox) await seedDemoChat(chatAdmin);
  const onEnqueued = () => outbox.kick();
  const meetings = createMeetingsModule({
    ...deps,
    cipher: secrets.cipher,
    linkSecrets: secrets.linkSecrets,
    publicBaseUrl: config.publicBaseUrl,
    providers:
      overrides.calendarProviders ?? createCalendarProviders(config.calendar, { clock, logger }),
    ownerField: config.meetings.ownerField,
    agentLeadFields: config.meetings.agentLeadFields,
    busyCacheTtlMs: config.meetings.busyCacheTtlMs,
    maxMeetingsPerVisitor: config.meetings.maxPerVisitor,
    noShowGraceMs: config.meetings.noShowGraceMs,
    onEnqueued,
    onMeetingBooked: () => metrics.onMeetingBooked(),
    onCalendarError: (provider, operation) => metrics.onCalendarError(provider, operation),
  });
  // Signed links to transcripts: in chat activities (outbox) and the admin's transcript answer.
  const transcriptLinks = createTranscriptLinks({
    secrets: secrets.linkSecrets,
    publicBaseUrl: config.publicBaseUrl,
    ttlMs: config.chat.transcriptLinkTtlMs,
  });
  // Notification emails: through SMTP_URL, or (sandbox mode, or no SMTP_URL) captured and listed.
  const mail = createMailTransport({
    from: config.notifications.from,
    smtpUrl: config.notifications.smtpUrl,
    capture: sandbox !== undefined,
    store,
  });
  logger.info(
    { mode: mail.mode },
    mail.mode === 'smtp'
      ? 'notification emails are sent through SMTP_URL'
      : 'notification emails are captured, not sent (GET /api/notifications)',
  );
  const outbox = createServiceOutbox({
    config,
    store,
    marketo,
    clock,
    logger,
    transcriptLinks,
    ssfsApiKey: secrets.ssfsApiKey,
    routing,
    moreMarketoHandlers: meetings.outboxHandlers,
    notificationHandlers: createNotificationHandlers({
      store,
      transport: mail,
      links: meetings.booking.links,
    }),
    resolveCallbackHost: overrides.resolveCallbackHost,
    timer: overrides.outboxTimer,
  });
  const runner = new SyncRunner(deps, {
    fields: config.sync.fields,
    fullStrategy: config.sync.fullStrategy,
    bulkPollMs: config.sync.bulkPollMs,
    concurrency: config.marketo.maxConcurrency + 1,
  });
  // With REDIS_URL or DATABASE_URL one replica runs the jobs (src/leader/); else this process.
  const leader = await createLeaderElection(
    {
      redisUrl: config.redisUrl,
      databaseUrl: config.databaseUrl,
      ttlMs: config.leader.ttlMs,
      checkMs: config.leader.checkMs,
      instanceId: marketoInstanceId(config.marketo.baseUrl),
      keyPrefix: config.redisKeyPrefix,
    },
    { clock, scheduler: overrides.scheduler ?? systemScheduler, logger },
  );
  const app = createServiceApp({
    isLeader: () => leader.election.isLeader(),
    ...deps,
    config,
    sandbox,
    version,
    secrets,
    runner,
    meetings,
    routing,
    chatAdmin,
    onEnqueued,
    transcriptLinks,
    notificationMode: mail.mode,
    observability: {
      metrics,
      metricsToken: config.observability.metricsToken,
      maxSyncAgeMs: config.observability.readyMaxSyncAgeMs,
      syncEnabled: config.sync.enabled,
      ...(overrides.scheduler === undefined ? {} : { scheduler: overrides.scheduler }),
    },
    createChatRateLimiter: overrides.createChatRateLimiter,
    munchkinWait: overrides.munchkinWait,
    // With REDIS_URL the chat's limits count across replicas.
    chatRateLimitStore: runtime.redis && {
      redis: runtime.redis,
      keyPrefix: `${config.redisKeyPrefix}:chat`,
    },
  });

  const jobs = createServiceJobs({
    config,
    store,
    marketo,
    clock,
    logger,
    runner,
    outbox,
    runMeetingJobs: meetings.runJobs,
  });
  let started: { stop(): Promise<void> } | undefined;
  let stopping: Promise<void> | undefined;
  return {
    app,
    config,
    logger,
    store,
    marketo,
    sandbox,
    secrets,
    runner,
    meetings,
    outbox,
    metrics,
    jobs,
    start() {
      if (started !== undefined || stopping !== undefined) return;
      started = runAsLeader(leader.election, jobs, logger);
    },
    stop(requestsDone = Promise.resolve()) {
      stopping ??= (async () => {
        // Deliveries and Marketo calls in flight or waiting for budget end now, not in 20-60 s:
        // a call still waiting was never sent, and a delivery cut short stays in the outbox.
        const outboxStopped = outbox.stop();
        marketo.stop?.();
        await started?.stop();
        await leader.close();
        await outboxStopped;
        mail.close();
        // An admin may have started a run without start(): it checkpoints too.
        await runner.stop();
        logger.info('stopping: background work stopped; waiting for requests in flight');
        await requestsDone;
        unobserveMarketo?.();
        await runtime.close();
      })();
      return stopping;
    },
  };
}
