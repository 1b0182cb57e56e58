import type { Logger } from '../src/logger.js';
import type { MeetingReminderReport } from '../src/notifications/meeting-reminders.js';

/**
 * Runs the visitors' reminders (src/notifications/meeting-reminders.ts) every `everyMs`, never
 * two at once; on the leader only, like every scheduled job. This file is only the timer.
 */
export function scheduleMeetingReminders(options: {
  run: () => Promise<MeetingReminderReport>;
  everyMs: number;
  logger: Logger;
}): { stop(): Promise<void>; runNow(): Promise<void> } {
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= options
      .run()
      .then((report) => {
        if (report.enqueued > 0) options.logger.info(report, 'meeting reminders enqueued');
      })
      .catch((error: unknown) => options.logger.error({ err: error }, 'meeting reminders failed'))
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
