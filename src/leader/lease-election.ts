import type { Clock } from '../deps.js';
import type { Logger } from '../logger.js';
import type { Scheduler } from '../scheduler.js';
import { createLeadership, type LeaderElection } from './leader-election.js';
import type { LeaderLock } from './redis-leader-lock.js';

export interface LeaseElectionOptions {
  lock: LeaderLock;
  /** Unique to this process (host, pid and a random part): whose lease the key holds. */
  holder: string;
  /** How long a lease lasts unless renewed (LEADER_TTL_MS). */
  ttlMs: number;
  /** How often the leader renews and the others try to take over (LEADER_CHECK_MS). */
  checkMs: number;
  clock: Clock;
  scheduler: Scheduler;
  logger: Logger;
}

/**
 * Leadership as a lease with expiry and renewal. Every `checkMs` the leader renews its lease and
 * every other replica tries to take the key. A leader that dies stops renewing, its key expires
 * after `ttlMs`, and the next check of another replica takes it: the jobs move within
 * ttlMs + checkMs. A leader steps down at once when a renewal is refused (its key expired or was
 * taken), fails or hangs, and in any case when its lease runs out on its own clock before a
 * renewal is confirmed (fencing: it never goes on running jobs believing it leads). The lease is
 * counted from before the command was sent, so this process always gives up no later than Redis
 * lets the key go.
 */
export function createLeaseElection(options: LeaseElectionOptions): LeaderElection {
  const { lock, holder, ttlMs, checkMs, clock, scheduler } = options;
  // A lease must outlive one failed check, or a single slow answer hands the jobs over.
  if (ttlMs < 2 * checkMs) throw new Error('the lease must last at least two checks');
  const logger = options.logger.child({ job: 'leader' });
  const leadership = createLeadership(false);
  let stopped = true;
  // After a failed renewal the key may still be ours: the next campaign reclaims it with a
  // renewal instead of waiting for it to expire.
  let mayHoldKey = false;
  let checking: Promise<void> | undefined;
  let nextCheck: { cancel(): void } | undefined;
  let leaseEnd: { cancel(): void } | undefined;

  const set = (next: boolean, reason: string) => {
    if (next === leadership.isLeader()) return;
    if (!next) {
      leaseEnd?.cancel();
      leaseEnd = undefined;
    }
    if (next) logger.info({ holder }, `this replica now runs the scheduled jobs: ${reason}`);
    else logger.warn({ holder }, `this replica stops the scheduled jobs: ${reason}`);
    leadership.set(next);
  };

  const hold = (sentAt: number) => {
    const until = sentAt + ttlMs;
    if (stopped || until <= clock.now()) return;
    leaseEnd?.cancel();
    leaseEnd = scheduler.setTimeout(
      () => set(false, 'the lease ran out before a renewal was confirmed'),
      until - clock.now(),
    );
    set(true, 'took the lease');
  };

  /** A command that neither answers nor fails within a check counts as failed. */
  const withinCheck = <T>(operation: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = scheduler.setTimeout(
        () => reject(new Error(`no answer from Redis within ${checkMs} ms`)),
        checkMs,
      );
      operation.then(resolve, reject).finally(() => timer.cancel());
    });

  const check = async () => {
    const sentAt = clock.now();
    const wasLeader = leadership.isLeader();
    try {
      if (wasLeader) {
        if (await withinCheck(lock.renew(holder, ttlMs))) hold(sentAt);
        else set(false, 'the lease expired or another replica holds it');
        return;
      }
      let taken = await withinCheck(lock.acquire(holder, ttlMs));
      if (!taken && mayHoldKey) taken = await withinCheck(lock.renew(holder, ttlMs));
      mayHoldKey = false;
      if (taken) hold(sentAt);
    } catch (error) {
      if (wasLeader || leadership.isLeader()) {
        mayHoldKey = true;
        logger.error({ err: error }, 'lease renewal failed');
        set(false, 'the lease could not be renewed');
      } else {
        logger.debug({ err: error }, 'lease check failed; trying again at the next check');
      }
    }
  };

  const loop = (ms: number) => {
    nextCheck = scheduler.setTimeout(() => {
      nextCheck = undefined;
      checking = check().finally(() => {
        checking = undefined;
        if (!stopped) loop(checkMs);
      });
    }, ms);
  };

  return {
    isLeader: leadership.isLeader,
    onChange: leadership.onChange,
    start() {
      if (!stopped) return;
      stopped = false;
      loop(0);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      nextCheck?.cancel();
      nextCheck = undefined;
      await checking;
      set(false, 'stopping');
      mayHoldKey = false;
      // Given up at once, so another replica takes over at its next check, not after ttlMs.
      await lock
        .release(holder)
        .catch((error: unknown) => logger.warn({ err: error }, 'could not release the lease'));
    },
  };
}
