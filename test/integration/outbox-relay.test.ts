import { afterEach, describe, expect, it } from 'vitest';
import { startOutboxWorker, type WorkerTimer } from '../../jobs/outbox-worker.js';
import { createManualClock } from '../../src/deps.js';
import { Writable } from 'node:stream';
import { AppError } from '../../src/errors.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { OutboxHandlerError, type OutboxHandlers } from '../../src/outbox/outbox-handler.js';
import { MAX_RETRY_AFTER_MS, runOutboxOnce } from '../../src/outbox/run-outbox-once.js';
import type { OutboxItem } from '../../src/store/types.js';
import { createMemoryStore } from '../../src/store/index.js';

/** Lets the promises already settled run their callbacks: one turn of the event loop. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup(handlers: OutboxHandlers) {
  const store = createMemoryStore();
  const clock = createManualClock();
  const deps = { store, clock, logger: silentLogger, random: () => 1 };
  const pass = (opts = {}) => runOutboxOnce(deps, handlers, opts);
  const enqueue = (kind: string, dedupeKey: string, payload: unknown = {}) =>
    store.enqueueOutbox([{ kind, dedupeKey, payload }], clock.now()).then(([r]) => r!.item);
  return { store, clock, pass, enqueue };
}

describe('runOutboxOnce', () => {
  it('when a handler succeeds, then the item is done and its follow-ups are enqueued with it', async () => {
    const { store, pass, enqueue } = setup({
      parent: async () => ({
        followUps: [
          { kind: 'child', dedupeKey: 'c:1', payload: { n: 1 } },
          { kind: 'child', dedupeKey: 'c:2', payload: { n: 2 } },
        ],
      }),
    });
    const item = await enqueue('parent', 'p:1');

    const report = await pass();

    expect(report).toMatchObject({ claimed: 1, done: 1, retried: 0, dead: 0, stale: 0 });
    expect(await store.getOutboxItem(item.id)).toMatchObject({ status: 'done', attempts: 1 });
    expect(await store.findOutboxItem('c:1')).toMatchObject({
      status: 'pending',
      payload: { n: 1 },
    });
    expect(await store.findOutboxItem('c:2')).toMatchObject({
      status: 'pending',
      payload: { n: 2 },
    });
  });

  it('when a handler fails retryably, then the item waits for the backoff, then is retried', async () => {
    let calls = 0;
    const { store, clock, pass, enqueue } = setup({
      job: async () => {
        calls += 1;
        if (calls < 3) throw new OutboxHandlerError('BUSY', 'busy', { retryable: true });
      },
    });
    const item = await enqueue('job', 'j:1');
    const start = clock.now();

    expect(await pass()).toMatchObject({ retried: 1 });
    expect(await store.getOutboxItem(item.id)).toMatchObject({
      status: 'pending',
      nextAttemptAt: start + 1_000,
      lastError: 'BUSY: busy',
    });
    expect(await pass()).toMatchObject({ claimed: 0 }); // not due yet
    clock.advance(1_000);
    expect(await pass()).toMatchObject({ retried: 1 });
    expect((await store.getOutboxItem(item.id))!.nextAttemptAt).toBe(start + 1_000 + 2_000);
    clock.advance(2_000);
    expect(await pass()).toMatchObject({ done: 1 });
    expect(await store.getOutboxItem(item.id)).toMatchObject({ status: 'done', attempts: 3 });
  });

  it('when a handler fails permanently, then the item goes to the dead letters at once', async () => {
    const { store, pass, enqueue } = setup({
      job: async () => {
        throw new OutboxHandlerError('REJECTED', 'answered 400', { retryable: false });
      },
    });
    const item = await enqueue('job', 'j:1');

    expect(await pass()).toMatchObject({ dead: 1 });
    expect(await store.getOutboxItem(item.id)).toMatchObject({
      status: 'dead',
      attempts: 1,
      lastError: 'REJECTED: answered 400',
    });
  });

  it('when the attempts run out, then the item goes to the dead letters with its last error', async () => {
    const { store, clock, pass, enqueue } = setup({
      job: async () => {
        throw new Error('still down');
      },
    });
    const item = await enqueue('job', 'j:1');
    for (let i = 0; i < 4; i++) {
      await pass({ maxAttempts: 4 });
      clock.advance(3_600_000);
    }
    expect(await store.getOutboxItem(item.id)).toMatchObject({
      status: 'dead',
      attempts: 4,
      lastError: 'Error: still down',
    });
  });

  it('when a failure asks for a pause (Retry-After), then the item waits at least that long, at most a day', async () => {
    let asked = 90_000;
    const { store, clock, pass, enqueue } = setup({
      job: async () => {
        throw new OutboxHandlerError('BUSY', '429', { retryable: true, retryAfterMs: asked });
      },
    });
    const item = await enqueue('job', 'j:1');
    const start = clock.now();

    await pass();
    expect((await store.getOutboxItem(item.id))!.nextAttemptAt).toBe(start + 90_000);
    clock.advance(90_000);
    asked = 10; // shorter than the backoff (2 s): the backoff holds
    await pass();
    expect((await store.getOutboxItem(item.id))!.nextAttemptAt).toBe(start + 90_000 + 2_000);
    clock.advance(2_000);
    asked = 7 * 24 * 3_600_000;
    await pass();
    expect((await store.getOutboxItem(item.id))!.nextAttemptAt).toBe(
      start + 92_000 + MAX_RETRY_AFTER_MS,
    );
  });

  it('when a failure names the time to retry, then every item it failed is due exactly then, jitter or not', async () => {
    const at = Date.UTC(2026, 11, 7, 12, 0, 1);
    const { store, pass, enqueue } = setup({
      job: async () => {
        throw new OutboxHandlerError('LOST', 'answer lost', { retryable: true, retryAt: at });
      },
    });
    const items = [await enqueue('job', 'j:1'), await enqueue('job', 'j:2')];

    expect(await pass()).toMatchObject({ retried: 2 });
    for (const item of items) {
      expect((await store.getOutboxItem(item.id))!.nextAttemptAt).toBe(at);
    }
  });

  it('when an item of a kind with onDead dies, then its follow-ups are enqueued with the death; a kind may cap its own attempts', async () => {
    const job = Object.assign(
      async () => {
        throw new OutboxHandlerError('DOWN', 'down', { retryable: true });
      },
      {
        maxAttempts: 2,
        onDead: (item: OutboxItem, error: unknown) => [
          {
            kind: 'notice',
            dedupeKey: `${item.dedupeKey}:notice`,
            payload: { error: String(error) },
          },
        ],
      },
    );
    const { store, clock, pass, enqueue } = setup({ job });
    const item = await enqueue('job', 'j:1');

    expect(await pass()).toMatchObject({ retried: 1 });
    expect(await store.findOutboxItem('j:1:notice')).toBeUndefined();
    clock.advance(1_000);
    expect(await pass()).toMatchObject({ dead: 1 });
    expect(await store.getOutboxItem(item.id)).toMatchObject({ status: 'dead', attempts: 2 });
    expect(await store.findOutboxItem('j:1:notice')).toMatchObject({
      kind: 'notice',
      status: 'pending',
      payload: { error: 'OutboxHandlerError: down' },
    });
  });

  it('when onDead itself throws, then the item still goes to the dead letters', async () => {
    const job = Object.assign(
      async () => {
        throw new OutboxHandlerError('REJECTED', '400', { retryable: false });
      },
      {
        onDead: () => {
          throw new Error('cannot build the notice');
        },
      },
    );
    const { store, pass, enqueue } = setup({ job });
    const item = await enqueue('job', 'j:1');
    expect(await pass()).toMatchObject({ dead: 1 });
    expect((await store.getOutboxItem(item.id))!.status).toBe('dead');
    expect(await store.listOutbox()).toHaveLength(1);
  });

  it('when an item has no handler here, then it is left alone for the worker that has one', async () => {
    const { store, pass, enqueue } = setup({ mine: async () => undefined });
    const other = await enqueue('marketo-activity', 'm:1');
    expect(await pass()).toMatchObject({ claimed: 0 });
    expect(await store.getOutboxItem(other.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('when a stale worker finishes after its lease was taken over, then the newer attempt is untouched', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const { store, clock, pass, enqueue } = setup({
      job: async () => {
        calls += 1;
        if (calls === 1) {
          await held; // the first worker hangs past its lease
          throw new OutboxHandlerError('LATE', 'late failure', { retryable: true });
        }
      },
    });
    const item = await enqueue('job', 'j:1');

    const first = pass({ leaseMs: 1_000 });
    await settle();
    clock.advance(1_001);
    const second = pass({ leaseMs: 60_000 }); // claims the expired lease and completes
    await settle();
    // the second worker is in flight; hold the result until the first is released
    release();

    expect(await first).toMatchObject({ claimed: 1, stale: 1, retried: 0 });
    expect(await second).toMatchObject({ claimed: 1, done: 1 });
    expect(await store.getOutboxItem(item.id)).toMatchObject({ status: 'done', attempts: 2 });
    expect((await store.getOutboxItem(item.id))!.lastError).toBeUndefined();
  });

  it('when a stale worker completes while the newer attempt is still running, then its completion is refused', async () => {
    let releaseSecond!: () => void;
    const secondHeld = new Promise<void>((resolve) => (releaseSecond = resolve));
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let calls = 0;
    const { store, clock, pass, enqueue } = setup({
      job: async () => {
        calls += 1;
        if (calls === 1) await firstHeld;
        else await secondHeld;
        return { followUps: [{ kind: 'child', dedupeKey: `c:${calls}`, payload: {} }] };
      },
    });
    const item = await enqueue('job', 'j:1');

    const first = pass({ leaseMs: 1_000 });
    await settle();
    clock.advance(1_001);
    const second = pass({ leaseMs: 60_000 });
    await settle();
    const newLease = (await store.getOutboxItem(item.id))!.lease;

    releaseFirst();
    expect(await first).toMatchObject({ stale: 1, done: 0 });
    expect(await store.getOutboxItem(item.id)).toMatchObject({
      status: 'pending',
      lease: newLease,
    });
    expect(await store.findOutboxItem('c:1')).toBeUndefined(); // the stale follow-ups rolled back

    releaseSecond();
    expect(await second).toMatchObject({ done: 1 });
    expect((await store.getOutboxItem(item.id))!.status).toBe('done');
    expect(await store.findOutboxItem('c:2')).toBeDefined();
  });
});

/** A timer the test fires by hand: no real time passes, and `fire` awaits the pass it runs. */
function createManualTimer() {
  let pending: Array<{ run: () => Promise<void>; ms: number }> = [];
  const timer: WorkerTimer = (run, ms) => {
    const entry = { run, ms };
    pending.push(entry);
    return () => {
      pending = pending.filter((p) => p !== entry);
    };
  };
  return {
    timer,
    delays: () => pending.map((p) => p.ms),
    /** Runs the one pending timer, whatever its delay. */
    fire: () => {
      expect(pending).toHaveLength(1);
      const [entry] = pending;
      pending = [];
      return entry!.run();
    },
  };
}

describe('startOutboxWorker', () => {
  const workers: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });

  it('when kicked after an enqueue, then the item is delivered without waiting for the poll', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const timers = createManualTimer();
    const delivered: string[] = [];
    const worker = startOutboxWorker({
      store,
      clock,
      logger: silentLogger,
      pollMs: 60_000,
      timer: timers.timer,
      handlers: { job: async (item) => void delivered.push(item.dedupeKey) },
    });
    workers.push(worker);
    expect(timers.delays()).toEqual([0]);
    await timers.fire(); // the first pass finds nothing
    expect(timers.delays()).toEqual([60_000]);

    await store.enqueueOutbox([{ kind: 'job', dedupeKey: 'j:1', payload: {} }], clock.now());
    worker.kick();

    expect(timers.delays()).toEqual([0]); // the poll was replaced by an immediate pass
    await timers.fire();
    expect(delivered).toEqual(['j:1']);
    expect(timers.delays()).toEqual([0]); // it claimed something: look again at once
    await timers.fire();
    expect(timers.delays()).toEqual([60_000]);
  });

  it('when stopped during a pass, then stop waits for the pass in hand and no pass follows', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const timers = createManualTimer();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    await store.enqueueOutbox([{ kind: 'job', dedupeKey: 'j:1', payload: {} }], clock.now());
    const worker = startOutboxWorker({
      store,
      clock,
      logger: silentLogger,
      pollMs: 10,
      timer: timers.timer,
      handlers: {
        job: async () => {
          started();
          await held;
        },
      },
    });
    const pass = timers.fire();
    await handlerStarted;

    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    release();
    await stopping;
    await pass;

    expect((await store.findOutboxItem('j:1'))!.status).toBe('done');
    expect(timers.delays()).toEqual([]); // nothing scheduled after the stop
    await store.enqueueOutbox([{ kind: 'job', dedupeKey: 'j:2', payload: {} }], clock.now());
    worker.kick();
    expect(timers.delays()).toEqual([]);
    expect((await store.findOutboxItem('j:2'))!.status).toBe('pending');
  });

  it('when stopped while a delivery is in flight, then the delivery is aborted, it and the claimed item behind it go back to pending (not dead, even at the attempt cap), and the next start delivers both', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const timers = createManualTimer();
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    const attempts: string[] = [];
    await store.enqueueOutbox(
      [
        { kind: 'callback', dedupeKey: 'c:1', payload: {} },
        { kind: 'callback', dedupeKey: 'c:2', payload: {} },
      ],
      clock.now(),
    );
    const worker = startOutboxWorker({
      store,
      clock,
      logger: silentLogger,
      pollMs: 10,
      timer: timers.timer,
      relay: { concurrency: 1, maxAttempts: 1 },
      handlers: {
        // Like the callback client: the request ends when the signal aborts, outcome unknown.
        callback: (item, ctx) =>
          new Promise<void>((_, reject) => {
            attempts.push(item.dedupeKey);
            started();
            ctx.signal?.addEventListener('abort', () =>
              reject(new OutboxHandlerError('ABORTED', 'request aborted', { retryable: false })),
            );
          }),
      },
    });
    const pass = timers.fire();
    await handlerStarted;

    await worker.stop(); // returns although the handler never answers by itself
    await pass;
    expect(attempts).toEqual(['c:1']);
    for (const key of ['c:1', 'c:2']) {
      expect(await store.findOutboxItem(key)).toMatchObject({
        status: 'pending',
        nextAttemptAt: clock.now(),
        lastError: expect.stringMatching(/^STOPPED: /),
      });
    }
    expect(timers.delays()).toEqual([]);

    // The next start: both are due at once and delivered.
    const delivered: string[] = [];
    const restarted = startOutboxWorker({
      store,
      clock,
      logger: silentLogger,
      pollMs: 10,
      timer: timers.timer,
      handlers: { callback: async (item) => void delivered.push(item.dedupeKey) },
    });
    workers.push(restarted);
    await timers.fire();
    expect(delivered.sort()).toEqual(['c:1', 'c:2']);
    expect((await store.findOutboxItem('c:1'))!.status).toBe('done');
    expect((await store.findOutboxItem('c:2'))!.status).toBe('done');
  });

  it('when every pass fails the same way (the database away), then it is logged once, and once more when passes work again', async () => {
    const store = createMemoryStore();
    const clock = createManualClock();
    const timers = createManualTimer();
    const lines: Array<{ level: number; msg: string }> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    });
    let away = true;
    const claimOutbox: typeof store.claimOutbox = (args) =>
      away
        ? Promise.reject(new AppError('STORE_UNAVAILABLE', 'The database is unavailable'))
        : store.claimOutbox(args);
    const worker = startOutboxWorker({
      store: Object.assign(Object.create(store) as typeof store, { claimOutbox }),
      clock,
      logger: createLogger({ level: 'info', destination }),
      pollMs: 1_000,
      timer: timers.timer,
      handlers: { job: async () => {} },
    });
    workers.push(worker);
    for (let pass = 0; pass < 5; pass += 1) await timers.fire();
    away = false;
    await timers.fire();
    await timers.fire();

    const messages = lines.map((line) => line.msg);
    expect(messages.filter((msg) => msg.startsWith('outbox pass failed'))).toHaveLength(1);
    expect(messages.filter((msg) => msg === 'outbox passes work again')).toHaveLength(1);
  });
});
