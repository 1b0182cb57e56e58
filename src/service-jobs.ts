import { scheduleLeadSync } from '../jobs/lead-sync-schedule.js';
import { scheduleMeetingJobs } from '../jobs/meeting-schedule.js';
import { scheduleOutboxPrune } from '../jobs/outbox-prune.js';
import { scheduleMeetingReminders } from '../jobs/meeting-reminder-schedule.js';
import type { MarketoApi } from './clients/marketo/types.js';
import type { Config } from './config.js';
import type { LeaderJob } from './leader/run-as-leader.js';
import type { Clock } from './deps.js';
import type { Logger } from './logger.js';
import type { MeetingJobReport } from './meetings/complete-meetings.js';
import { runMeetingReminders } from './notifications/meeting-reminders.js';
import type { ServiceOutbox } from './service-outbox.js';
import type { Store } from './store/types.js';
import type { SyncRunner } from './sync/sync-runner.js';

export interface ServiceJobsDeps {
  config: Config;
  store: Store;
  marketo: Pick<MarketoApi, 'stats'>;
  clock: Clock;
  logger: Logger;
  runner: SyncRunner;
  outbox: ServiceOutbox;
  /** The meetings' periodic work: completion and stale holds. */
  runMeetingJobs: () => Promise<MeetingJobReport>;
}

/** A piece of background work: started, and stopped by what its start returned. */
export type ServiceJob = LeaderJob;

/**
 * The service's background work, in the order it stops: the lead sync on SYNC_CRON (its stop
 * ends the schedule, then the run in hand checkpoints its page), the meeting job, the visitors'
 * reminders, the outbox's prune, and last the outbox relays, so what the others enqueued while stopping still goes out.
 */
export function createServiceJobs(deps: ServiceJobsDeps): ServiceJob[] {
  const { config, store, clock, logger, runner, outbox } = deps;
  const leadSync: ServiceJob = {
    name: 'lead-sync',
    start() {
      const schedule = scheduleLeadSync({
        runner,
        cronExpression: config.sync.cron,
        logger,
        isPaused: () => (deps.marketo.stats().pausedUntil ?? 0) > clock.now(),
      });
      // A new or unfinished copy starts now rather than at the next cron fire (unless the job
      // stopped while the state was read).
      let stopped = false;
      const startup = store.loadSyncState().then(
        (state) => {
          if (stopped || state.phase === 'incremental' || runner.running) return;
          runner
            .start('startup')
            .done.catch((err: unknown) => logger.error({ err }, 'lead sync failed'));
        },
        (err: unknown) => logger.error({ err }, 'could not read the sync state at start'),
      );
      return {
        async stop() {
          stopped = true;
          schedule.stop();
          await startup;
          await runner.stop();
        },
      };
    },
  };
  return [
    ...(config.sync.enabled ? [leadSync] : []),
    {
      name: 'meeting-jobs',
      start: () =>
        scheduleMeetingJobs({
          run: deps.runMeetingJobs,
          everyMs: config.meetings.jobIntervalMs,
          logger,
        }),
    },
    // The visitors' reminders (REMINDER_MINUTES_BEFORE; 0 turns them off), as often.
    ...(config.notifications.reminderLeadMs > 0
      ? [
          {
            name: 'meeting-reminders',
            start: () =>
              scheduleMeetingReminders({
                run: () =>
                  runMeetingReminders(
                    { store, clock },
                    { leadMs: config.notifications.reminderLeadMs },
                  ),
                everyMs: config.meetings.jobIntervalMs,
                logger,
              }),
          } satisfies ServiceJob,
        ]
      : []),
    {
      name: 'outbox-prune',
      start: () =>
        scheduleOutboxPrune({
          store,
          clock,
          logger,
          retentionMs: config.outbox.retentionMs,
          conversationRetentionMs: config.chat.conversationRetentionMs,
          notificationRetentionMs: config.notifications.retentionMs,
        }),
    },
    {
      name: 'outbox',
      start() {
        outbox.start();
        return { stop: () => outbox.stop() };
      },
    },
  ];
}
