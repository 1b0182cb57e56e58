import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { CalendarGrantError, CalendarProviderError } from '../../src/calendar/calendar-types.js';
import { createMicrosoftCalendar } from '../../src/clients/microsoft-graph/index.js';
import {
  GRAPH,
  HOUR,
  LOGIN,
  RANGE,
  SECRET,
  TOKEN_PATH,
  accessFor,
  caught,
  emptyView,
  expectNoSecrets,
  graphCalls,
  mockToken,
  mockTokenError,
  recorded,
  resetGraphHarness,
  setup,
  tokenCalls,
} from '../helpers/microsoft-graph-harness.js';

// The Microsoft provider's OAuth side: authorization URL, code exchange, access tokens per agent.
afterEach(resetGraphHarness);

describe('Microsoft OAuth: authorization and code exchange', () => {
  it('when the authorization URL is built, then it asks for a code with PKCE S256, the exact redirect URI, the fewest scopes, state, login_hint and account selection', () => {
    const { oauth } = setup();
    const url = new URL(
      oauth.authorizationUrl({
        state: 'state-xyz',
        codeChallenge: 'challenge-abc',
        redirectUri: 'https://app.example.com/api/calendar/microsoft/callback',
        loginHint: 'agent@contoso.com',
      }),
    );

    expect(`${url.origin}${url.pathname}`).toBe(`${LOGIN}/common/oauth2/v2.0/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'client-1',
      response_type: 'code',
      response_mode: 'query',
      redirect_uri: 'https://app.example.com/api/calendar/microsoft/callback',
      scope: 'offline_access Calendars.ReadWrite User.Read',
      state: 'state-xyz',
      code_challenge: 'challenge-abc',
      code_challenge_method: 'S256',
      prompt: 'select_account',
      login_hint: 'agent@contoso.com',
    });
  });

  it('when no URLs are given, then the global cloud is used, and a tenant replaces common', () => {
    const { oauth } = createMicrosoftCalendar({
      clientId: 'client-1',
      clientSecret: SECRET,
      tenant: 'contoso.onmicrosoft.com',
    });
    const url = oauth.authorizationUrl({
      state: 's',
      codeChallenge: 'c',
      redirectUri: 'https://a/cb',
    });
    expect(
      url.startsWith(
        'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize?',
      ),
    ).toBe(true);
    expect(new URL(url).searchParams.has('login_hint')).toBe(false);
  });

  it('when a code is exchanged, then the form carries the verifier, redirect URI and scopes, and the refresh token and the /me address come back', async () => {
    const { oauth } = setup();
    mockToken('at-1', 'rt-1');
    const me = nock(GRAPH)
      .get('/v1.0/me')
      .query({ $select: 'mail,userPrincipalName' })
      .reply(recorded(200, { mail: null, userPrincipalName: 'Agent@Contoso.com' }));

    const result = await oauth.exchangeCode({
      code: 'the-code',
      codeVerifier: 'verifier-123',
      redirectUri: 'https://app.example.com/cb',
    });

    expect(result).toEqual({
      refreshToken: 'rt-1',
      accountEmail: 'agent@contoso.com',
      scope: 'Calendars.ReadWrite User.Read',
    });
    expect(tokenCalls()[0]?.body).toEqual({
      client_id: 'client-1',
      client_secret: SECRET,
      scope: 'offline_access Calendars.ReadWrite User.Read',
      grant_type: 'authorization_code',
      code: 'the-code',
      redirect_uri: 'https://app.example.com/cb',
      code_verifier: 'verifier-123',
    });
    expect(tokenCalls()[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(graphCalls()[0]?.headers['authorization']).toBe('Bearer at-1');
    expect(me.isDone()).toBe(true);
    expectNoSecrets();
  });

  it('when the token answer has no refresh token, then the exchange fails clearly and Graph is not called', async () => {
    const { oauth } = setup();
    mockToken('at-1');
    const me = nock(GRAPH).get('/v1.0/me').query(true).reply(200, { mail: 'a@b.c' });

    const error = await caught(
      oauth.exchangeCode({
        code: 'the-code',
        codeVerifier: 'verifier-123',
        redirectUri: 'https://a/cb',
      }),
    );

    expect(error).toBeInstanceOf(CalendarProviderError);
    expect(error.message).toMatch(/no refresh token.*offline_access/);
    expect(me.isDone()).toBe(false);
    expectNoSecrets(error);
  });

  it('when the code was already redeemed, then the exchange fails with a grant error naming the AADSTS code', async () => {
    const { oauth } = setup();
    mockTokenError(400, 'invalid_grant', 54005);

    const error = await caught(
      oauth.exchangeCode({
        code: 'the-code',
        codeVerifier: 'verifier-123',
        redirectUri: 'https://a/cb',
      }),
    );

    expect(error).toBeInstanceOf(CalendarGrantError);
    expect(error.message).toContain('AADSTS54005');
    expectNoSecrets(error);
  });

  it('when /me fails after the exchange, then the refresh token is still returned, without an address', async () => {
    const { oauth } = setup();
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .get('/v1.0/me')
      .query(true)
      .reply(403, { error: { code: 'Forbidden', message: 'no' } });

    const result = await oauth.exchangeCode({
      code: 'the-code',
      codeVerifier: 'verifier-123',
      redirectUri: 'https://a/cb',
    });

    expect(result).toEqual({ refreshToken: 'rt-1', scope: 'Calendars.ReadWrite User.Read' });
    expectNoSecrets();
  });
});

describe('Microsoft calendar: access tokens per agent', () => {
  it('when the refresh answer carries a new refresh token, then it is stored through onRefreshTokenRotated before Graph is called, and the next refresh uses it', async () => {
    const { client, clock } = setup();
    const order: string[] = [];
    const { access } = accessFor({
      onRefreshTokenRotated: async (token) => {
        order.push(`stored ${token}`);
      },
    });
    mockToken('at-1', 'rt-2');
    nock(GRAPH)
      .get('/v1.0/me/calendar/calendarView')
      .query(true)
      .reply(function (this: nock.ReplyFnContext) {
        order.push(`graph with ${this.req.headers['authorization']}`);
        return [200, emptyView];
      });

    await client.getBusy(access, RANGE);
    expect(order).toEqual(['stored rt-2', 'graph with Bearer at-1']);
    expect(tokenCalls()[0]?.body).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: 'rt-1',
      scope: 'offline_access Calendars.ReadWrite User.Read',
      client_id: 'client-1',
    });

    // The access token expires; the caller now holds the stored rt-2.
    clock.advance(HOUR);
    mockToken('at-2', 'rt-3');
    nock(GRAPH).get('/v1.0/me/calendar/calendarView').query(true).reply(200, emptyView);
    await client.getBusy({ ...access, refreshToken: 'rt-2' }, RANGE);

    expect(tokenCalls().map((c) => (c.body as Record<string, string>)['refresh_token'])).toEqual([
      'rt-1',
      'rt-2',
    ]);
    expect(order).toEqual(['stored rt-2', 'graph with Bearer at-1', 'stored rt-3']);
    expectNoSecrets();
  });

  it('when a caller still holds the rotated-away refresh token, then the refresh uses the newest one anyway', async () => {
    const { client, clock } = setup();
    const { access, rotated } = accessFor();
    mockToken('at-1', 'rt-2');
    nock(GRAPH).get('/v1.0/me/calendar/calendarView').query(true).times(2).reply(200, emptyView);
    await client.getBusy(access, RANGE);

    clock.advance(HOUR);
    mockToken('at-2', 'rt-3');
    await client.getBusy(access, RANGE); // still rt-1

    expect(tokenCalls().map((c) => (c.body as Record<string, string>)['refresh_token'])).toEqual([
      'rt-1',
      'rt-2',
    ]);
    expect(rotated).toEqual(['rt-2', 'rt-3']);
  });

  it('when the token is still fresh, then it is reused; shortly before expiry, it is refreshed', async () => {
    const { client, clock } = setup();
    const { access } = accessFor();
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .get('/v1.0/me/calendar/calendarView')
      .query(true)
      .times(3)
      .reply(recorded(200, emptyView));

    await client.getBusy(access, RANGE);
    clock.advance(50 * 60_000); // 10 minutes left
    await client.getBusy(access, RANGE);
    clock.advance(6 * 60_000); // 4 minutes left: inside the 5-minute margin
    mockToken('at-2', 'rt-1');
    await client.getBusy(access, RANGE);

    expect(tokenCalls()).toHaveLength(2);
    expect(graphCalls().map((c) => c.headers['authorization'])).toEqual([
      'Bearer at-1',
      'Bearer at-1',
      'Bearer at-2',
    ]);
  });

  it('when ten calls for one agent start together, then one refresh serves them all and the rotation is stored once; another agent gets its own', async () => {
    const { client } = setup();
    const { access, rotated } = accessFor();
    const other = accessFor({ agentId: 'agent-2', refreshToken: 'rt-3' });
    const token = nock(LOGIN)
      .post(TOKEN_PATH, /refresh_token=rt-1/)
      .delay(20)
      .reply(recorded(200, { access_token: 'at-1', refresh_token: 'rt-2', expires_in: 3600 }));
    mockToken('at-3', 'rt-3');
    nock(GRAPH)
      .get('/v1.0/me/calendar/calendarView')
      .query(true)
      .times(11)
      .reply(recorded(200, emptyView));

    await Promise.all([
      ...Array.from({ length: 10 }, () => client.getBusy(access, RANGE)),
      client.getBusy(other.access, RANGE),
    ]);

    expect(token.isDone()).toBe(true);
    expect(tokenCalls()).toHaveLength(2);
    expect(rotated).toEqual(['rt-2']);
    expect(other.rotated).toEqual([]);
    const auth = graphCalls().map((c) => c.headers['authorization']);
    expect(auth.filter((a) => a === 'Bearer at-1')).toHaveLength(10);
    expect(auth.filter((a) => a === 'Bearer at-3')).toHaveLength(1);
  });

  it('when an early renewal fails for a transient reason, then the call goes on with the token that still lives', async () => {
    const { client, clock } = setup({ maxRetries: 0 });
    const { access } = accessFor();
    mockToken('at-1', 'rt-1');
    nock(GRAPH)
      .get('/v1.0/me/calendar/calendarView')
      .query(true)
      .times(2)
      .reply(recorded(200, emptyView));
    await client.getBusy(access, RANGE);

    clock.advance(57 * 60_000); // 3 minutes of life left: renewal is due
    nock(LOGIN).post(TOKEN_PATH).reply(recorded(503, 'busy'));
    await expect(client.getBusy(access, RANGE)).resolves.toEqual([]);

    expect(tokenCalls()).toHaveLength(2);
    expect(graphCalls().map((c) => c.headers['authorization'])).toEqual([
      'Bearer at-1',
      'Bearer at-1',
    ]);
    expectNoSecrets();
  });

  it('when the refresh token is refused (invalid_grant), then a CalendarGrantError names the AADSTS code, Graph is never called, and no token leaks', async () => {
    const { client } = setup();
    const { access, rotated } = accessFor();
    mockTokenError(400, 'invalid_grant', 700082);
    const graph = nock(GRAPH)
      .get('/v1.0/me/calendar/calendarView')
      .query(true)
      .reply(200, emptyView);

    const error = await caught(client.getBusy(access, RANGE));

    expect(error).toBeInstanceOf(CalendarGrantError);
    expect(error).toMatchObject({ code: 'CALENDAR_GRANT_REVOKED', retryable: false });
    expect(error.message).toContain('AADSTS700082');
    expect(graph.isDone()).toBe(false);
    expect(tokenCalls()).toHaveLength(1);
    expect(rotated).toEqual([]);
    expectNoSecrets(error);
  });

  it('when the client secret is wrong (invalid_client), then it is a provider error, not a lost grant', async () => {
    const { client } = setup();
    mockTokenError(401, 'invalid_client', 7000215);

    const error = await caught(client.getBusy(accessFor().access, RANGE));

    expect(error).toBeInstanceOf(CalendarProviderError);
    expect(error).toMatchObject({
      retryable: false,
      details: { provider: 'microsoft', status: 401 },
    });
    expect(error.message).toContain('AADSTS7000215');
    expectNoSecrets(error);
  });

  it('when the token endpoint is briefly unavailable, then the refresh is retried after a back-off', async () => {
    const { client, sleeps } = setup();
    nock(LOGIN).post(TOKEN_PATH).reply(recorded(503, 'busy'));
    mockToken('at-1', 'rt-1');
    nock(GRAPH).get('/v1.0/me/calendar/calendarView').query(true).reply(200, emptyView);

    await expect(client.getBusy(accessFor().access, RANGE)).resolves.toEqual([]);
    expect(tokenCalls()).toHaveLength(2);
    expect(sleeps).toEqual([375]);
    expectNoSecrets();
  });
});
