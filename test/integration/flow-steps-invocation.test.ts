import http from 'node:http';
import nock from 'nock';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import {
  API_KEY,
  FIVE_AGENTS,
  captureCallbacks,
  invocation,
  invocationOf,
  setupFlowSteps,
} from '../fixtures/ssfs/flow-steps-harness.js';
import { cfaValidator } from '../fixtures/ssfs/spi-schemas.js';

afterEach(() => {
  nock.cleanAll();
});

const ana = { agentEmail: 'ana.silva@example.com', agentName: 'Ana Silva' };
const ben = { agentEmail: 'ben.okafor@example.com', agentName: 'Ben Okafor' };
const chen = { agentEmail: 'chen.wei@example.com', agentName: 'Chen Wei' };
const routed = (id: number, agent: typeof ana, rule = 'round-robin') => ({
  leadData: { id, ...agent },
  activityData: { success: true, ...agent, routingRule: rule },
});

describe('POST /flow-steps/submitAsyncAction', () => {
  it('when Marketo invokes the flow step, then it gets 201 at once and one pass later the callback', async () => {
    const { submit, relay, store, clock, enqueuedCount } = setupFlowSteps();
    const { calls, scope } = captureCallbacks([200]);
    const body = invocation();

    const res = await submit(body);

    expect(res.status).toBe(201);
    expect(res.body).toEqual({});
    expect(enqueuedCount()).toBe(1);
    expect(calls).toHaveLength(0);
    const stored = await store.findOutboxItem(`ssfs:${String(body.token)}`);
    expect(stored).toMatchObject({ kind: 'ssfs-invocation', status: 'pending' });

    expect(await relay()).toMatchObject({ claimed: 1, done: 1 }); // routes, enqueues the callback
    expect(await relay()).toMatchObject({ claimed: 1, done: 1 }); // sends it

    expect(scope.isDone()).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers).toMatchObject({
      'x-api-key': 'io-gateway-key-0123456789',
      'x-callback-token': body.token,
      'content-type': 'application/json',
    });
    expect(calls[0]!.body).toEqual({
      munchkinId: 'AAA-999-ZZZ',
      token: body.token,
      time: new Date(clock.now()).toISOString(),
      objectData: [routed(1000001, ana), routed(1000002, ben), routed(1000003, chen)],
    });
    const validate = cfaValidator('flowCallBack');
    expect(validate(calls[0]!.body), JSON.stringify(validate.errors)).toBe(true);
    expect(await store.findOutboxItem(`ssfs:${String(body.token)}:callback`)).toMatchObject({
      status: 'done',
      attempts: 1,
    });
  });

  it('when the callback fails with 500, then it is retried after the backoff and delivered once', async () => {
    const { submit, relay, store, clock } = setupFlowSteps();
    const { calls, scope } = captureCallbacks([500, 200]);
    const body = invocation();
    await submit(body).expect(201);

    await relay();
    expect(await relay()).toMatchObject({ retried: 1 });
    const callback = (await store.findOutboxItem(`ssfs:${String(body.token)}:callback`))!;
    expect(callback).toMatchObject({ status: 'pending', nextAttemptAt: clock.now() + 1_000 });
    expect(callback.lastError).toContain('answered 500');

    expect(await relay()).toMatchObject({ claimed: 0 }); // not due before the backoff
    clock.advance(1_000);
    expect(await relay()).toMatchObject({ done: 1 });

    expect(scope.isDone()).toBe(true);
    expect(calls).toHaveLength(2);
    // The same results; only `time` (when sent) moves with the retry.
    expect({ ...calls[1]!.body, time: 0 }).toEqual({ ...calls[0]!.body, time: 0 });
    expect(
      Date.parse(calls[1]!.body.time as string) - Date.parse(calls[0]!.body.time as string),
    ).toBe(1_000);
    expect(await store.getOutboxItem(callback.id)).toMatchObject({ status: 'done', attempts: 2 });
    expect(await relay()).toMatchObject({ claimed: 0 });
  });

  it('when the callback is answered 400, then it goes to the dead letters with the status', async () => {
    const { submit, relay, store, clock } = setupFlowSteps();
    const { calls } = captureCallbacks([400, 200]);
    const body = invocation();
    await submit(body).expect(201);

    await relay();
    expect(await relay()).toMatchObject({ dead: 1 });
    // The callback is not retried; the one failure result for its leads goes out instead
    // (flow-steps-dead-letters.test.ts), and then nothing more.
    expect(await relay()).toMatchObject({ claimed: 1, done: 1 });
    clock.advance(3_600_000);
    expect(await relay()).toMatchObject({ claimed: 0 });

    expect(calls).toHaveLength(2);
    expect(calls[1]!.body.objectData).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ activityData: expect.objectContaining({ success: false }) }),
      ]),
    );
    const dead = (await store.findOutboxItem(`ssfs:${String(body.token)}:callback`))!;
    expect(dead.status).toBe('dead');
    expect(dead.lastError).toMatch(/^SSFS_CALLBACK_REJECTED: callback to .* answered 400/);
    expect(dead.lastError).not.toContain(body.apiCallBackKey as string);
  });

  it('when the same invocation is replayed, then it is answered 201 each time and called back once', async () => {
    const { submit, relay, store, enqueuedCount } = setupFlowSteps();
    const { calls } = captureCallbacks([200]);
    const body = invocation();

    const answers = await Promise.all(Array.from({ length: 10 }, () => submit(body)));
    await relay();
    await submit(body).expect(201); // replayed after processing, too
    await relay();
    await relay();

    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(enqueuedCount()).toBe(1);
    expect(await store.listOutbox({ kind: 'ssfs-invocation' })).toHaveLength(1);
    expect(calls).toHaveLength(1);
  });

  it.each([650, 1_000])(
    'when %i leads come in one invocation, then all their results go back in one callback that fits Adobe schema',
    async (count) => {
      const { submit, relay, store } = setupFlowSteps();
      const { calls } = captureCallbacks([200, 200, 200, 200]);
      const body = invocationOf(count);
      await submit(body).expect(201);

      await relay();
      await relay();
      await relay();

      // The token is "One-time use" (CFA-Swagger.yaml async.token): one callback carries it.
      expect(calls).toHaveLength(1);
      const sent = calls[0]!.body as { objectData: Array<{ leadData: { id: number } }> };
      expect(sent.objectData.map((o) => o.leadData.id)).toEqual(
        Array.from({ length: count }, (_, i) => 2_000_001 + i),
      );
      const validate = cfaValidator('flowCallBack');
      expect(validate(sent), JSON.stringify(validate.errors)).toBe(true);
      expect(await store.listOutbox({ kind: 'ssfs-callback' })).toHaveLength(1);
      expect(Object.values((await store.routingState()).totals).reduce((a, b) => a + b, 0)).toBe(
        count,
      );
    },
  );

  it('when an invocation holds no lead, then Marketo still gets its one callback', async () => {
    const { submit, relay } = setupFlowSteps();
    const { calls } = captureCallbacks([200]);
    await submit(invocation({ objectData: [] })).expect(201);
    await relay();
    await relay();
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body.objectData).toEqual([]);
  });

  it('when no agent is active or the pool is unknown, then each lead reports a failure in-band', async () => {
    const inactive = FIVE_AGENTS.map((a) => ({ ...a, active: a.id === 'chen.wei@example.com' }));
    const { submit, relay } = setupFlowSteps({ agents: inactive });
    const { calls } = captureCallbacks([200]);
    const body = invocation();
    body.objectData[0]!.flowStepContext = { routingPool: 'agent:ana.silva@example.com' };
    body.objectData[1]!.flowStepContext = { routingPool: 'partners' };
    body.objectData[2]!.flowStepContext = { 'Routing Pool': 'agent:chen.wei@example.com' };
    await submit(body).expect(201);

    await relay();
    await relay();

    expect(calls[0]!.body.objectData).toEqual([
      {
        leadData: { id: 1000001 },
        activityData: {
          success: false,
          reason: 'No active sales agent in routing pool "agent:ana.silva@example.com"',
          errorCode: 'NO_AGENT_AVAILABLE',
        },
      },
      {
        leadData: { id: 1000002 },
        activityData: {
          success: false,
          reason: 'Unknown routing pool "partners"',
          errorCode: 'UNKNOWN_ROUTING_POOL',
        },
      },
      routed(1000003, chen, 'direct'),
    ]);
  });

  it.each([
    ['callbackUrl', { callbackUrl: undefined }],
    ['campaignId', { campaignId: '1001' }],
    ['token', { token: '' }],
    ['context', { context: undefined }],
    ['context.subscription.munchkinId', { context: { subscription: {} } }],
    ['objectData', { objectData: 'leads' }],
    // A missing apiCallBackKey and a malformed lead are accepted: flow-steps-intake.test.ts.
  ])(
    'when %s is missing or invalid, then 400 names it and nothing is stored',
    async (field, change) => {
      const { submit, store } = setupFlowSteps();
      const res = await submit(invocation(change as object));
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field });
      expect(await store.listOutbox()).toEqual([]);
    },
  );

  it('when the batch holds more than 1,000 leads, then 400 names objectData', async () => {
    const { submit, store } = setupFlowSteps();
    const res = await submit(invocationOf(1_001));
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('objectData');
    expect(await store.listOutbox()).toEqual([]);
  });

  it('when the body is not JSON or is over 5 MB, then 400 naming the body, never 5xx', async () => {
    const { app, store } = setupFlowSteps();
    const post = () =>
      request(app)
        .post('/flow-steps/submitAsyncAction')
        .set('x-api-key', API_KEY)
        .set('content-type', 'application/json');
    expect((await post().send('{"token": ')).status).toBe(400);
    const huge = JSON.stringify({ ...invocation(), padding: 'x'.repeat(5 * 1024 * 1024) });
    const tooLarge = await post().send(huge);
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.error).toMatchObject({ code: 'BODY_TOO_LARGE', field: 'body' });
    expect(await store.listOutbox()).toEqual([]);
  });

  it('when Marketo calls back over a trusted host:port, then the nock-free local receiver gets it', async () => {
    const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
    const server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body: data });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const { submit, relay } = setupFlowSteps({ callbackHosts: [`127.0.0.1:${port}`] });
      await submit(invocation({ callbackUrl: `http://127.0.0.1:${port}/cb` })).expect(201);
      await relay();
      expect(await relay()).toMatchObject({ done: 1 });
      expect(received).toHaveLength(1);
      expect(received[0]!.headers['x-callback-token']).toBe(invocation().token);
      expect(JSON.parse(received[0]!.body).objectData).toHaveLength(3);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
