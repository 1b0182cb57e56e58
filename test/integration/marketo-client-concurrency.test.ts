import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BASE_URL,
  CLIENT_ID,
  CLIENT_SECRET,
  createOffsetClock,
  createTestClient,
  success,
} from '../fixtures/marketo/marketo-nock.js';

afterEach(() => nock.cleanAll());

describe('MarketoClient: concurrent connections', () => {
  it('when the token is renewed while a call is in flight, then the Identity call waits for a free connection (never an extra one)', async () => {
    let open = 0;
    let maxOpen = 0;
    // Each answer holds its connection for a while, so overlapping connections would show.
    const hold = async <T>(answer: T): Promise<T> => {
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      await new Promise((resolve) => setTimeout(resolve, 60));
      open -= 1;
      return answer;
    };
    const identity = (token: string) =>
      nock(BASE_URL)
        .get('/identity/oauth/token')
        .query({
          grant_type: 'client_credentials',
          client_id: CLIENT_ID,
          client_secret: CLIENT_SECRET,
        })
        .reply(async () =>
          hold([200, { access_token: token, token_type: 'bearer', expires_in: 100, scope: 'x' }]),
        );
    identity('t1');
    identity('t2');
    nock(BASE_URL)
      .get('/rest/v1/activities/pagingtoken.json')
      .query(true)
      .times(2)
      .reply(async () => hold([200, { ...success([]), nextPageToken: 'NEXT' }]));
    const clock = createOffsetClock();
    const client = createTestClient({ maxConcurrency: 1, clock, tokenRenewMarginMs: 60_000 });
    const since = new Date('2026-11-24T00:00:00Z');

    const first = client.getPagingToken(since); // fetches t1, then holds the only connection
    while (open === 0 || client.stats().tokenRequests === 0)
      await new Promise((r) => setTimeout(r, 5));
    while (client.stats().calls === 0) await new Promise((r) => setTimeout(r, 5));
    clock.advance(50_000); // t1 is now inside its renewal margin
    const second = client.getPagingToken(since); // renews while the first call is in flight

    expect(await Promise.all([first, second])).toEqual(['NEXT', 'NEXT']);
    expect(client.stats().tokenRequests).toBe(2);
    expect(maxOpen).toBe(1);
  });
});
