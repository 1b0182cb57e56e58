import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostResolver } from '../../src/outbox/callback-url-guard.js';
import { invocation, setupFlowSteps } from '../fixtures/ssfs/flow-steps-harness.js';

/** Every request that reached nock without an interceptor (a request we should not make). */
const unexpected: string[] = [];
const onNoMatch = (req: { host?: string; hostname?: string; path?: string }) => {
  // supertest's requests to the app in-process pass through nock too: they are not outbound.
  if (req.path?.startsWith('/flow-steps/')) return;
  unexpected.push(`${req.hostname ?? req.host}${req.path ?? ''}`);
};

beforeEach(() => {
  unexpected.length = 0;
  nock.emitter.on('no match', onNoMatch);
});
afterEach(() => {
  nock.emitter.removeListener('no match', onNoMatch);
  nock.cleanAll();
});

describe('callbackUrl SSRF guard', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['https://169.254.169.254/latest/meta-data/'],
    ['https://127.0.0.1/cb'],
    ['https://10.0.0.1/'],
    ['https://192.168.0.10/cb'],
    ['https://[::1]/'],
    ['https://[::ffff:169.254.169.254]/'],
    ['https://evil.example/'],
    ['https://marketo.com.evil.example/cb'],
    ['http://mkto-cfa.marketo.com/cb'],
    ['https://user:pw@mkto-cfa.marketo.com/cb'],
    ['file:///etc/passwd'],
  ])(
    'when callbackUrl is %s, then 400 names callbackUrl, nothing is stored and no request is made',
    async (callbackUrl) => {
      const { submit, store, relay, enqueuedCount } = setupFlowSteps();

      const res = await submit(invocation({ callbackUrl }));
      await relay();
      await relay();

      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'callbackUrl' });
      expect(await store.listOutbox()).toEqual([]);
      expect(enqueuedCount()).toBe(0);
      expect(unexpected).toEqual([]);
    },
  );

  it('when an allowed host name resolves to a private address at send time, then no callback is sent and it is dead-lettered', async () => {
    const resolve: HostResolver = async (host) =>
      host === 'rebind.marketo.com' ? ['52.45.10.20', '10.0.0.5'] : ['52.45.10.20'];
    const { submit, relay, store } = setupFlowSteps({ resolve });
    const scope = nock('https://rebind.marketo.com').post('/cb').reply(200);
    const body = invocation({ callbackUrl: 'https://rebind.marketo.com/cb' });

    await submit(body).expect(201); // the literal host is fine; DNS is checked before sending
    await relay();
    expect(await relay()).toMatchObject({ dead: 1 });

    expect(scope.isDone()).toBe(false);
    expect(unexpected).toEqual([]);
    expect(await store.findOutboxItem(`ssfs:${String(body.token)}:callback`)).toMatchObject({
      status: 'dead',
      lastError: expect.stringContaining('SSFS_CALLBACK_URL_REFUSED'),
    });
  });

  it('when the callback host does not resolve, then the callback is retried, not dropped', async () => {
    const resolve: HostResolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const { submit, relay, store } = setupFlowSteps({ resolve });
    const body = invocation();
    await submit(body).expect(201);
    await relay();
    expect(await relay()).toMatchObject({ retried: 1 });
    expect(await store.findOutboxItem(`ssfs:${String(body.token)}:callback`)).toMatchObject({
      status: 'pending',
      lastError: 'SSFS_CALLBACK_DNS: could not resolve the callback host: ENOTFOUND',
    });
  });

  it('when the allow-list no longer holds the host at send time, then the callback is refused', async () => {
    const accepting = setupFlowSteps();
    const body = invocation();
    await accepting.submit(body).expect(201);
    // The same store, relayed by an instance restarted with a narrower SSFS_CALLBACK_HOSTS.
    const narrowed = setupFlowSteps({ store: accepting.store, callbackHosts: ['*.adobe.io'] });
    await narrowed.relay();
    expect(await narrowed.relay()).toMatchObject({ dead: 1 });
    expect(unexpected).toEqual([]);
  });

  it('when the callback host answers with a redirect, then it is not followed', async () => {
    const { submit, relay, store } = setupFlowSteps();
    nock('https://mkto-cfa.marketo.com')
      .post('/customflowaction/submitCustomFlowAction')
      .reply(302, '', { Location: 'http://169.254.169.254/latest/meta-data/' });
    const body = invocation();
    await submit(body).expect(201);
    await relay();
    expect(await relay()).toMatchObject({ dead: 1 });
    expect(unexpected).toEqual([]);
    expect(
      (await store.findOutboxItem(`ssfs:${String(body.token)}:callback`))!.lastError,
    ).toContain('answered 302');
  });
});
