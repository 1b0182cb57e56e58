import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CalendarGrantError, CalendarProviderError } from '../../src/calendar/calendar-types.js';
import { GOOGLE_CALENDAR_SCOPES } from '../../src/clients/google-calendar/index.js';
import { createGoogleCalendar } from '../../src/clients/google-calendar/index.js';
import {
  API,
  FREEBUSY_PATH,
  OAUTH,
  REFRESH_TOKEN,
  createTestGoogleCalendar,
  formBody,
} from '../helpers/google-calendar-harness.js';

const REDIRECT_URI = 'https://chat.example.com/api/calendar/oauth/google/callback';
const BOTH_SCOPES = GOOGLE_CALENDAR_SCOPES.join(' ');

/** An unsigned id_token: the client only decodes what came straight from the token endpoint. */
function idToken(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.signature`;
}

/** The token endpoint answering one `authorization_code` grant; records the form body. */
function mockExchange(status: number, answer: Record<string, unknown>) {
  const bodies: Array<Record<string, string>> = [];
  nock(OAUTH)
    .post('/token')
    .reply((_uri, body) => {
      bodies.push(formBody(body));
      return [status, answer];
    });
  return bodies;
}

beforeEach(() => nock.cleanAll());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('Google OAuth: authorization URL', () => {
  it('when an agent connects, then the URL asks for offline access, consent, PKCE S256, the state and the exact redirect', () => {
    const { oauth } = createTestGoogleCalendar();

    const url = new URL(
      oauth.authorizationUrl({
        state: 'state-123',
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        redirectUri: REDIRECT_URI,
        loginHint: 'ada@example.com',
      }),
    );

    expect(`${url.origin}${url.pathname}`).toBe(`${OAUTH}/auth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'client-1.apps.googleusercontent.com',
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: `${BOTH_SCOPES} openid email`,
      access_type: 'offline',
      prompt: 'consent',
      include_granted_scopes: 'true',
      state: 'state-123',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      login_hint: 'ada@example.com',
    });
  });

  it('when no login hint is given, then none is sent', () => {
    const { oauth } = createTestGoogleCalendar();

    const url = new URL(
      oauth.authorizationUrl({ state: 's', codeChallenge: 'c', redirectUri: REDIRECT_URI }),
    );

    expect(url.searchParams.has('login_hint')).toBe(false);
  });
});

describe('Google OAuth: callback code exchange', () => {
  it('when the callback brings a code, then it is exchanged with the verifier and redirect, and the refresh token and email come back', async () => {
    const { oauth } = createTestGoogleCalendar();
    const bodies = mockExchange(200, {
      access_token: 'ya29.first',
      expires_in: 3599,
      refresh_token: '1//new-refresh',
      scope: `openid ${BOTH_SCOPES} https://www.googleapis.com/auth/userinfo.email`,
      token_type: 'Bearer',
      id_token: idToken({ sub: '1', email: 'ada@example.com', email_verified: true }),
    });

    const grant = await oauth.exchangeCode({
      code: '4/0Acode',
      codeVerifier: 'verifier-43-characters-long-xxxxxxxxxxxxxxxx',
      redirectUri: REDIRECT_URI,
    });

    expect(bodies).toEqual([
      {
        grant_type: 'authorization_code',
        code: '4/0Acode',
        code_verifier: 'verifier-43-characters-long-xxxxxxxxxxxxxxxx',
        redirect_uri: REDIRECT_URI,
        client_id: 'client-1.apps.googleusercontent.com',
        client_secret: 'client-secret-1',
      },
    ]);
    expect(grant).toEqual({
      refreshToken: '1//new-refresh',
      accountEmail: 'ada@example.com',
      scope: `openid ${BOTH_SCOPES} https://www.googleapis.com/auth/userinfo.email`,
    });
  });

  it('when Google returns no refresh token, then a clear non-retryable error', async () => {
    const { oauth } = createTestGoogleCalendar();
    mockExchange(200, { access_token: 'ya29.first', expires_in: 3599, scope: BOTH_SCOPES });

    const error = await oauth
      .exchangeCode({ code: 'c', codeVerifier: 'v', redirectUri: REDIRECT_URI })
      .catch((e) => e);

    expect(error).toBeInstanceOf(CalendarProviderError);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('no refresh token');
  });

  it('when the agent unticked the calendar permission, then the connection is refused', async () => {
    const { oauth } = createTestGoogleCalendar();
    mockExchange(200, {
      access_token: 'ya29.first',
      expires_in: 3599,
      refresh_token: '1//new-refresh',
      scope: 'openid https://www.googleapis.com/auth/calendar.freebusy',
    });

    const error = await oauth
      .exchangeCode({ code: 'c', codeVerifier: 'v', redirectUri: REDIRECT_URI })
      .catch((e) => e);

    expect(error).toBeInstanceOf(CalendarProviderError);
    expect(error.message).toContain('auth/calendar.events');
  });

  it('when the code is used or expired (invalid_grant), then CalendarGrantError', async () => {
    const { oauth, sleeps } = createTestGoogleCalendar();
    mockExchange(400, { error: 'invalid_grant', error_description: 'Bad Request' });

    const error = await oauth
      .exchangeCode({ code: 'c', codeVerifier: 'v', redirectUri: REDIRECT_URI })
      .catch((e) => e);

    expect(error).toBeInstanceOf(CalendarGrantError);
    expect(sleeps).toEqual([]);
  });
});

describe('Google OAuth: token endpoint and revocation', () => {
  it('when the token endpoint answers 503 once, then the refresh is retried by the client (not by the library) and the call goes on', async () => {
    const { client, sleeps } = createTestGoogleCalendar();
    const requests: string[] = [];
    nock(OAUTH)
      .post('/token')
      .reply(() => {
        requests.push('503');
        return [503, { error: 'temporarily_unavailable' }];
      })
      .post('/token')
      .reply(() => {
        requests.push('200');
        return [200, { access_token: 'ya29.after-retry', expires_in: 3599 }];
      });
    nock(API, { reqheaders: { authorization: 'Bearer ya29.after-retry' } })
      .post(FREEBUSY_PATH)
      .reply(200, { calendars: { primary: { busy: [] } } });

    await client.getBusy({ agentId: 'a', refreshToken: REFRESH_TOKEN }, { start: 0, end: 1_000 });

    expect(requests).toEqual(['503', '200']);
    expect(sleeps).toEqual([1_500]);
  });

  it('when an agent disconnects, then the refresh token is revoked', async () => {
    const { oauth } = createTestGoogleCalendar();
    const revoke = nock(OAUTH).post('/revoke').query({ token: REFRESH_TOKEN }).reply(200, {});

    await oauth.revoke?.(REFRESH_TOKEN);

    expect(revoke.isDone()).toBe(true);
  });

  it('when the token is already invalid (400), then revocation counts as done', async () => {
    const { oauth } = createTestGoogleCalendar();
    nock(OAUTH).post('/revoke').query(true).reply(400, { error: 'invalid_token' });

    await expect(oauth.revoke?.(REFRESH_TOKEN)).resolves.toBeUndefined();
  });
});

describe('Google OAuth: default hosts', () => {
  it("when no URLs are configured, then Google's own OAuth and Calendar hosts are used", async () => {
    const { client, oauth } = createGoogleCalendar({
      clientId: 'client-1.apps.googleusercontent.com',
      clientSecret: 'client-secret-1',
      sleep: async () => {},
    });
    nock('https://oauth2.googleapis.com')
      .post('/token')
      .reply(200, { access_token: 'ya29.default-hosts', expires_in: 3599 });
    nock('https://www.googleapis.com', {
      reqheaders: { authorization: 'Bearer ya29.default-hosts' },
    })
      .post('/calendar/v3/freeBusy')
      .reply(200, { calendars: { primary: { busy: [] } } });

    const url = oauth.authorizationUrl({
      state: 's',
      codeChallenge: 'c',
      redirectUri: REDIRECT_URI,
    });
    await client.getBusy({ agentId: 'a', refreshToken: REFRESH_TOKEN }, { start: 0, end: 1_000 });

    expect(url).toMatch(/^https:\/\/accounts\.google\.com\/o\/oauth2\/v2\/auth\?/);
  });
});
