import type { Logger } from '../logger.js';
import type { LeaderElection } from './leader-election.js';

/** A scheduled job as the leader sees it: started on taking the lead, stopped on losing it. */
export interface LeaderJob {
  name: string;
  /** Starts the job's schedule; returns what stops it (the stop may wait for a pass in hand). */
  start(): { stop(): void | Promise<void> };
}

export interface LeaderJobs {
  isLeader(): boolean;
  /** Stops the jobs (waiting for passes in hand), then gives leadership up. */
  stop(): Promise<void>;
}

/**
 * Runs `jobs` while this process leads, and only then. Losing the lead stops every job at once,
 * in the same turn as the election notices (no new pass starts; one in hand finishes). Taking
 * the lead again starts them afresh, after the previous stop is complete, so a pass from the
 * last term never overlaps one from the next. The jobs themselves (jobs/*.ts) know nothing of
 * leadership.
 */
export function runAsLeader(
  election: LeaderElection,
  jobs: readonly LeaderJob[],
  logger: Logger,
): LeaderJobs {
  let running: Array<{ name: string; stop(): void | Promise<void> }> = [];
  let stopping: Promise<void> = Promise.resolve();
  let closed = false;

  const stopAll = (): Promise<void> => {
    const handles = running;
    running = [];
    return Promise.all(
      handles.map(async (job) => {
        try {
          await job.stop();
        } catch (error) {
          logger.error({ err: error, job: job.name }, 'job did not stop cleanly');
        }
      }),
    ).then(() => undefined);
  };

  const startAll = () => {
    // Checked again here: the lead may have gone while the last term's jobs were stopping.
    if (closed || !election.isLeader() || running.length > 0) return;
    running = jobs.map((job) => {
      const handle = job.start();
      return { name: job.name, stop: () => handle.stop() };
    });
  };

  const unsubscribe = election.onChange((leader) => {
    if (leader) {
      void stopping.then(startAll);
    } else {
      const done = stopAll();
      stopping = Promise.all([stopping, done]).then(() => undefined);
    }
  });
  election.start();
  if (election.isLeader()) startAll();

  return {
    isLeader: () => election.isLeader(),
    async stop() {
      closed = true;
      unsubscribe();
      await Promise.all([stopping, stopAll()]);
      await election.stop();
    },
  };
}
