import cron from 'node-cron';
import type { Logger } from '../src/logger.js';
import type { SyncRunner } from '../src/sync/sync-runner.js';

/**
 * Runs the lead sync on SYNC_CRON. node-cron neither persists nor replays missed fires; that
 * is fine because the sync is cursor-driven: the next fire catches up from the saved cursor.
 * A fire while a run is still going is skipped (never two runs at once).
 */
export function scheduleLeadSync(args: {
  runner: SyncRunner;
  cronExpression: string;
  logger: Logger;
  isPaused?: () => boolean;
}): { stop(): void } {
  const task = cron.schedule(
    args.cronExpression,
    async () => {
      if (args.runner.running) {
        args.logger.info('scheduled lead sync skipped: a run is still going');
        return;
      }
      if (args.isPaused?.()) {
        args.logger.info('scheduled lead sync skipped: Marketo daily quota reached');
        return;
      }
      const { done } = args.runner.start('schedule');
      await done.catch((error: unknown) => args.logger.error({ err: error }, 'lead sync failed'));
    },
    { noOverlap: true, name: 'lead-sync' },
  );
  return { stop: () => void task.stop() };
}
