import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import { requireAdmin } from './admin/admin-auth.js';
import type { MarketoApi } from './clients/marketo/types.js';
import type { Clock } from './deps.js';
import { createErrorHandler, notFoundHandler } from './http/error-handler.js';
import type { Logger } from './logger.js';
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
}

/** Builds the Express app without listening: tests run it in-process on port 0. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // No automatic ETag (a hash of every body, POST answers included): the answers that can be
  // revalidated set their own (GET /chat/config, /widget.js); the rest are no-store or admin.
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxyHops ?? 0);
  // The widget script and the chat endpoints are loaded by other sites: their resources must be
  // readable cross-origin (CORS on /chat decides who may call; CORP would block the script).
  app.use(helmet({ crossOriginResourcePolicy: { policy: 'cross-origin' } }));
  const startedAt = deps.clock.now();

  app.get('/health', (_req, res) => {
    res.json({
      status: 'ok',
      mode: deps.sandbox ? 'sandbox' : 'marketo',
      ...(deps.sandbox
        ? {
            warning:
              'SANDBOX MODE: no MARKETO_BASE_URL is set, so this service talks to the built-in ' +
              'Marketo sandbox with demo leads, not to a real Marketo instance.',
            sandboxUrl: deps.sandbox.url,
          }
        : {}),
      version: deps.version ?? '0.0.0',
      leader: deps.isLeader?.() ?? true,
      uptimeSeconds: Math.round((deps.clock.now() - startedAt) / 1000),
    });
  });

  for (const mount of deps.mounts ?? []) app.use(mount.path, mount.router);

  const api = express.Router();
  api.use(deps.adminAccess ?? requireAdmin(deps.adminTokens));
  api.use(express.json({ limit: '100kb' }));
  api.use(createSyncRoutes({ ...deps, runner: deps.syncRunner, cron: deps.syncCron }));
  api.use(createLeadRoutes(deps));
  for (const router of deps.adminRouters ?? []) api.use(router);
  app.use('/api', api);

  app.use(notFoundHandler);
  app.use(createErrorHandler(deps.logger));
  return app;
}
