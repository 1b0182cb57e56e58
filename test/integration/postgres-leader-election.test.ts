import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LeaderElection } from '../../src/leader/leader-election.js';
import { silentLogger } from '../../src/logger.js';
import { systemScheduler } from '../../src/scheduler.js';
import { createPgLeaderElection } from '../../src/store/postgres/pg-leader-election.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.js';

/** Short enough to keep the test quick, long enough for a loaded 2-core machine's queries. */
const CHECK_MS = 100;

/** Resolves with the election's next change to `leader`. */
function becomes(election: LeaderElection, leader: boolean): Promise<void> {
  return new Promise((resolve) => {
    const off = election.onChange((now) => {
      if (now !== leader) return;
      off();
      resolve();
    });
  });
}

describe('PostgreSQL leader election (advisory lock)', () => {
  let database: TestDatabase;
  let elections: Array<{ election: LeaderElection; holder: string }>;
  /** Lock tries answered, per holder; `triesReached` is asked after each. */
  let tries: Map<string, number>;
  let triesReached: () => boolean;

  /** Counts the election's answered lock tries (its client's pg_try_advisory_lock queries). */
  function countTries(client: pg.Client, holder: string): pg.Client {
    const query = client.query.bind(client) as (
      text: string,
      values?: unknown[],
    ) => Promise<unknown>;
    const counted = async (text: string, values?: unknown[]) => {
      const result = await query(text, values);
      if (text.includes('pg_try_advisory_lock')) {
        tries.set(holder, (tries.get(holder) ?? 0) + 1);
        triesReached();
      }
      return result;
    };
    return Object.assign(client, { query: counted });
  }

  beforeEach(async () => {
    tries = new Map();
    triesReached = () => false;
    database = await createTestDatabase();
    const run = randomBytes(4).toString('hex');
    elections = ['a', 'b'].map((name) => {
      const holder = `mc-test-${run}-${name}`;
      return {
        holder,
        election: createPgLeaderElection({
          connectionString: database.url,
          checkMs: CHECK_MS,
          scheduler: systemScheduler,
          logger: silentLogger,
          holder,
          createClient: (config) => countTries(new pg.Client(config), holder),
        }),
      };
    });
  });

  afterEach(async () => {
    await Promise.all(elections.map(({ election }) => election.stop()));
    await database.drop();
  });

  /** Starts both and answers [leader, follower] once one leads. */
  async function startBoth() {
    const [a, b] = elections as [(typeof elections)[0], (typeof elections)[0]];
    const first = Promise.race([
      becomes(a.election, true).then(() => a),
      becomes(b.election, true).then(() => b),
    ]);
    a.election.start();
    b.election.start();
    const leader = await first;
    return [leader, leader === a ? b : a] as const;
  }

  it('when two replicas campaign on one database, then exactly one leads', async () => {
    const [leader, follower] = await startBoth();
    // The follower tries the lock every check and is refused each time.
    const seen = tries.get(follower.holder) ?? 0;
    await new Promise<void>((resolve) => {
      triesReached = () => (tries.get(follower.holder) ?? 0) >= seen + 3 && (resolve(), true);
    });
    expect(leader.election.isLeader()).toBe(true);
    expect(follower.election.isLeader()).toBe(false);
  });

  it("when the leader's connection is killed, then it steps down and the other leads within checkMs", async () => {
    const [leader, follower] = await startBoth();
    const steppedDown = becomes(leader.election, false);
    const tookOver = becomes(follower.election, true);

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const killedAt = performance.now();
    const killed = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
      [leader.holder],
    );
    await admin.end();
    expect(killed.rowCount).toBe(1);

    await steppedDown;
    await tookOver;
    const handOverMs = performance.now() - killedAt;
    // The follower's next try after the session ends: at most checkMs, plus the queries'
    // time on a loaded machine.
    expect(handOverMs).toBeLessThan(CHECK_MS + 400);
    expect(leader.election.isLeader()).toBe(false);
    expect(follower.election.isLeader()).toBe(true);
  });

  it('when the leader stops, then it gives the lock up and the other leads', async () => {
    const [leader, follower] = await startBoth();
    const tookOver = becomes(follower.election, true);
    const stoppedAt = performance.now();
    await leader.election.stop();
    expect(leader.election.isLeader()).toBe(false);
    await tookOver;
    expect(performance.now() - stoppedAt).toBeLessThan(CHECK_MS + 400);
  });
});
