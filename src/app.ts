import type { IncomingMessage } from 'node:http';
import express, {
  type ErrorRequestHandler,
  type Express,
  type RequestHandler,
  type Router,
} from 'express';
import helmet from 'helmet';
import { requireAdmin } from './admin/admin-auth.js';
import type { MarketoApi } from './clients/marketo/types.js';
import { randomIds, type Clock, type Ids } from './deps.js';
import { createErrorHandler, notFoundHandler } from './http/error-handler.js';
import { listRoutes } from './http/route-list.js';
import type { Logger } from './logger.js';
import { createAccessLog, pathOf } from './observability/access-log.js';
import { createObservabilityRoutes } from './observability/observability-routes.js';
import { createRouteLabeler } from './observability/route-label.js';
import { createServiceMetrics, type ServiceMetrics } from './observability/service-metrics.js';
import { createServiceProbes } from './observability/service-probes.js';
import type { Scheduler } from './scheduler.js';
import type { Store } from './store/types.js';
import { createLeadRoutes } from './sync/lead-routes.js';
import { createSyncRoutes } from './sync/sync-routes.js';
import type { SyncRunner } from './sync/sync-runner.js';

export interface AppDeps {
  logger: Logger;
  clock: Clock;
  store: Store;
  marketo: MarketoApi;
  syncRunner: SyncRunner;
  adminTokens: readonly string[];
  /**
   * How /api authenticates; by default the bearer token alone (requireAdmin). The service passes
   * the console's (src/admin/console-auth.ts): the bearer token or a session cookie with CSRF.
   */
  adminAccess?: RequestHandler[];
  syncCron: string;
  /** Set when running against the built-in sandbox instead of a real Marketo instance. */
  sandbox?: { url: string } | undefined;
  version?: string;
  /**
   * Routers built by the composition root from webhooks/ (Marketo-facing endpoints), mounted
   * before the admin API. Each parses its own body with its own limit and authentication.
   */
  mounts?: Array<{ path: string; router: Router }>;
  /** More admin routers, mounted under /api behind the admin token. */
  adminRouters?: Router[];
  /** Proxy hops in front of the service (`trust proxy`), so rate limits see the real client. */
  trustProxyHops?: number;
  /** Whether this replica runs the scheduled jobs (src/leader/); unset: it always does. */
  isLeader?: () => boolean;
  /** Request ids when the caller sends none (random UUIDs by default). */
  ids?: Ids;
  /** Metrics, readiness and the probes' settings (src/observability/); defaults otherwise. */
  observability?: AppObservability;
}

export interface AppObservability {
  /** The service's metrics, fed by the Marketo client and the meetings too; new if unset. */
  metrics?: ServiceMetrics;
  /** METRICS_TOKEN: opens GET /metrics besides the admin token. */
  metricsToken?: string | undefined;
  /** READY_MAX_SYNC_AGE_MINUTES in ms (default 6 hours). */
  maxSyncAgeMs?: number;
  /** SYNC_ENABLED (default true): with the sync off, readiness does not wait for one. */
  syncEnabled?: boolean;
  /** Bounds the probes' store reads (real timers by default). */
  scheduler?: Scheduler;
}

/** Builds the Express app without listening: tests run it in-process on port 0. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // No automatic ETag (a hash of every body, POST answers included): the answers that can be
  // revalidated set their own (GET /chat/config, /widget.js); the rest are no-store or admin.
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxyHops ?? 0);
  const startedAt = deps.clock.now();
  const isLeader = deps.isLeader ?? (() => true);
  const options = deps.observability ?? {};
  const metrics = options.metrics ?? createServiceMetrics();
  // Read once every route is mounted: the first request comes after createApp returns.
  const routeLabel = createRouteLabeler(() => listRoutes(app));
  // Once per request: the access line and the metrics both ask at the end.
  const labels = new WeakMap<IncomingMessage, string>();
  const routeOf = (req: IncomingMessage) => {
    let label = labels.get(req);
    if (label === undefined) {
      label = routeLabel(req.method ?? 'GET', pathOf(req));
      labels.set(req, label);
    }
    return label;
  };
  // First, so every answer (helmet's, a 404, an error) is timed and logged with its id.
  app.use(
    createAccessLog({
      logger: deps.logger,
      ids: deps.ids ?? randomIds,
      routeOf,
      onAnswered: metrics.observeHttp,
    }),
  );
  // The widget script and the chat endpoints are loaded by other sites: their resources must be
  // readable cross-origin (CORS on /chat decides who may call; CORP would block the script).
  app.use(helmet({ crossOriginResourcePolicy: { policy: 'cross-origin' } }));
  app.use(
    createObservabilityRoutes({
      probes: createServiceProbes({
        store: deps.store,
        marketo: deps.marketo,
        runner: deps.syncRunner,
        clock: deps.clock,
        startedAt,
        syncEnabled: options.syncEnabled ?? true,
        maxSyncAgeMs: options.maxSyncAgeMs ?? 6 * 3_600_000,
        sandbox: deps.sandbox !== undefined,
        isLeader,
        ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
      }),
      metrics,
      clock: deps.clock,
      startedAt,
      metricsTokens: [...deps.adminTokens, options.metricsToken ?? ''],
      sandbox: deps.sandbox,
      version: deps.version ?? '0.0.0',
      isLeader,
    }),
  );

  for (const mount of deps.mounts ?? []) app.use(mount.path, mount.router);

  const api = express.Router();
  api.use(deps.adminAccess ?? requireAdmin(deps.adminTokens));
  api.use(express.json({ limit: '100kb' }));
  api.use(createSyncRoutes({ ...deps, runner: deps.syncRunner, cron: deps.syncCron }));
  api.use(createLeadRoutes(deps));
  for (const router of deps.adminRouters ?? []) api.use(router);
  app.use('/api', api);

  app.use(notFoundHandler);
  // Per error, with the request's own logger (pino-http's req.log, bound to its request id),
  // so the error's line and the access line share the id.
  const handleError: ErrorRequestHandler = (err, req, res, next) =>
    createErrorHandler(req.log ?? deps.logger)(err, req, res, next);
  app.use(handleError);
  return app;
}
