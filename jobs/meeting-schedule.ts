import type { Logger } from '../src/logger.js';
import type { MeetingJobReport } from '../src/meetings/complete-meetings.js';
import { runEvery } from './every.js';

/**
 * Runs the meetings' job (completion, stale holds, interrupted reassigns) every `everyMs`, never
 * two at once. The work is src/meetings/complete-meetings.ts; this file is only the timer.
 */
export function scheduleMeetingJobs(options: {
  run: () => Promise<MeetingJobReport>;
  everyMs: number;
  logger: Logger;
}): { stop(): Promise<void>; runNow(): Promise<void> } {
  return runEvery({
    ...options,
    name: 'meeting job',
    worthLogging: (report) => Object.values(report).some((count) => count > 0),
  });
}
