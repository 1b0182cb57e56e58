import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { createLeaseElection } from '../../src/leader/lease-election.js';
import type { LeaderLock } from '../../src/leader/redis-leader-lock.js';
import { runAsLeader } from '../../src/leader/run-as-leader.js';
import { createSoleLeader } from '../../src/leader/leader-election.js';
import { silentLogger } from '../../src/logger.js';
import { createManualScheduler, type Scheduler } from '../../src/scheduler.js';

/** A lock whose answers the test controls: `hang` leaves every call unanswered. */
function scriptedLock(scheduler: Scheduler) {
  const state = { holder: undefined as string | undefined, hang: false, fail: false, delayMs: 0 };
  const answer = <T>(value: () => T): Promise<T> =>
    state.hang
      ? new Promise<T>(() => {})
      : state.fail
        ? Promise.reject(new Error('connection is closed'))
        : new Promise<T>((resolve) => {
            const result = value();
            if (state.delayMs === 0) resolve(result);
            else scheduler.setTimeout(() => resolve(result), state.delayMs);
          });
  const lock: LeaderLock = {
    acquire: (holder) =>
      answer(() => (state.holder === undefined ? ((state.holder = holder), true) : false)),
    renew: (holder) => answer(() => state.holder === holder),
    release: (holder) =>
      answer(() => (state.holder === holder ? ((state.holder = undefined), true) : false)),
  };
  return { lock, state };
}

/** Lets every promise already resolved run its continuations (no time passes). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setUp(ttlMs = 300) {
  const clock = createManualClock(0);
  const scheduler = createManualScheduler(clock);
  const { lock, state } = scriptedLock(scheduler);
  const election = createLeaseElection({
    lock,
    holder: 'me',
    ttlMs,
    checkMs: 100,
    clock,
    scheduler,
    logger: silentLogger,
  });
  const changes: boolean[] = [];
  election.onChange((leader) => changes.push(leader));
  /** Moves time in small steps, letting the lock's answers arrive between them. */
  const advance = async (ms: number) => {
    for (let step = 0; step < ms; step += 10) {
      scheduler.advance(10);
      await settle();
    }
  };
  return { clock, election, state, changes, advance };
}

describe('the lease election', () => {
  it('when a renewal hangs, then the leader steps down when its lease runs out on its own clock', async () => {
    const { clock, election, state, changes, advance } = setUp();
    election.start();
    await advance(10);
    expect(election.isLeader()).toBe(true);
    const leaseStart = clock.now();
    state.hang = true;
    // Renewals at +100 and +200 never answer; the lease taken at the start ends at +300.
    await advance(280);
    expect(election.isLeader()).toBe(false);
    expect(clock.now() - leaseStart).toBeLessThanOrEqual(300);
    expect(changes).toEqual([true, false]);
  });

  it('when answers are slow and the next renewal hangs, then the leader steps down when its lease runs out on its own clock, before the renewal times out', async () => {
    const { election, state, changes, advance } = setUp(200);
    // The lease is counted from the request (t=0) although the answer comes at t=90.
    state.delayMs = 90;
    election.start();
    await advance(100);
    expect(election.isLeader()).toBe(true);
    state.hang = true;
    // The next renewal goes out at t=190 and would time out at t=290; the lease ends at t=200.
    await advance(100);
    expect(election.isLeader()).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('when a renewal fails while the key is still ours, then the next check takes it back without waiting for it to expire', async () => {
    const { election, state, changes, advance } = setUp();
    election.start();
    await advance(10);
    state.fail = true;
    await advance(100);
    expect(election.isLeader()).toBe(false);
    state.fail = false;
    await advance(100);
    expect(election.isLeader()).toBe(true);
    expect(changes).toEqual([true, false, true]);
  });

  it('when the lead is lost and won again while a job is still stopping, then the job starts only after its stop completes', async () => {
    const election = createSoleLeader();
    const events: string[] = [];
    let finishStop = () => {};
    const jobs = runAsLeader(
      election,
      [
        {
          name: 'sync',
          start: () => {
            events.push('start');
            return {
              stop: () =>
                new Promise<void>((resolve) => {
                  events.push('stopping');
                  finishStop = () => (events.push('stopped'), resolve());
                }),
            };
          },
        },
      ],
      silentLogger,
    );
    await election.stop();
    election.start();
    await settle();
    expect(events).toEqual(['start', 'stopping']);
    finishStop();
    await settle();
    expect(events).toEqual(['start', 'stopping', 'stopped', 'start']);
    void jobs.stop();
  });

  it('when the service stops cleanly, then the jobs stop in their order, each after the last, and only then is the lead given up', async () => {
    const election = createSoleLeader();
    const events: string[] = [];
    const job = (name: string) => ({
      name,
      start: () => ({
        stop: async () => {
          events.push(`${name} stopping`);
          await settle();
          events.push(`${name} stopped`);
        },
      }),
    });
    election.onChange((leader) => events.push(leader ? 'lead' : 'lead given up'));
    const jobs = runAsLeader(election, [job('sync'), job('outbox')], silentLogger);
    await jobs.stop();
    expect(events).toEqual([
      'sync stopping',
      'sync stopped',
      'outbox stopping',
      'outbox stopped',
      'lead given up',
    ]);
  });
});
