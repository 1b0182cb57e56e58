import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BASE_URL,
  CLIENT_SECRET,
  caught,
  connectionReset,
  createOffsetClock,
  createTestClient,
  failure,
  mockApi,
  mockIdentity,
  recordRequests,
} from '../fixtures/marketo/marketo-nock.js';

const PAGING = '/rest/v1/activities/pagingtoken.json';
const TOKEN_ANSWER = { requestId: 'r#1', success: true, nextPageToken: 'PAGE==' };
const since = new Date('2026-11-20T00:00:00.000Z');

afterEach(() => {
  nock.cleanAll();
});

describe('MarketoClient: access token', () => {
  it('when 10 calls start together without a token, then exactly one identity request serves them all, and the token travels only in the header', async () => {
    const identity = mockIdentity('token-1');
    const api = mockApi('token-1').get(PAGING).query(true).times(10).reply(200, TOKEN_ANSWER);
    const requests = recordRequests(identity, api);
    const client = createTestClient();

    const tokens = await Promise.all(
      Array.from({ length: 10 }, () => client.getPagingToken(since)),
    );

    expect(tokens).toEqual(Array(10).fill('PAGE=='));
    expect(client.stats()).toMatchObject({ tokenRequests: 1, calls: 10 });
    const apiCalls = requests.filter((r) => r.path.startsWith('/rest/'));
    expect(apiCalls).toHaveLength(10);
    for (const call of apiCalls) {
      expect(call.path).not.toMatch(/access_token/);
      expect(call.headers['authorization']).toBe('Bearer token-1');
      expect(call.path).toBe(`${PAGING}?sinceDatetime=2026-11-20T00%3A00%3A00Z`);
    }
    expect(identity.isDone() && api.isDone()).toBe(true);
  });

  it('when the token nears expiry on the clock, then it is renewed before it expires', async () => {
    const clock = createOffsetClock();
    mockIdentity('token-1', 3600);
    mockApi('token-1').get(PAGING).query(true).reply(200, TOKEN_ANSWER);
    const client = createTestClient({ clock });
    await client.getPagingToken(since);

    clock.advance((3600 - 59) * 1000); // 59 s left: inside the 60 s margin
    const renewed = mockIdentity('token-2', 3600);
    const api = mockApi('token-2').get(PAGING).query(true).reply(200, TOKEN_ANSWER);
    await client.getPagingToken(since);

    expect(renewed.isDone() && api.isDone()).toBe(true);
    expect(client.stats().tokenRequests).toBe(2);
  });

  it('when an early renewal fails, then calls go on with the current token, and Identity is not hammered', async () => {
    const clock = createOffsetClock();
    mockIdentity('token-1', 3600);
    mockApi('token-1').get(PAGING).query(true).times(3).reply(200, TOKEN_ANSWER);
    const client = createTestClient({ clock });
    await client.getPagingToken(since);

    clock.advance((3600 - 30) * 1000); // inside the margin, 30 s of life left
    nock(BASE_URL).get('/identity/oauth/token').query(true).reply(503, 'Service Unavailable');
    await expect(client.getPagingToken(since)).resolves.toBe('PAGE==');
    await expect(client.getPagingToken(since)).resolves.toBe('PAGE==');
    expect(client.stats()).toMatchObject({ tokenRequests: 2, calls: 3 });
  });

  it('when identity hands back a token with less life than the margin, then it is used until it expires instead of asking again', async () => {
    const clock = createOffsetClock();
    mockIdentity('token-old', 30);
    mockApi('token-old').get(PAGING).query(true).times(3).reply(200, TOKEN_ANSWER);
    const client = createTestClient({ clock });

    await client.getPagingToken(since);
    clock.advance(20_000);
    await client.getPagingToken(since);
    await client.getPagingToken(since);
    expect(client.stats().tokenRequests).toBe(1);

    clock.advance(11_000); // now expired
    mockIdentity('token-new', 3599);
    mockApi('token-new').get(PAGING).query(true).reply(200, TOKEN_ANSWER);
    await client.getPagingToken(since);
    expect(client.stats().tokenRequests).toBe(2);
  });

  it.each(['601', '602'])(
    'when Marketo answers %s, then the client re-authenticates once and resends the call',
    async (code) => {
      mockIdentity('token-1');
      mockApi('token-1').get(PAGING).query(true).reply(200, failure(code, 'Access token invalid'));
      mockIdentity('token-2');
      mockApi('token-2').get(PAGING).query(true).reply(200, TOKEN_ANSWER);
      const client = createTestClient();

      await expect(client.getPagingToken(since)).resolves.toBe('PAGE==');
      expect(client.stats()).toMatchObject({
        tokenRequests: 2,
        calls: 2,
        errorsByCode: { [code]: 1 },
      });
    },
  );

  it('when a slow call fails with 601 after its token was already replaced, then the fresh token is kept', async () => {
    mockIdentity('token-1');
    mockApi('token-1')
      .get(PAGING)
      .query(true)
      .reply(200, failure('601'))
      .get(PAGING)
      .query(true)
      .delay(150)
      .reply(200, failure('601'));
    mockIdentity('token-2');
    mockApi('token-2').get(PAGING).query(true).times(2).reply(200, TOKEN_ANSWER);
    const client = createTestClient();

    // One 601 comes back at once and brings token-2; the other arrives when token-2 is cached.
    const tokens = await Promise.all([client.getPagingToken(since), client.getPagingToken(since)]);
    expect(tokens).toEqual(['PAGE==', 'PAGE==']);
    expect(client.stats()).toMatchObject({ tokenRequests: 2, calls: 4 });
  });

  it('when fresh tokens keep being rejected, then the call stops after two re-authentications', async () => {
    mockIdentity('token-x', 3599, 3);
    mockApi('token-x').get(PAGING).query(true).times(3).reply(200, failure('601'));
    const client = createTestClient();

    const error = await caught(client.getPagingToken(since));
    expect(error).toMatchObject({ code: 'MARKETO_AUTH_FAILED', marketoCode: '601' });
    expect(client.stats()).toMatchObject({ tokenRequests: 3, calls: 3 });
  });

  it('when the credentials are wrong, then MARKETO_AUTH_FAILED names the identity call, never the secret, and identity is asked once until the wait after a refusal has passed', async () => {
    let identityRequests = 0;
    nock(BASE_URL)
      .get('/identity/oauth/token')
      .query(true)
      .times(10)
      .reply(() => {
        identityRequests += 1;
        return [401, { error: 'invalid_client', error_description: 'Bad client credentials' }];
      });
    const clock = createOffsetClock();
    const client = createTestClient({ clock });

    const errors = await Promise.all([1, 2, 3].map(() => caught(client.getPagingToken(since))));
    for (const error of errors) {
      expect(error.code).toBe('MARKETO_AUTH_FAILED');
      expect(error.message).toContain(`GET ${BASE_URL}/identity/oauth/token`);
      expect(error.message).toContain('HTTP 401 invalid_client');
      expect(JSON.stringify({ ...error, message: error.message })).not.toContain(CLIENT_SECRET);
    }
    expect(identityRequests).toBe(1);
    expect(client.stats()).toMatchObject({ tokenRequests: 1, calls: 0 });

    // Callers arriving later get the same refusal without a request (a widget's visitors would
    // otherwise each ask once more), until the wait after it (5 s at first) has passed.
    const later = await caught(client.getPagingToken(since));
    expect(later).toMatchObject({ code: 'MARKETO_AUTH_FAILED' });
    expect(identityRequests).toBe(1);
    clock.advance(5_000);
    await caught(client.getPagingToken(since));
    expect(identityRequests).toBe(2);
    // A connection test always asks.
    await caught(client.checkConnection());
    expect(identityRequests).toBe(3);
  });

  it('when Identity refused us and then answers again, then the next call after the wait gets a token and the refusal is forgotten', async () => {
    const clock = createOffsetClock();
    nock(BASE_URL).get('/identity/oauth/token').query(true).reply(401, { error: 'invalid_client' });
    const client = createTestClient({ clock });
    expect(await caught(client.getPagingToken(since))).toMatchObject({
      code: 'MARKETO_AUTH_FAILED',
    });

    mockIdentity('token-1');
    mockApi('token-1').get(PAGING).query(true).times(2).reply(200, TOKEN_ANSWER);
    clock.advance(5_000);
    expect(await client.getPagingToken(since)).toBe('PAGE==');
    expect(await client.getPagingToken(since)).toBe('PAGE==');
    expect(client.stats()).toMatchObject({ tokenRequests: 2 });
  });
});

describe('MarketoClient: a wrong or unreachable address', () => {
  const netError = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

  it.each(['ECONNREFUSED', 'ENOTFOUND'])(
    'when identity fails with %s, then the error is MARKETO_UNREACHABLE and says to check MARKETO_BASE_URL',
    async (networkCode) => {
      nock(BASE_URL).get('/identity/oauth/token').query(true).replyWithError(netError(networkCode));
      const client = createTestClient();

      const error = await caught(client.getPagingToken(since));
      expect(error).toMatchObject({ code: 'MARKETO_UNREACHABLE', networkCode, retryable: true });
      expect(error.message).toContain(networkCode);
      expect(error.message).toContain('check MARKETO_BASE_URL');
      expect(error.message).not.toContain(CLIENT_SECRET);
    },
  );

  it('when identity answers HTTP 404, then the error is MARKETO_URL_NOT_FOUND, not an authentication failure', async () => {
    nock(BASE_URL).get('/identity/oauth/token').query(true).reply(404, '<html>Not Found</html>');
    const client = createTestClient();

    const error = await caught(client.getPagingToken(since));
    expect(error).toMatchObject({ code: 'MARKETO_URL_NOT_FOUND', retryable: false });
    expect(error.message).toContain('check MARKETO_BASE_URL');
    expect(error.message).not.toContain(CLIENT_SECRET);
  });

  it('when a wrong URL answers identity 200 without an access_token, then the error is MARKETO_URL_NOT_FOUND and says to check MARKETO_BASE_URL', async () => {
    nock(BASE_URL).get('/identity/oauth/token').query(true).reply(200, '<html>Welcome</html>');
    const client = createTestClient();

    const error = await caught(client.getPagingToken(since));
    expect(error).toMatchObject({ code: 'MARKETO_URL_NOT_FOUND', retryable: false });
    expect(error.message).toContain('check MARKETO_BASE_URL');
    expect(error.message).toContain('HTTP 200 without an access token');
    expect(error.message).not.toContain(CLIENT_SECRET);
  });

  it('when a REST call answers a bare HTTP 404, then the error is MARKETO_URL_NOT_FOUND', async () => {
    mockIdentity();
    mockApi().get(PAGING).query(true).reply(404, 'Not Found', { 'content-type': 'text/plain' });
    const client = createTestClient();

    const error = await caught(client.getPagingToken(since));
    expect(error).toMatchObject({ code: 'MARKETO_URL_NOT_FOUND', upstreamStatus: 404 });
    expect(error.message).toContain('check MARKETO_BASE_URL');
  });

  it('when a REST call keeps meeting ECONNREFUSED, then after the retries the error is MARKETO_UNREACHABLE', async () => {
    mockIdentity();
    mockApi().get(PAGING).query(true).times(4).replyWithError(netError('ECONNREFUSED'));
    const client = createTestClient();

    const error = await caught(client.getPagingToken(since));
    expect(error).toMatchObject({ code: 'MARKETO_UNREACHABLE', networkCode: 'ECONNREFUSED' });
    expect(error.message).toContain('check MARKETO_BASE_URL');
  });
});

describe('MarketoClient: retries', () => {
  it('when Marketo answers 606 (rate limit), then the call is retried and succeeds', async () => {
    mockIdentity();
    mockApi()
      .get(PAGING)
      .query(true)
      .reply(200, failure('606', "Max rate limit '100' exceeded with in '20' secs"))
      .get(PAGING)
      .query(true)
      .reply(200, TOKEN_ANSWER);
    const client = createTestClient();

    await expect(client.getPagingToken(since)).resolves.toBe('PAGE==');
    expect(client.stats()).toMatchObject({ calls: 2, callsToday: 2, errorsByCode: { '606': 1 } });
  });

  it('when Marketo keeps answering 615, then the client gives up after maxRetries with a retryable error', async () => {
    mockIdentity();
    mockApi()
      .get(PAGING)
      .query(true)
      .times(3)
      .reply(200, failure('615', 'Concurrent access limit'));
    const client = createTestClient({ maxRetries: 2 });

    const error = await caught(client.getPagingToken(since));
    expect(error).toMatchObject({ code: 'MARKETO_API_ERROR', marketoCode: '615', retryable: true });
    expect(client.stats()).toMatchObject({ calls: 3, errorsByCode: { '615': 3 } });
  });

  it('when a GET meets HTTP 502, then it is retried', async () => {
    mockIdentity();
    mockApi()
      .get(PAGING)
      .query(true)
      .reply(502, '<html>Bad Gateway</html>', { 'Content-Type': 'text/html' })
      .get(PAGING)
      .query(true)
      .reply(200, TOKEN_ANSWER);
    const client = createTestClient();

    await expect(client.getPagingToken(since)).resolves.toBe('PAGE==');
    expect(client.stats()).toMatchObject({ calls: 2, errorsByCode: { 'HTTP 502': 1 } });
  });

  it('when Marketo answers 603 (access denied), then the error is fatal and nothing is resent', async () => {
    mockIdentity();
    mockApi().get(PAGING).query(true).reply(200, failure('603', 'Access denied'));
    const client = createTestClient();

    const error = await caught(client.getPagingToken(since));
    expect(error).toMatchObject({
      code: 'MARKETO_API_ERROR',
      marketoCode: '603',
      requestId: 'req#603',
      endpoint: 'getPagingToken',
      retryable: false,
    });
    expect(error.message).toBe('Marketo getPagingToken failed: 603 Access denied');
    expect(client.stats().calls).toBe(1);
  });

  it('when Add Custom Activities loses its connection, then it is not resent (it may have been applied)', async () => {
    mockIdentity();
    const api = mockApi()
      .post('/rest/v1/activities/external.json')
      .replyWithError(connectionReset());
    const client = createTestClient();
    const input = [
      {
        leadId: 1,
        activityDate: '2026-11-24T18:00:00Z',
        activityTypeId: 100001,
        primaryAttributeValue: 'Demo call',
        attributes: [],
      },
    ];

    const error = await caught(client.addCustomActivities(input));
    expect(error).toMatchObject({ code: 'MARKETO_API_ERROR', networkCode: 'ECONNRESET' });
    expect(error.details).toMatchObject({ outcomeUnknown: true });
    expect(api.isDone()).toBe(true);
    expect(client.stats()).toMatchObject({ calls: 1, errorsByCode: { ECONNRESET: 1 } });
  });

  it('when a GET loses its connection, then it is resent', async () => {
    mockIdentity();
    mockApi()
      .get(PAGING)
      .query(true)
      .replyWithError(connectionReset())
      .get(PAGING)
      .query(true)
      .reply(200, TOKEN_ANSWER);
    const client = createTestClient();
    await expect(client.getPagingToken(since)).resolves.toBe('PAGE==');
    expect(client.stats().calls).toBe(2);
  });
});
