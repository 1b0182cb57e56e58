import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import dotenv from 'dotenv';
import { scheduleLeadSync } from '../jobs/lead-sync-schedule.js';
import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { randomIds, systemClock } from './deps.js';
import { AppError } from './errors.js';
import { createLogger } from './logger.js';
import { createRuntime, resolveSecret } from './runtime.js';
import { SyncRunner } from './sync/sync-runner.js';

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
  const adminToken = await resolveSecret(config.adminToken, 'admin-token', config.dataFile, logger);
  const deps = {
    marketo: runtime.marketo,
    store: runtime.store,
    clock: systemClock,
    ids: randomIds,
    logger,
  };
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
    version: readVersion(),
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
        isPaused: () => (runtime.marketo.stats().pausedUntil ?? 0) > Date.now(),
      })
    : undefined;
  if (config.sync.enabled && runtime.store.loadSyncState().phase !== 'incremental') {
    // A new or unfinished copy starts now rather than at the next cron fire.
    runner.start('startup').done.catch((err: unknown) => logger.error({ err }, 'lead sync failed'));
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new work, checkpointing the sync');
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    schedule?.stop();
    server.close();
    server.closeIdleConnections();
    await runner.stop();
    await runtime.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    return String(pkg.version);
  } catch {
    return '0.0.0';
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Fatal: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
