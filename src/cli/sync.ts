import dotenv from 'dotenv';
import { ConfigError, loadConfig } from '../config.js';
import { randomIds, systemClock } from '../deps.js';
import { AppError } from '../errors.js';
import { createLogger } from '../logger.js';
import { createRuntime } from '../runtime.js';
import { runLeadSync } from '../sync/lead-sync.js';
import { handleStopSignals } from '../stop-signals.js';
import { formatProgress, type SyncProgress } from '../sync/progress.js';

/**
 * `npm run sync`: one lead sync from the command line, with a progress line every second and
 * a summary. Exit codes: 0 done, or stopped by SIGTERM/SIGINT after checkpointing (the next
 * run resumes); 1 failed; 75 deferred until Marketo's daily quota resets.
 */
async function main(): Promise<number> {
  dotenv.config({ quiet: true });
  const config = loadConfig(process.env);
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
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
      process.stderr.write(`${signal}: stopping after the page in hand is checkpointed\n`);
      controller.abort();
    },
  });

  let last: SyncProgress | undefined;
  let printedAt = 0;
  const print = (p: SyncProgress) => {
    const stats = runtime.marketo.stats();
    out(formatProgress(p, stats.callsToday, stats.dailyQuota));
  };
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
          if (Date.now() - printedAt >= 1000) {
            printedAt = Date.now();
            print(p);
          }
        },
      },
    );
    if (last) print(last);
    const seconds = (Date.parse(report.finishedAt ?? '') - Date.parse(report.startedAt)) / 1000;
    out(
      `Sync ${report.outcome}: ${report.mode} (${report.strategy}), ` +
        `${report.leadsUpserted.toLocaleString('en-US')} leads written, ` +
        `${report.leadsDeleted.toLocaleString('en-US')} deleted, ${report.calls} Marketo calls, ` +
        `${seconds.toFixed(1)} s; ${runtime.store.countLeads().toLocaleString('en-US')} leads stored.`,
    );
    if (report.error) out(`Error ${report.error.code}: ${report.error.message}`);
    if (report.outcome === 'stopped') out('Stopped after checkpointing; the next run resumes.');
    return report.outcome === 'succeeded' || report.outcome === 'stopped'
      ? 0
      : report.outcome === 'quota-deferred'
        ? 75
        : 1;
  } finally {
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
