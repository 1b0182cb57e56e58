import { readFileSync } from 'node:fs';
import nock from 'nock';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import {
  API_KEY,
  captureCallbacks,
  invocation,
  setupFlowSteps,
} from '../fixtures/ssfs/flow-steps-harness.js';
import { cfaValidator } from '../fixtures/ssfs/spi-schemas.js';

afterEach(() => {
  nock.cleanAll();
});

/** The invocation of Adobe's sample service tests (mkto-flow-lookup mockAsyncRequest). */
const adobeSample = () =>
  JSON.parse(
    readFileSync(new URL('../fixtures/ssfs/adobe-sample-invocation.json', import.meta.url), 'utf8'),
  ) as Record<string, unknown>;

type CallbackBody = { objectData: Array<{ leadData: { id: number }; activityData: object }> };

describe('flow-step intake, as tolerant as Adobe sample service', () => {
  it('when Marketo sends the sample invocation (munchkin, no apiCallBackKey), then it is routed and called back with SSFS_API_KEY', async () => {
    const { submit, relay, store } = setupFlowSteps();
    const { calls, scope } = captureCallbacks([200]);
    const body = adobeSample();

    await submit(body).expect(201);
    expect(JSON.stringify(await store.listOutbox())).not.toContain(API_KEY); // never stored
    await relay();
    await relay();

    expect(scope.isDone()).toBe(true);
    expect(calls[0]!.headers).toMatchObject({
      'x-api-key': API_KEY,
      'x-callback-token': body.token,
    });
    expect(calls[0]!.body).toMatchObject({
      munchkinId: 'AAA-999-ZZZ',
      objectData: [{ leadData: { id: 1000000 }, activityData: { success: true } }],
    });
    const validate = cfaValidator('flowCallBack');
    expect(validate(calls[0]!.body), JSON.stringify(validate.errors)).toBe(true);
  });

  it('when the invocation comes labelled as a form or as text, then it is still read as JSON; a body that is not JSON is 400 INVALID_JSON', async () => {
    const { app } = setupFlowSteps();
    const post = (type: string, body: string) =>
      request(app)
        .post('/flow-steps/submitAsyncAction')
        .set('x-api-key', API_KEY)
        .set('content-type', type)
        .send(body);

    await post('application/x-www-form-urlencoded', JSON.stringify(invocation())).expect(201);
    await post('text/plain', JSON.stringify(invocation({ token: 'other-token' }))).expect(201);
    const bad = await post('application/x-www-form-urlencoded', 'token=abc&callbackUrl=x');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'INVALID_JSON', field: 'body' });
  });

  it.each([
    ['empty', ''],
    ["Adobe's placeholder", 'todo'],
  ])('when apiCallBackKey is %s, then the callback uses SSFS_API_KEY', async (_what, key) => {
    const { submit, relay } = setupFlowSteps();
    const { calls } = captureCallbacks([200]);
    await submit(invocation({ apiCallBackKey: key })).expect(201);
    await relay();
    await relay();
    expect(calls[0]!.headers['x-api-key']).toBe(API_KEY);
  });

  it('when Marketo sends an apiCallBackKey, then the callback uses it, not SSFS_API_KEY', async () => {
    const { submit, relay } = setupFlowSteps();
    const { calls } = captureCallbacks([200]);
    await submit(invocation()).expect(201);
    await relay();
    await relay();
    expect(calls[0]!.headers['x-api-key']).toBe('io-gateway-key-0123456789');
  });

  it('when one lead has a malformed field, then only that lead fails in the callback and the rest are routed', async () => {
    const { submit, relay } = setupFlowSteps();
    const { calls } = captureCallbacks([200]);
    const body = invocation();
    body.objectData[0]!.objectContext = { id: 1000001, email: 42 };
    body.objectData[1]!.flowStepContext = { routingPool: 7 };
    delete body.objectData[2]!.objectType;
    body.objectData.push({
      objectType: 'lead',
      objectContext: { id: 1000004, email: 'ok@example.com' },
      flowStepContext: { routingPool: 'all' },
    });

    await submit(body).expect(201);
    await relay();
    await relay();

    const sent = calls[0]!.body as CallbackBody;
    const failed = (id: number, field: string) => ({
      leadData: { id },
      activityData: {
        success: false,
        reason: expect.stringMatching(new RegExp(`^Invalid lead data: ${field}: `)),
        errorCode: 'INVALID_LEAD_DATA',
      },
    });
    expect(sent.objectData).toEqual([
      failed(1000001, 'objectContext\\.email'),
      failed(1000002, 'flowStepContext\\.routingPool'),
      failed(1000003, 'objectType'),
      expect.objectContaining({ leadData: expect.objectContaining({ id: 1000004 }) }),
    ]);
    expect(sent.objectData[3]!.activityData).toMatchObject({ success: true });
    const validate = cfaValidator('flowCallBack');
    expect(validate(sent), JSON.stringify(validate.errors)).toBe(true);
  });

  it('when an entry has no usable lead id or is not a lead, then it is left out and the others are called back', async () => {
    const { submit, relay } = setupFlowSteps();
    const { calls } = captureCallbacks([200]);
    const body = invocation();
    body.objectData[0]!.objectContext = { email: 'no-id@example.com' };
    body.objectData[1]!.objectType = 'company';

    await submit(body).expect(201);
    await relay();
    await relay();

    const sent = calls[0]!.body as CallbackBody;
    expect(sent.objectData.map((o) => o.leadData.id)).toEqual([1000003]);
  });

  it.each([
    ['token', { token: undefined }],
    ['callbackUrl', { callbackUrl: undefined }],
    ['campaignId', { campaignId: undefined }],
    ['context.subscription.munchkinId', { context: { subscription: { prefix: 'acme' } } }],
  ])(
    'when the envelope lacks %s, then it is still a 400 naming it and nothing is stored',
    async (field, change) => {
      const { submit, store } = setupFlowSteps();
      const res = await submit({ ...adobeSample(), ...change });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field });
      expect(await store.listOutbox()).toEqual([]);
    },
  );
});
