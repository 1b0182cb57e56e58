import dotenv from 'dotenv';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config.js';
import { randomIds, systemClock } from '../deps.js';
import { AppError } from '../errors.js';
import { createLogger } from '../logger.js';
import { createRuntime } from '../runtime.js';
import { systemScheduler } from '../scheduler.js';
import { runLeadSync } from '../sync/lead-sync.js';
import { handleStopSignals } from '../stop-signals.js';
import {
  describeWait,
  formatFinalProgress,
  formatProgress,
  formatSummary,
  progressAt,
  waitEndsAt,
  type SyncProgress,
} from '../sync/progress.js';
import { startProgressTicker } from './progress-ticker.js';

/**
 * `npm run sync`: one lead sync from the command line, with a progress line every second (also
 * while it waits for Marketo's budget), a final one with the run's totals, the error or stop if
 * any, and the summary as the last line, on stdout. JSON logs go to stderr, so
 * `npm run sync 2>sync.log` keeps them apart. Exit codes: 0 done, or stopped by SIGTERM/SIGINT
 * after checkpointing (the next run resumes); 1 failed; 75 deferred until Marketo's daily
 * quota resets.
 */
async function main(): Promise<number> {
  dotenv.config({ quiet: true });
  const config = loadConfig(process.env);
  const logger = createLogger({
    level: process.env.LOG_LEVEL ?? 'warn',
    destination: pino.destination(2),
  });
  const runtime = await createRuntime(config, logger);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    runtime.sandbox
      ? `Syncing from the built-in Marketo SANDBOX (${runtime.sandbox.url}) into ${config.dataFile}`
      : `Syncing from ${config.marketo.baseUrl} into ${config.dataFile}`,
  );
  const controller = new AbortController();
  handleStopSignals({
    say: (message) => process.stderr.write(`${message}\n`),
    onStop: (signal) => {
      process.stderr.write(`${signal}: stopping; the pages read so far are checkpointed\n`);
      controller.abort();
      // Calls waiting for the budget or in flight end now: no wait for a rate window.
      runtime.marketo.stop?.();
    },
  });

  let last: SyncProgress | undefined;
  const ticker = startProgressTicker({
    scheduler: systemScheduler,
    everyMs: 1000,
    line: () => {
      const stats = runtime.marketo.stats();
      const now = systemClock.now();
      const wait = describeWait(stats, now);
      if (last === undefined) return `[starting] ${wait ?? 'connecting to Marketo'}`;
      return formatProgress(progressAt(last, now, waitEndsAt(stats, now)), { ...stats, wait });
    },
    write: out,
  });
  try {
    const report = await runLeadSync(
      {
        marketo: runtime.marketo,
        store: runtime.store,
        clock: systemClock,
        ids: randomIds,
        logger,
      },
      {
        fields: config.sync.fields,
        fullStrategy: config.sync.fullStrategy,
        bulkPollMs: config.sync.bulkPollMs,
        concurrency: config.marketo.maxConcurrency + 1,
        signal: controller.signal,
        onProgress: (p) => {
          last = p;
        },
      },
    );
    ticker.stop();
    // The last progress line states the run's own totals, then what stopped it, and the
    // summary comes last, so the lines above it never disagree with it.
    out(formatFinalProgress(report, last, runtime.marketo.stats()));
    if (report.error) out(`Error ${report.error.code}: ${report.error.message}`);
    if (report.outcome === 'stopped') out('Stopped after checkpointing; the next run resumes.');
    out(formatSummary(report, await runtime.store.countLeads()));
    return report.outcome === 'succeeded' || report.outcome === 'stopped'
      ? 0
      : report.outcome === 'quota-deferred'
        ? 75
        : 1;
  } finally {
    ticker.stop();
    await runtime.close();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `${error.message}\nFix these in the environment or in .env (see .env.example).\n`,
      );
    } else if (error instanceof AppError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(
        `Sync failed: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
    }
    process.exit(1);
  });
