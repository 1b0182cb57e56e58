import { Router } from 'express';
import { requireAdmin } from '../admin/admin-auth.js';
import type { Clock } from '../deps.js';
import type { ServiceMetrics } from './service-metrics.js';
import type { ServiceProbes } from './service-probes.js';

export interface ObservabilityRoutesDeps {
  probes: ServiceProbes;
  metrics: ServiceMetrics;
  clock: Clock;
  startedAt: number;
  /** The admin token, and METRICS_TOKEN when set: either opens /metrics. */
  metricsTokens: readonly string[];
  sandbox: { url: string } | undefined;
  version: string;
  isLeader: () => boolean;
}

/**
 * GET /health (liveness: 200 while the process works, `degraded` with the reason when the
 * sync is stuck), GET /ready (readiness: 503 naming every failing check) and GET /metrics
 * (Prometheus text, behind a bearer token). The probes are open and say nothing about leads,
 * tokens or configuration beyond the mode.
 */
export function createObservabilityRoutes(deps: ObservabilityRoutesDeps): Router {
  const router = Router();

  router.get('/health', async (_req, res) => {
    const health = await deps.probes.health();
    res.set('Cache-Control', 'no-store').json({
      status: health.status,
      ...(health.reason === undefined ? {} : { reason: health.reason }),
      mode: deps.sandbox ? 'sandbox' : 'marketo',
      ...(deps.sandbox
        ? {
            warning:
              'SANDBOX MODE: no MARKETO_BASE_URL is set, so this service talks to the built-in ' +
              'Marketo sandbox with demo leads, not to a real Marketo instance.',
            sandboxUrl: deps.sandbox.url,
          }
        : {}),
      version: deps.version,
      leader: deps.isLeader(),
      uptimeSeconds: Math.round((deps.clock.now() - deps.startedAt) / 1000),
    });
  });

  router.get('/ready', async (_req, res) => {
    const { ready, checks } = await deps.probes.ready();
    const failing = Object.entries(checks)
      .filter(([, check]) => !check.ok)
      .map(([name]) => name);
    res
      .status(ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ ready, checks, ...(ready ? {} : { failing }) });
  });

  router.get('/metrics', requireAdmin(deps.metricsTokens), async (_req, res) => {
    deps.metrics.record(await deps.probes.snapshot());
    res
      .set('Content-Type', deps.metrics.contentType)
      .set('Cache-Control', 'no-store')
      .send(await deps.metrics.render());
  });

  return router;
}
