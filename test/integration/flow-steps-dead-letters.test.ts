import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CALLBACK_ORIGIN,
  CALLBACK_PATH,
  captureCallbacks,
  invocation,
  setupFlowSteps,
} from '../fixtures/ssfs/flow-steps-harness.js';
import { cfaValidator } from '../fixtures/ssfs/spi-schemas.js';

afterEach(() => {
  nock.cleanAll();
});

const HOUR = 3_600_000;
type Sent = { objectData: Array<{ leadData: { id: number }; activityData: object }> };

describe('flow-step callbacks: transient answers, dead letters and the failure result', () => {
  it.each([
    ['429 with Retry-After in seconds', 429, '120', 120_000],
    ['503 with Retry-After as a date', 503, 'Tue, 24 Nov 2026 12:05:00 GMT', 300_000],
    ['408 with no Retry-After', 408, undefined, 1_000],
  ])(
    'when the callback is answered %s, then it is retried no sooner than asked and delivered once',
    async (_what, status, retryAfter, waitMs) => {
      const { submit, relay, store, clock } = setupFlowSteps();
      const sent: number[] = [];
      nock(CALLBACK_ORIGIN)
        .post(CALLBACK_PATH)
        .reply(() => {
          sent.push(clock.now());
          return [status, 'busy', retryAfter === undefined ? {} : { 'Retry-After': retryAfter }];
        })
        .post(CALLBACK_PATH)
        .reply(() => {
          sent.push(clock.now());
          return [200, '{}'];
        });
      const body = invocation();
      await submit(body).expect(201);
      await relay();
      const start = clock.now();

      expect(await relay()).toMatchObject({ retried: 1 });
      const item = (await store.findOutboxItem(`ssfs:${String(body.token)}:callback`))!;
      expect(item.nextAttemptAt).toBe(start + waitMs);
      clock.advance(waitMs - 1);
      expect(await relay()).toMatchObject({ claimed: 0 });
      clock.advance(1);
      expect(await relay()).toMatchObject({ done: 1 });
      expect(sent).toEqual([start, start + waitMs]);
    },
  );

  it('when the callback is dead-lettered, then Marketo gets one failure result for its leads with the same token', async () => {
    const { submit, relay, store } = setupFlowSteps();
    const { calls } = captureCallbacks([400, 200]);
    const body = invocation();
    await submit(body).expect(201);
    await relay();
    expect(await relay()).toMatchObject({ dead: 1 });

    expect(await relay()).toMatchObject({ claimed: 1, done: 1 });

    expect(calls).toHaveLength(2);
    expect(calls[1]!.headers).toMatchObject({
      'x-api-key': body.apiCallBackKey,
      'x-callback-token': body.token,
    });
    const failed = (id: number) => ({
      leadData: { id },
      activityData: {
        success: false,
        errorCode: 'CALLBACK_UNDELIVERED',
        reason: 'The result could not be delivered to Marketo (SSFS_CALLBACK_REJECTED)',
      },
    });
    expect((calls[1]!.body as Sent).objectData).toEqual([
      failed(1000001),
      failed(1000002),
      failed(1000003),
    ]);
    const validate = cfaValidator('flowCallBack');
    expect(validate(calls[1]!.body), JSON.stringify(validate.errors)).toBe(true);
    expect((await store.findOutboxItem(`ssfs:${String(body.token)}:callback`))!.status).toBe(
      'dead',
    );
  });

  it('when the endpoint refuses the token for the failure result too, then it is tried once and nothing loops', async () => {
    const { submit, relay, store, clock } = setupFlowSteps();
    const { calls } = captureCallbacks([401, 401]);
    const body = invocation();
    await submit(body).expect(201);
    await relay();
    await relay(); // the callback: 401, dead
    expect(await relay()).toMatchObject({ claimed: 1, dead: 1 }); // the failure result: 401

    for (let hour = 0; hour < 24; hour++) {
      clock.advance(HOUR);
      expect(await relay()).toMatchObject({ claimed: 0 });
    }
    expect(calls).toHaveLength(2);
    expect((await store.listOutbox({ status: 'dead' })).map((item) => item.kind)).toEqual([
      'ssfs-failure-callback',
      'ssfs-callback',
    ]);
  });

  it('when Marketo stays down for the failure result, then it gives up after its own three attempts', async () => {
    const { submit, relay, store, clock } = setupFlowSteps();
    const { calls } = captureCallbacks([404, 503, 503, 503]);
    const body = invocation();
    await submit(body).expect(201);
    await relay();
    await relay();

    for (let pass = 0; pass < 10; pass++) {
      await relay();
      clock.advance(HOUR);
    }

    expect(calls).toHaveLength(4);
    expect(await store.findOutboxItem(`ssfs:${String(body.token)}:failure`)).toMatchObject({
      status: 'dead',
      attempts: 3,
    });
  });

  it('when the routing itself keeps failing until the dead letters, then Marketo gets the failure result', async () => {
    const { submit, relay, clock, setAgents } = setupFlowSteps();
    const { calls } = captureCallbacks([200]);
    setAgents(
      new Proxy([], {
        get() {
          throw new Error('agents unreadable');
        },
      }),
    );
    await submit(invocation()).expect(201);

    let dead = 0;
    for (let pass = 0; pass < 15; pass++) {
      dead += (await relay()).dead;
      clock.advance(HOUR);
    }
    expect(dead).toBe(1);
    await relay();

    expect(calls).toHaveLength(1);
    expect((calls[0]!.body as Sent).objectData.map((o) => o.activityData)).toEqual(
      Array(3).fill({
        success: false,
        errorCode: 'ROUTING_FAILED',
        reason: 'The sales agent could not be assigned (INTERNAL_ERROR)',
      }),
    );
  });
});
