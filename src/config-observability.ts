import { z } from 'zod';
import { integer, optionalString } from './config-values.js';

/**
 * The configuration keys of logs, metrics and readiness (src/observability/), spread into the
 * one schema of src/config.ts so they are parsed, reported and documented with every other key.
 */
export const observabilityEnvShape = {
  /** `json` (one JSON object a line, for collectors) or `pretty` (pino-pretty, for people). */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  /** Set: GET /metrics also accepts this bearer token (a scraper need not hold the admin's). */
  METRICS_TOKEN: optionalString.pipe(
    z.string().min(24, { error: 'must be at least 24 characters' }).optional(),
  ),
  /** GET /ready fails (and /health says degraded) when no sync succeeded for this long. */
  READY_MAX_SYNC_AGE_MINUTES: integer(1, 30 * 24 * 60).default(360),
};

export type ObservabilityEnv = z.output<z.ZodObject<typeof observabilityEnvShape>>;

/** The `observability` part of Config from the parsed keys. */
export function observabilityConfig(e: ObservabilityEnv) {
  return {
    logFormat: e.LOG_FORMAT,
    metricsToken: e.METRICS_TOKEN,
    readyMaxSyncAgeMs: e.READY_MAX_SYNC_AGE_MINUTES * 60_000,
  };
}
