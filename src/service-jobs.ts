import { scheduleLeadSync } from '../jobs/lead-sync-schedule.js';
import { scheduleMeetingJobs } from '../jobs/meeting-schedule.js';
import { scheduleOutboxPrune } from '../jobs/outbox-prune.js';
import type { MarketoApi } from './clients/marketo/types.js';
import type { Config } from './config.js';
import type { Clock } from './deps.js';
import type { Logger } from './logger.js';
import type { MeetingJobReport } from './meetings/complete-meetings.js';
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

export interface ServiceJobs {
  /**
   * Stops in order: the sync's schedule (no new run), the run in hand (it checkpoints its page),
   * the meeting job and the prune, then the outbox relays once their passes in hand are over.
   */
  stop(): Promise<void>;
}

/**
 * The service's background work: the outbox relays, their prune, the meeting job, and the lead
 * sync on SYNC_CRON (a new or unfinished copy starts at once rather than at the next fire).
 */
export function startServiceJobs(deps: ServiceJobsDeps): ServiceJobs {
  const { config, store, clock, logger, runner, outbox } = deps;
  outbox.start();
  const outboxPrune = scheduleOutboxPrune({
    store,
    clock,
    logger,
    retentionMs: config.outbox.retentionMs,
  });
  const meetingJobs = scheduleMeetingJobs({
    run: deps.runMeetingJobs,
    everyMs: config.meetings.jobIntervalMs,
    logger,
  });
  const leadSync = config.sync.enabled
    ? scheduleLeadSync({
        runner,
        cronExpression: config.sync.cron,
        logger,
        isPaused: () => (deps.marketo.stats().pausedUntil ?? 0) > clock.now(),
      })
    : undefined;
  if (config.sync.enabled && store.loadSyncState().phase !== 'incremental' && !runner.running) {
    runner.start('startup').done.catch((err: unknown) => logger.error({ err }, 'lead sync failed'));
  }
  return {
    async stop() {
      leadSync?.stop();
      await runner.stop();
      await meetingJobs.stop();
      outboxPrune.stop();
      await outbox.stop();
    },
  };
}
