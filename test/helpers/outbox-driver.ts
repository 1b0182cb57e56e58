import { expect } from 'vitest';
import type { Clock } from '../../src/deps.js';
import type { OutboxHandlers } from '../../src/outbox/outbox-handler.js';
import {
  runOutboxOnce,
  type OutboxPassReport,
  type OutboxRelayOptions,
} from '../../src/outbox/run-outbox-once.js';
import type { Store } from '../../src/store/types.js';

/** A store whose next completeOutbox fails once armed, as if the process died after the send. */
export function crashingAfterSend(store: Store) {
  let failNext = false;
  const crashing = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'completeOutbox') {
        return async (args: Parameters<Store['completeOutbox']>[0]) => {
          if (failNext) {
            failNext = false;
            throw new Error('the process died');
          }
          return target.completeOutbox(args);
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
  return { crashing, crashNextCompletion: () => (failNext = true) };
}

/**
 * Relay passes on a manual clock: `drain` runs passes until none claims anything and sums their
 * reports; `deliverAll` also lets time pass (backoff, settling, a lease) until nothing is pending.
 */
export function createOutboxDriver(options: {
  relay: Parameters<typeof runOutboxOnce>[0];
  handlers: OutboxHandlers;
  store: Pick<Store, 'listOutbox'>;
  clock: Clock & { advance(ms: number): void };
  /** How far each round of deliverAll moves the clock. */
  stepMs: number;
}) {
  const drain = async (opts?: OutboxRelayOptions) => {
    const total: OutboxPassReport = {
      claimed: 0,
      done: 0,
      retried: 0,
      dead: 0,
      stale: 0,
      unrecorded: 0,
      stopped: 0,
      held: 0,
    };
    for (let pass = 0; pass < 10; pass += 1) {
      const report = await runOutboxOnce(options.relay, options.handlers, opts);
      for (const key of Object.keys(total) as Array<keyof OutboxPassReport>) {
        total[key] += report[key];
      }
      if (report.claimed === 0) break;
    }
    return total;
  };
  const pending = () => options.store.listOutbox({ status: 'pending' });
  const deliverAll = async () => {
    for (let round = 0; round < 20; round += 1) {
      await drain();
      if ((await pending()).length === 0) return;
      options.clock.advance(options.stepMs);
    }
    expect(await pending()).toEqual([]);
  };
  return { drain, pending, deliverAll };
}
