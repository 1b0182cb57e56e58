import { AppError } from '../src/errors.js';
import type { Clock } from '../src/deps.js';
import type { Logger } from '../src/logger.js';
import type { OutboxHandlers } from '../src/outbox/outbox-handler.js';
import {
  runOutboxOnce,
  type OutboxPassResult,
  type OutboxRelayOptions,
} from '../src/outbox/run-outbox-once.js';
import type { OutboxStore } from '../src/store/types.js';

export interface OutboxWorkerOptions {
  store: OutboxStore;
  handlers: OutboxHandlers;
  clock: Clock;
  logger: Logger;
  /** OUTBOX_POLL_MS: the pause between passes when there is nothing more to do. */
  pollMs: number;
  relay?: OutboxRelayOptions;
  random?: () => number;
  /** When the next pass runs; real timers by default, a hand-driven one in tests. */
  timer?: WorkerTimer;
}

/**
 * Runs `run` after `ms` and returns a cancel. `run` resolves once the pass it started is over
 * and the next one is scheduled, so a test driving the timer knows when a pass is done.
 */
export type WorkerTimer = (run: () => Promise<void>, ms: number) => () => void;

/** setTimeout, unref'd: the HTTP server keeps the process alive; a pending poll alone should not. */
export const realWorkerTimer: WorkerTimer = (run, ms) => {
  const handle = setTimeout(() => void run(), ms);
  handle.unref();
  return () => clearTimeout(handle);
};

export interface OutboxWorker {
  /** Aborts the deliveries in hand, waits for their outcomes to be recorded, runs no more. */
  stop(): Promise<void>;
  /** Runs a pass soon (after an enqueue, so a flow-step callback goes out at once). */
  kick(): void;
}

/**
 * The outbox relay on a timer: one pass at a time, the next one `pollMs` after an empty pass,
 * at once after a pass that claimed something (more may be due: the rest of a full batch, or
 * the follow-ups it created) or when kicked meanwhile. Passes never
 * overlap in this process; across processes the store's leases keep them apart.
 */
export function startOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, handlers, clock, pollMs } = options;
  const logger = options.logger.child({ job: 'outbox' });
  const startTimer = options.timer ?? realWorkerTimer;
  let cancelTimer: (() => void) | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  // Ends the deliveries in flight when we stop; they go back to pending (runOutboxOnce).
  const stopping = new AbortController();

  const schedule = (ms: number) => {
    if (stopped) return;
    cancelTimer?.();
    cancelTimer = startTimer(tick, ms);
  };

  /** The code of the failure every pass has met since the last success: logged once. */
  let failing: string | undefined;
  /** What holds the relay's deliveries back (outbox-handler.ts, holdFor): logged once. */
  let holding: string | undefined;
  /** Epoch ms until which every delivery is held: no pass before, kicked or not. */
  let heldUntil = 0;

  const noteHolds = (report: OutboxPassResult) => {
    if (report.heldFor !== undefined && report.heldFor !== holding) {
      logger.warn(
        { heldFor: report.heldFor, held: report.held },
        'outbox deliveries held: they wait, without spending attempts, until this is mended',
      );
    } else if (holding !== undefined && report.heldFor === undefined && report.claimed > 0) {
      logger.info({ after: holding }, 'outbox deliveries go out again');
    }
    // A pass that claimed nothing learnt nothing: the hold stands until a delivery says.
    if (report.claimed > 0) holding = report.heldFor;
  };

  /** Resolves to how long to wait before the next pass (0: at once). */
  const pass = async (): Promise<number> => {
    try {
      const report = await runOutboxOnce(
        {
          store,
          clock,
          logger,
          signal: stopping.signal,
          ...(options.random ? { random: options.random } : {}),
        },
        handlers,
        options.relay,
      );
      if (failing !== undefined) logger.info({ after: failing }, 'outbox passes work again');
      failing = undefined;
      noteHolds(report);
      // A pass whose every item was held says nothing new: the hold was logged once above.
      if (report.claimed > report.held) logger.info(report, 'outbox pass');
      else if (report.claimed > 0) logger.debug(report, 'outbox pass: every item held');
      // Work done may have made more work due (an invocation's callbacks): look again at once.
      heldUntil = 0;
      if (report.claimed > report.held) return 0;
      // Every item held (Identity refuses us): the next pass, and a kick, wait until the first
      // of them is due again, rather than claim and hand back the whole backlog poll after
      // poll (two store writes an item a second); then one batch meets the refusal again.
      if (report.claimed > 0 && report.heldUntil !== undefined) {
        heldUntil = report.heldUntil;
        return Math.max(pollMs, heldUntil - clock.now());
      }
      return pollMs;
    } catch (error) {
      // A database away fails every pass (each poll): say it once, not twice a second.
      const code = error instanceof AppError ? error.code : 'ERROR';
      if (failing === code) logger.debug({ err: error }, 'outbox pass failed again');
      else
        logger.error(
          { err: error },
          'outbox pass failed; passes go on, logged again when this changes',
        );
      failing = code;
      return pollMs;
    }
  };

  const tick = async () => {
    cancelTimer = undefined;
    if (running || stopped) return;
    running = pass().then((waitMs) => {
      running = undefined;
      const kicked = again && clock.now() >= heldUntil;
      again = false;
      schedule(kicked ? 0 : waitMs);
    });
    await running;
  };

  schedule(0);
  return {
    kick() {
      if (stopped || clock.now() < heldUntil) return;
      if (running) again = true;
      else schedule(0);
    },
    async stop() {
      stopped = true;
      cancelTimer?.();
      cancelTimer = undefined;
      stopping.abort();
      await running;
    },
  };
}
