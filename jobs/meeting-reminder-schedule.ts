import type { Logger } from '../src/logger.js';
import type { MeetingReminderReport } from '../src/notifications/meeting-reminders.js';
import { runEvery } from './every.js';

/**
 * Runs the visitors' reminders (src/notifications/meeting-reminders.ts) every `everyMs`, never
 * two at once; on the leader only, like every scheduled job. This file is only the timer.
 */
export function scheduleMeetingReminders(options: {
  run: () => Promise<MeetingReminderReport>;
  everyMs: number;
  logger: Logger;
}): { stop(): Promise<void>; runNow(): Promise<void> } {
  return runEvery({
    ...options,
    name: 'meeting reminders',
    worthLogging: (report) => report.enqueued > 0,
  });
}
