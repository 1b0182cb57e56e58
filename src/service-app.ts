import type { Express } from 'express';
import { createFlowStepRoutes } from '../webhooks/flow-steps/index.js';
import { createMarketoWebhookRoutes } from '../webhooks/marketo/index.js';
import { createApp, type AppObservability } from './app.js';
import { createConsoleAuth } from './admin/console-auth.js';
import { createConsoleRoutes } from './admin/console-routes.js';
import { createChatAdminRoutes, type ChatAdminDeps } from './chat/chat-admin-routes.js';
import { createChatPublicRoutes, type ChatPublicRoutesDeps } from './chat/chat-public-routes.js';
import { createMunchkinLookupPerHour } from './chat/munchkin-lookup.js';
import { createWidgetRoutes } from './chat/widget-routes.js';
import type { MarketoApi } from './clients/marketo/types.js';
import type { Config } from './config.js';
import type { Clock, Ids } from './deps.js';
import type { Logger } from './logger.js';
import type { createMeetingsModule } from './meetings/meetings-module.js';
import { createDeadLetterRoutes } from './outbox/dead-letter-routes.js';
import { marketoHold } from './marketo-activities/marketo-delivery.js';
import type { createRoutingSources } from './routing/routing-sources.js';
import type { ServiceSecrets } from './service-secrets.js';
import type { Store } from './store/types.js';
import { createReportRoutes } from './reports/report-routes.js';
import { createNotificationRoutes } from './notifications/notification-routes.js';
import { createOpenApiRoutes } from './openapi/openapi-routes.js';
import {
  createTranscriptAdminRoutes,
  createTranscriptPageRoutes,
} from './transcripts/transcript-routes.js';
import { TRANSCRIPT_PATH, type TranscriptLinks } from './transcripts/transcript-links.js';
import type { SyncRunner } from './sync/sync-runner.js';

export interface ServiceAppDeps {
  config: Config;
  store: Store;
  marketo: MarketoApi;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  sandbox: { url: string } | undefined;
  version: string;
  secrets: ServiceSecrets;
  runner: SyncRunner;
  meetings: ReturnType<typeof createMeetingsModule>;
  routing: ReturnType<typeof createRoutingSources>;
  chatAdmin: ChatAdminDeps;
  /** Called after anything is put in the outbox, so it goes out soon. */
  onEnqueued: () => void;
  /** Whether this replica runs the scheduled jobs: /health says so, and only it syncs. */
  isLeader: () => boolean;
  /** Builds the chat's per-client rate limiters; in memory when undefined. */
  createChatRateLimiter?: ChatPublicRoutesDeps['createRateLimiter'] | undefined;
  /** The Munchkin lookup's wait for Marketo (munchkin-lookup.ts); 300 ms of real time when undefined. */
  munchkinWait?: ((ms: number) => Promise<void>) | undefined;
  /** Signs transcript links (the page the chat activity links to); pages off without it. */
  transcriptLinks?: TranscriptLinks | undefined;
  /** The console's built files; dist/console by default. */
  consoleAssetsDir?: string | undefined;
  /** How notification emails go out: through SMTP, or captured and listed. */
  notificationMode: 'smtp' | 'capture';
  /** Where the chat's limits count: Redis with REDIS_URL, this process otherwise. */
  chatRateLimitStore?: ChatPublicRoutesDeps['rateLimitStore'];
  /** Metrics and the probes' settings (GET /metrics, /ready, /health). */
  observability: AppObservability;
}

/**
 * Every route the service serves, on one app: the Marketo-facing endpoints (Call Webhook, flow
 * steps), the chat's public endpoints and widget, calendar OAuth, and the admin API.
 */
export function createServiceApp(deps: ServiceAppDeps): Express {
  const { config, store, clock, logger, secrets, meetings, routing, onEnqueued } = deps;
  const adminTokens = [secrets.adminToken];
  const consoleAuth = createConsoleAuth({
    adminTokens,
    keyToken: secrets.adminToken,
    sessionMs: config.console.sessionMs,
    secureCookies: config.publicBaseUrl.startsWith('https:'),
    clock,
  });
  return createApp({
    logger,
    clock,
    store,
    marketo: deps.marketo,
    syncRunner: deps.runner,
    adminTokens,
    adminAccess: consoleAuth.adminAccess,
    syncCron: config.sync.cron,
    sandbox: deps.sandbox,
    version: deps.version,
    trustProxyHops: config.trustProxyHops,
    isLeader: deps.isLeader,
    ids: deps.ids,
    observability: deps.observability,
    adminRouters: [
      createChatAdminRoutes(deps.chatAdmin),
      ...meetings.adminRouters,
      createDeadLetterRoutes({
        store,
        clock,
        onEnqueued,
        hold: () => marketoHold(deps.marketo.stats()),
      }),
      createTranscriptAdminRoutes({ store, clock, links: deps.transcriptLinks }),
      createReportRoutes({ store }),
      createNotificationRoutes({ store, mode: deps.notificationMode }),
    ],
    mounts: [
      {
        path: '/console',
        router: createConsoleRoutes({
          auth: consoleAuth,
          adminTokens,
          passwordHash: config.console.passwordHash,
          sessionMs: config.console.sessionMs,
          clock,
          logger,
          assetsDir: deps.consoleAssetsDir,
        }),
      },
      {
        path: '/chat',
        router: createChatPublicRoutes({
          store,
          clock,
          logger,
          publicBaseUrl: config.publicBaseUrl,
          munchkin: createMunchkinLookupPerHour(
            {
              marketo: deps.marketo,
              clock,
              logger,
              ...(deps.munchkinWait === undefined ? {} : { wait: deps.munchkinWait }),
            },
            config.chat.cookieLookupsPerHour,
          ),
          onEnqueued,
          rateLimitStore: deps.chatRateLimitStore,
          extraRoutes: meetings.publicRoutes,
          ...(deps.createChatRateLimiter === undefined
            ? {}
            : { createRateLimiter: deps.createChatRateLimiter }),
        }),
      },
      { path: '/oauth', router: meetings.oauthRouter },
      ...(deps.transcriptLinks === undefined
        ? []
        : [
            {
              path: TRANSCRIPT_PATH,
              router: createTranscriptPageRoutes({ store, clock, links: deps.transcriptLinks }),
            },
          ]),
      { path: '/', router: createWidgetRoutes({ publicBaseUrl: config.publicBaseUrl }) },
      {
        path: '/',
        router: createOpenApiRoutes({ version: deps.version, serverUrl: config.publicBaseUrl }),
      },
      {
        path: '/webhooks/marketo',
        router: createMarketoWebhookRoutes({
          store,
          clock,
          logger,
          secrets: [secrets.webhookSecret, config.webhooks.previousSecret ?? ''],
          allowQuerySecret: config.webhooks.allowQuerySecret,
          agents: routing.agents,
          routing: routing.routing,
          assignRepeatWindowMs: config.webhooks.assignRepeatWindowMs,
          publicBaseUrl: config.publicBaseUrl,
        }),
      },
      {
        path: '/flow-steps',
        router: createFlowStepRoutes({
          store,
          clock,
          logger,
          apiKeys: [secrets.ssfsApiKey, config.ssfs.previousApiKey ?? ''],
          publicBaseUrl: config.publicBaseUrl,
          callbackHosts: config.ssfs.callbackHosts,
          agents: routing.agents,
          onEnqueued,
          version: deps.version,
        }),
      },
    ],
  });
}
