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
  /** Stops the jobs in their order (each waits for its pass in hand), then gives the lead up. */
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

  const stopOne = async (job: (typeof running)[number]) => {
    try {
      await job.stop();
    } catch (error) {
      logger.error({ err: error, job: job.name }, 'job did not stop cleanly');
    }
  };
  // Leadership lost: every job is told at once (fencing), whatever its place in the order.
  const stopAll = (): Promise<void> => {
    const handles = running;
    running = [];
    return Promise.all(handles.map(stopOne)).then(() => undefined);
  };
  // A clean stop of the process: in the jobs' order, each after the last, so what the earlier
  // ones enqueue while stopping still goes out through the later ones (the outbox comes last).
  const stopInOrder = async (): Promise<void> => {
    const handles = running;
    running = [];
    for (const job of handles) await stopOne(job);
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
      void stopping
        .then(startAll)
        .catch((error: unknown) => logger.error({ err: error }, 'scheduled jobs did not start'));
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
      await stopping;
      await stopInOrder();
      await election.stop();
    },
  };
}
