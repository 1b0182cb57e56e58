import pg from 'pg';
import { createLeadership, type LeaderElection } from '../../leader/leader-election.js';
import type { Logger } from '../../logger.js';
import type { Scheduler } from '../../scheduler.js';

/** The session advisory lock whose holder runs the jobs (any fixed bigint; "mc-lead"). */
export const LEADER_LOCK_KEY = 0x6d632d6c656164n;

export interface PgLeaderElectionOptions {
  connectionString: string;
  /** How often a follower tries the lock, and the leader checks its connection (LEADER_CHECK_MS). */
  checkMs: number;
  scheduler: Scheduler;
  logger: Logger;
  /** Shown as the session's application_name (pg_stat_activity): who holds the lock. */
  holder: string;
  lockKey?: bigint;
  /** The dedicated connection; tests may wrap it. */
  createClient?: (config: pg.ClientConfig) => pg.Client;
}

/**
 * Leadership as a PostgreSQL session advisory lock (pg_try_advisory_lock) held on a dedicated
 * connection. The database frees the lock when the session ends, so a leader that dies or loses
 * its connection hands over as soon as another replica's next try, within `checkMs`: no TTL to
 * wait out. This side steps down the moment its connection fails (an `error` or `end` event)
 * or a check does not answer within `checkMs`: without the session it cannot know the lock is
 * still its own. Followers retry every `checkMs`, reconnecting when needed.
 */
export function createPgLeaderElection(options: PgLeaderElectionOptions): LeaderElection {
  const { checkMs, scheduler, holder } = options;
  const key = (options.lockKey ?? LEADER_LOCK_KEY).toString();
  const logger = options.logger.child({ job: 'leader' });
  const createClient = options.createClient ?? ((config) => new pg.Client(config));
  const leadership = createLeadership(false);
  let stopped = true;
  let client: pg.Client | undefined;
  let checking: Promise<void> | undefined;
  let nextCheck: { cancel(): void } | undefined;
  let yielding = false;

  const set = (next: boolean, reason: string) => {
    if (next === leadership.isLeader()) return;
    if (next) logger.info({ holder }, `this replica now runs the scheduled jobs: ${reason}`);
    else logger.warn({ holder }, `this replica stops the scheduled jobs: ${reason}`);
    leadership.set(next);
  };

  /** The session is gone or in doubt: so is the lock. The connection is ended for good. */
  const lose = (lost: pg.Client, reason: string) => {
    if (client !== lost) return;
    client = undefined;
    lost.end().catch(() => undefined);
    if (leadership.isLeader()) yieldTurn();
    set(false, reason);
  };

  /**
   * A leader that lost its session waits two checks before trying again, so a healthy
   * replica (trying every check) takes over rather than the one whose connection just failed.
   */
  const yieldTurn = () => {
    if (stopped) return;
    if (checking !== undefined) {
      yielding = true;
      return;
    }
    nextCheck?.cancel();
    nextCheck = scheduler.setTimeout(campaign, 2 * checkMs);
  };

  const withinCheck = <T>(operation: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = scheduler.setTimeout(
        () => reject(new Error(`no answer from PostgreSQL within ${checkMs} ms`)),
        checkMs,
      );
      operation.then(resolve, reject).finally(() => timer.cancel());
    });

  const connect = async (): Promise<pg.Client> => {
    const fresh = createClient({
      connectionString: options.connectionString,
      application_name: holder,
      keepAlive: true,
    });
    fresh.on('error', (error) => lose(fresh, `the lock's connection failed: ${error.message}`));
    fresh.on('end', () => lose(fresh, "the lock's connection ended"));
    client = fresh;
    try {
      await withinCheck(fresh.connect());
    } catch (error) {
      lose(fresh, 'could not connect');
      throw error;
    }
    return fresh;
  };

  const check = async () => {
    const current = client ?? (await connect());
    try {
      if (leadership.isLeader()) {
        await withinCheck(current.query('SELECT 1'));
        return;
      }
      const result = await withinCheck(
        current.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key]),
      );
      // stop() may have come meanwhile: give a lock just taken straight back.
      if (result.rows[0]?.locked === true) {
        if (stopped) await current.query('SELECT pg_advisory_unlock($1)', [key]);
        else set(true, 'took the advisory lock');
      }
    } catch (error) {
      lose(current, `a check failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const campaign = () => {
    if (stopped) return;
    checking = check()
      .catch((error: unknown) => {
        logger.debug({ err: error, holder }, 'leader check failed; retrying');
      })
      .finally(() => {
        checking = undefined;
        const wait = yielding ? 2 * checkMs : checkMs;
        yielding = false;
        if (!stopped) nextCheck = scheduler.setTimeout(campaign, wait);
      });
  };

  return {
    isLeader: leadership.isLeader,
    onChange: leadership.onChange,
    start() {
      if (!stopped) return;
      stopped = false;
      campaign();
    },
    async stop() {
      stopped = true;
      nextCheck?.cancel();
      nextCheck = undefined;
      await checking;
      set(false, 'stopped');
      const current = client;
      client = undefined;
      if (current === undefined) return;
      // Ending the session frees the lock; the unlock first makes the hand-over immediate
      // even if the end is slow to reach the server.
      await current.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      await current.end().catch(() => undefined);
    },
  };
}
