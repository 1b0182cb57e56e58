import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BASE_URL,
  CLIENT_SECRET,
  caught,
  createOffsetClock,
  createTestClient,
  failure,
  mockApi,
  mockIdentity,
  recordRequests,
  success,
} from '../fixtures/marketo/marketo-nock.js';
import { callsRemaining } from '../../src/clients/marketo/index.js';
import { createStoreDailyUsage } from '../../src/clients/marketo/daily-usage-port.js';
import type { UsageState } from '../../src/store/types.js';
import { createLogger } from '../../src/logger.js';

const PAGING = '/rest/v1/activities/pagingtoken.json';
const TOKEN_ANSWER = { requestId: 'r#1', success: true, nextPageToken: 'PAGE==' };
const since = new Date('2026-11-20T00:00:00.000Z');

afterEach(() => {
  nock.cleanAll();
});

describe('MarketoClient: daily quota', () => {
  it('when Marketo answers 607, then the call and every later one fail with MARKETO_DAILY_QUOTA until midnight Central, without a request', async () => {
    const clock = createOffsetClock('2026-11-24T18:00:00Z');
    const saved: UsageState[] = [];
    const usageStore = {
      loadUsage: () => Promise.resolve(undefined),
      saveUsage: async (u: UsageState) => void saved.push(u),
    };
    mockIdentity();
    mockApi().get(PAGING).query(true).reply(200, failure('607', 'Daily quota reached'));
    const client = createTestClient({ clock, usage: await createStoreDailyUsage(usageStore) });

    const first = await caught(client.getPagingToken(since));
    expect(first).toMatchObject({
      code: 'MARKETO_DAILY_QUOTA',
      httpStatus: 503,
      marketoCode: '607',
    });
    expect(first.details?.retryAt).toBe('2026-11-25T06:00:00.000Z');

    // No interceptor is left: any request would fail with a nock error, not this one.
    const later = await caught(client.describeLeadFields());
    expect(later.code).toBe('MARKETO_DAILY_QUOTA');
    expect(later.details?.retryAt).toBe('2026-11-25T06:00:00.000Z');
    expect(client.stats()).toMatchObject({
      calls: 1,
      tokenRequests: 1,
      pausedUntil: Date.parse('2026-11-25T06:00:00.000Z'),
    });

    await client.flushUsage();
    expect(saved.at(-1)).toEqual({
      day: '2026-11-24',
      calls: 1,
      pausedUntil: Date.parse('2026-11-25T06:00:00.000Z'),
      errorsByCode: { '607': 1 },
    });
    expect(callsRemaining(client.stats())).toBe(0);

    // A restart on the same store keeps the pause and the error counts.
    const restarted = createTestClient({
      clock,
      usage: await createStoreDailyUsage({
        loadUsage: () => Promise.resolve(saved.at(-1)),
        saveUsage: async () => undefined,
      }),
    });
    expect(restarted.stats()).toMatchObject({ errorsByCode: { '607': 1 }, callsToday: 1 });
    expect(callsRemaining(restarted.stats())).toBe(0);
  });

  it('when a call waits for the rate window while another meets 607, then it is never sent', async () => {
    mockIdentity();
    mockApi().get(PAGING).query(true).reply(200, failure('607', 'Daily quota reached'));
    // One call per 150 ms: the second waits in the budget until the 607 has landed.
    const client = createTestClient({ rateLimit: 1, rateWindowMs: 150 });

    const [first, second] = await Promise.all([
      caught(client.getPagingToken(since)),
      caught(client.getPagingToken(since)),
    ]);
    expect(first.marketoCode).toBe('607');
    expect(second.code).toBe('MARKETO_DAILY_QUOTA');
    expect(client.stats()).toMatchObject({ calls: 1, callsToday: 1 });
  });

  it('when our own count reaches the daily quota, then calls stop before Marketo has to say 607', async () => {
    mockIdentity();
    mockApi().get(PAGING).query(true).times(2).reply(200, TOKEN_ANSWER);
    const client = createTestClient({ dailyQuota: 2 });
    await client.getPagingToken(since);
    await client.getPagingToken(since);

    const error = await caught(client.getPagingToken(since));
    expect(error.code).toBe('MARKETO_DAILY_QUOTA');
    expect(client.stats()).toMatchObject({ calls: 2, callsToday: 2, dailyQuota: 2 });
  });
});

describe('MarketoClient: logs', () => {
  it('when calls re-authenticate and fail, then no log line holds the token, the secret or a query string', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'trace',
      destination: { write: (l: string) => void lines.push(l) },
    });
    mockIdentity('token-secret-1');
    mockApi('token-secret-1').get(PAGING).query(true).reply(200, failure('602'));
    mockIdentity('token-secret-2');
    mockApi('token-secret-2').get(PAGING).query(true).reply(200, failure('606'));
    mockApi('token-secret-2').get(PAGING).query(true).reply(200, failure('603'));
    const client = createTestClient({ logger });
    await caught(client.getPagingToken(since)); // 602, new token, 606, then 603

    nock(BASE_URL).get('/identity/oauth/token').query(true).reply(401, { error: 'invalid_client' });
    await caught(createTestClient({ logger }).getPagingToken(since));

    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const secret of ['token-secret-1', 'token-secret-2', CLIENT_SECRET, 'sinceDatetime']) {
      expect(log).not.toContain(secret);
    }
  });
});

describe('MarketoClient: responses', () => {
  it('when leads come back without an id, then MARKETO_BAD_RESPONSE is thrown and not retried', async () => {
    mockIdentity();
    mockApi()
      .get('/rest/v1/leads.json')
      .query(true)
      .reply(200, success([{ email: 'a@example.com' }]));
    const client = createTestClient();

    const error = await caught(client.getLeadsByIds([1], ['email']));
    expect(error.code).toBe('MARKETO_BAD_RESPONSE');
    expect(error.message).toContain('0.id');
    expect(error.message).not.toContain('a@example.com');
    expect(client.stats().calls).toBe(1);
  });

  it('when the answer is not JSON, then MARKETO_BAD_RESPONSE is thrown', async () => {
    mockIdentity();
    mockApi().get(PAGING).query(true).reply(200, 'surprise', { 'Content-Type': 'text/plain' });
    const client = createTestClient();
    expect((await caught(client.getPagingToken(since))).code).toBe('MARKETO_BAD_RESPONSE');
  });

  it('when a paged answer lacks nextPageToken, then the cursor is not advanced on garbage', async () => {
    mockIdentity();
    mockApi()
      .get('/rest/v1/activities/deletedleads.json')
      .query(true)
      .reply(200, { requestId: 'r', success: true, moreResult: false });
    const client = createTestClient();
    const error = await caught(client.getDeletedLeads({ nextPageToken: 'T1' }));
    expect(error.code).toBe('MARKETO_BAD_RESPONSE');
  });
});

describe('MarketoClient: long id lists', () => {
  const ids = Array.from({ length: 300 }, (_, i) => 100_000_000 + i * 7);
  const fields = Array.from({ length: 160 }, (_, i) => `customField${i}WithALongName`);

  it('when the URL would pass 7,000 characters, then the call is a POST with _method=GET and a form body', async () => {
    mockIdentity();
    const requests = recordRequests(
      mockApi()
        .post('/rest/v1/leads.json')
        .query({ _method: 'GET' })
        .matchHeader('content-type', 'application/x-www-form-urlencoded')
        .reply(200, success([{ id: ids[0], email: 'a@example.com' }])),
    );
    const client = createTestClient();

    const { leads } = await client.getLeadsByIds(ids, fields);

    expect(leads).toEqual([{ id: ids[0], email: 'a@example.com' }]);
    expect(requests).toHaveLength(1);
    const body = new URLSearchParams(requests[0]?.body);
    expect(body.get('filterType')).toBe('id');
    expect(body.get('filterValues')).toBe(ids.join(','));
    expect(body.get('fields')).toBe(fields.join(','));
    expect(requests[0]?.path).toBe('/rest/v1/leads.json?_method=GET');
  });

  it('when the URL is short, then the call is a GET with the ids in the query', async () => {
    mockIdentity();
    const api = mockApi()
      .get('/rest/v1/leads.json')
      .query({
        filterType: 'id',
        filterValues: '1,2,3',
        fields: 'email,firstName',
        batchSize: '300',
      })
      .reply(200, success([{ id: 1, email: 'a@example.com', firstName: null }]));
    const client = createTestClient();

    const { leads } = await client.getLeadsByIds([1, 2, 3], ['email', 'firstName']);
    expect(leads).toEqual([{ id: 1, email: 'a@example.com', firstName: null }]);
    expect(api.isDone()).toBe(true);
  });

  it('when more than 300 ids are asked for, then ValidationError is thrown before any call', async () => {
    const client = createTestClient();
    await expect(client.getLeadsByIds([...ids, 1], ['email'])).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(client.stats().calls).toBe(0);
  });
});
