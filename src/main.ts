import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import dotenv from 'dotenv';
import { scheduleLeadSync } from '../jobs/lead-sync-schedule.js';
import { startOutboxWorker } from '../jobs/outbox-worker.js';
import { createFlowStepRoutes, createSsfsHandlers } from '../webhooks/flow-steps/index.js';
import { createMarketoWebhookRoutes } from '../webhooks/marketo/index.js';
import { createChatAdminRoutes } from './chat/chat-admin-routes.js';
import { createChatOutboxHandlers } from './chat/chat-outbox-handlers.js';
import { createMeetingOutboxHandlers } from './meetings/meeting-outbox-handlers.js';
import { createMeetingLeadHandlers } from './meetings/meeting-lead-fields.js';
import { createChatPublicRoutes } from './chat/chat-public-routes.js';
import { createMunchkinLookupPerHour } from './chat/munchkin-lookup.js';
import { seedDemoChat } from './chat/demo-content.js';
import { createWidgetRoutes } from './chat/widget-routes.js';
import { createSsfsCallbackClient } from './clients/ssfs-callback/ssfs-callback-client.js';
import { createDeadLetterRoutes } from './outbox/dead-letter-routes.js';
import { DEMO_AGENTS } from './routing/routing-agents.js';
import { toRoutingAgent } from './routing/meeting-routing.js';
import { checkStoredGrants } from './calendar/check-grants.js';
import { createTokenCipher, parseEncryptionKey } from './calendar/token-cipher.js';
import { createMeetingsModule } from './meetings/meetings-module.js';
import { createCalendarProviders } from './calendar/calendar-providers.js';
import { seedAgents } from './meetings/seed-agents.js';
import { scheduleMeetingJobs } from '../jobs/meeting-schedule.js';
import { scheduleOutboxPrune } from '../jobs/outbox-prune.js';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { randomIds, systemClock } from './deps.js';
import { AppError } from './errors.js';
import { createLogger } from './logger.js';
import { createRuntime, resolveSecret } from './runtime.js';
import { SyncRunner } from './sync/sync-runner.js';
import { handleStopSignals } from './stop-signals.js';

/** The composition root: the only place that builds real dependencies and listens. */
async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `${error.message}\nFix these in the environment or in .env (see .env.example).\n`,
      );
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel });
  const runtime = await createRuntime(config, logger).catch((error: unknown) => {
    if (error instanceof AppError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  });
  const version = readVersion();
  const adminToken = await resolveSecret(config.adminToken, 'admin-token', config.dataFile, logger);
  const deps = {
    marketo: runtime.marketo,
    store: runtime.store,
    clock: systemClock,
    ids: randomIds,
    logger,
  };
  const webhookSecret = await resolveSecret(
    config.webhooks.secret,
    'webhook-secret',
    config.dataFile,
    logger,
  );
  const ssfsApiKey = await resolveSecret(
    config.ssfs.apiKey,
    'ssfs-api-key',
    config.dataFile,
    logger,
  );
  const tokenKey = parseEncryptionKey(
    await resolveSecret(config.calendar.tokenKey, 'token-encryption-key', config.dataFile, logger),
  );
  const previousTokenKeys =
    config.calendar.previousTokenKey === undefined
      ? []
      : [parseEncryptionKey(config.calendar.previousTokenKey)];
  const cipher = createTokenCipher(tokenKey, previousTokenKeys);
  const { store } = runtime;
  await seedAgents(
    deps,
    config.routingAgents.length > 0 || !runtime.sandbox ? config.routingAgents : DEMO_AGENTS,
    { demo: runtime.sandbox !== undefined && config.routingAgents.length === 0 },
  );
  // Webhook and flow-step routing use the same agents, in the same order, as meetings.
  const agents = () => store.listAgents().map(toRoutingAgent);
  // Owner and rules before the rotation, for the Call Webhook and the flow step as for meetings.
  const routing = {
    agents: () => store.listAgents(),
    rules: () => store.listRoutingRules(),
    ownerField: config.meetings.ownerField,
  };
  checkStoredGrants(store, cipher, logger);
  // Publishing checks a dialogue's conditions and tokens against the fields the copy holds.
  const chatAdminDeps = { ...deps, syncedFields: config.sync.fields };
  if (runtime.sandbox) await seedDemoChat(chatAdminDeps);
  let kickOutbox = () => {};
  const meetings = createMeetingsModule({
    store,
    clock: systemClock,
    ids: randomIds,
    logger,
    cipher,
    linkSecrets: [tokenKey, ...previousTokenKeys],
    publicBaseUrl: config.publicBaseUrl,
    providers: createCalendarProviders(config.calendar, { clock: systemClock, logger }),
    ownerField: config.meetings.ownerField,
    agentLeadFields: config.meetings.agentLeadFields,
    busyCacheTtlMs: config.meetings.busyCacheTtlMs,
    maxMeetingsPerVisitor: config.meetings.maxPerVisitor,
    noShowGraceMs: config.meetings.noShowGraceMs,
    onEnqueued: () => kickOutbox(),
  });

  // The durable outbox: every write to Marketo and every flow-step callback goes through it.
  const callbackClient = createSsfsCallbackClient({
    callbackHosts: config.ssfs.callbackHosts,
    clock: systemClock,
    logger,
  });
  const flowStepOutbox = startOutboxWorker({
    store,
    clock: systemClock,
    logger,
    pollMs: config.outbox.pollMs,
    handlers: createSsfsHandlers({
      store,
      clock: systemClock,
      agents,
      repeatWindowMs: config.webhooks.assignRepeatWindowMs,
      callbackClient,
      fallbackCallbackKey: ssfsApiKey,
      routing,
      leadFields: (leadId) => store.getLead(leadId)?.fields,
    }),
  });
  // Writes to Marketo get their own relay: up to 300 items delivered at once, which the record
  // batchers turn into one Add Custom Activities (or Sync Leads) call per 300 records. The
  // Marketo client's own limiter still caps calls and connections.
  const marketoOutbox = startOutboxWorker({
    store,
    clock: systemClock,
    logger,
    pollMs: config.outbox.pollMs,
    relay: { limit: 300, concurrency: 300 },
    handlers: {
      ...createChatOutboxHandlers({ marketo: runtime.marketo, store, clock: systemClock, logger }),
      ...createMeetingOutboxHandlers({
        marketo: runtime.marketo,
        store,
        clock: systemClock,
        logger,
      }),
      ...createMeetingLeadHandlers({ marketo: runtime.marketo, store }),
      ...meetings.outboxHandlers,
    },
  });
  const outbox = {
    kick: () => {
      flowStepOutbox.kick();
      marketoOutbox.kick();
    },
    stop: async () => {
      await Promise.all([flowStepOutbox.stop(), marketoOutbox.stop()]);
    },
  };
  kickOutbox = () => outbox.kick();
  const outboxPrune = scheduleOutboxPrune({
    store,
    clock: systemClock,
    logger,
    retentionMs: config.outbox.retentionMs,
  });
  const meetingJobs = scheduleMeetingJobs({
    run: meetings.runJobs,
    everyMs: config.meetings.jobIntervalMs,
    logger,
  });
  const runner = new SyncRunner(deps, {
    fields: config.sync.fields,
    fullStrategy: config.sync.fullStrategy,
    bulkPollMs: config.sync.bulkPollMs,
    concurrency: config.marketo.maxConcurrency + 1,
  });
  const app = createApp({
    ...deps,
    syncRunner: runner,
    adminTokens: [adminToken],
    syncCron: config.sync.cron,
    sandbox: runtime.sandbox,
    version,
    trustProxyHops: config.trustProxyHops,
    adminRouters: [
      createChatAdminRoutes(chatAdminDeps),
      ...meetings.adminRouters,
      createDeadLetterRoutes({ store, clock: systemClock, onEnqueued: () => outbox.kick() }),
    ],
    mounts: [
      {
        path: '/chat',
        router: createChatPublicRoutes({
          store,
          clock: systemClock,
          logger,
          publicBaseUrl: config.publicBaseUrl,
          munchkin: createMunchkinLookupPerHour(
            { marketo: runtime.marketo, clock: systemClock, logger },
            config.chat.cookieLookupsPerHour,
          ),
          onEnqueued: () => outbox.kick(),
          rateLimitStore: runtime.redis && {
            redis: runtime.redis,
            keyPrefix: `${config.redisKeyPrefix}:chat`,
          },
          extraRoutes: meetings.publicRoutes,
        }),
      },
      { path: '/oauth', router: meetings.oauthRouter },
      { path: '/', router: createWidgetRoutes({ publicBaseUrl: config.publicBaseUrl }) },
      {
        path: '/webhooks/marketo',
        router: createMarketoWebhookRoutes({
          store,
          clock: systemClock,
          logger,
          secrets: [webhookSecret, config.webhooks.previousSecret ?? ''],
          allowQuerySecret: config.webhooks.allowQuerySecret,
          agents,
          routing,
          assignRepeatWindowMs: config.webhooks.assignRepeatWindowMs,
          publicBaseUrl: config.publicBaseUrl,
        }),
      },
      {
        path: '/flow-steps',
        router: createFlowStepRoutes({
          store,
          clock: systemClock,
          logger,
          apiKeys: [ssfsApiKey, config.ssfs.previousApiKey ?? ''],
          publicBaseUrl: config.publicBaseUrl,
          callbackHosts: config.ssfs.callbackHosts,
          agents,
          onEnqueued: () => outbox.kick(),
          version,
        }),
      },
    ],
  });
  const server = app.listen(config.port, config.host);
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  logger.info(
    { port, mode: runtime.sandbox ? 'sandbox' : 'marketo' },
    `listening on http://localhost:${port}`,
  );

  const schedule = config.sync.enabled
    ? scheduleLeadSync({
        runner,
        cronExpression: config.sync.cron,
        logger,
        isPaused: () => (runtime.marketo.stats().pausedUntil ?? 0) > systemClock.now(),
      })
    : undefined;
  if (config.sync.enabled && runtime.store.loadSyncState().phase !== 'incremental') {
    // A new or unfinished copy starts now rather than at the next cron fire.
    runner.start('startup').done.catch((err: unknown) => logger.error({ err }, 'lead sync failed'));
  }

  // Bounded: in-flight requests get a few seconds to finish, then open connections are cut, so
  // a stop ends well inside the 10 s that process managers (and npm) wait before SIGKILL.
  const serverClosed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  handleStopSignals({
    say: (message) => logger.warn(message),
    onStop: (signal) =>
      void (async () => {
        logger.info({ signal }, 'shutting down: no new work, checkpointing the sync');
        schedule?.stop();
        server.close();
        server.closeIdleConnections();
        const cutConnections = setTimeout(() => server.closeAllConnections(), 5_000);
        cutConnections.unref();
        // Deliveries and Marketo calls in flight or waiting for budget end now, not in 20-60 s.
        const outboxStopped = outbox.stop();
        runtime.marketo.stop?.();
        await runner.stop();
        await meetingJobs.stop();
        outboxPrune.stop();
        await outboxStopped;
        await serverClosed;
        await runtime.close();
        logger.info('stopped');
        process.exit(0);
      })(),
  });
}

function readVersion(): string {
  // dist/src/main.js and src/main.ts (under tsx) sit at different depths below package.json.
  for (const path of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
      if (pkg.name === 'marketo-chat') return String(pkg.version);
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}

main().catch((error: unknown) => {
  process.stderr.write(`Fatal: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
