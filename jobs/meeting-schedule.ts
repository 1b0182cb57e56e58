import type { Logger } from '../src/logger.js';
import type { MeetingJobReport } from '../src/meetings/complete-meetings.js';

/**
 * Runs the meetings' job (completion, stale holds) every `everyMs`, never two at once. The work
 * is src/meetings/complete-meetings.ts; this file is only the timer.
 */
export function scheduleMeetingJobs(options: {
  run: () => Promise<MeetingJobReport>;
  everyMs: number;
  logger: Logger;
}): { stop(): Promise<void>; runNow(): Promise<void> } {
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= options
      .run()
      .then((report) => {
        if (report.completed + report.recovered + report.released > 0) {
          options.logger.info(report, 'meeting job');
        }
      })
      .catch((error: unknown) => options.logger.error({ err: error }, 'meeting job failed'))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void tick(), options.everyMs);
  timer.unref();
  return {
    runNow: tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
