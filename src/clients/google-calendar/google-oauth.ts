import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { CalendarProviderError, type CalendarOAuth } from '../../calendar/calendar-types.js';
import type { RefreshedAccessToken } from './google-access-tokens.js';
import { GoogleHttpFailure } from './google-http-failure.js';
import { sendWithRetries, toCalendarError, type GoogleRetryDeps } from './google-request.js';
import { idTokenClaimsSchema, parseGoogleAnswer, tokenResponseSchema } from './google-wire.js';

/**
 * The fewest Calendar scopes booking needs (Calendar API "Choose scopes"): create, move and
 * delete events, and read free/busy. Neither lets us read event titles or guests of other
 * events. `calendar.events.owned` would be narrower still, but fails for a calendar the agent
 * can write to without owning it.
 */
export const GOOGLE_CALENDAR_SCOPES = [
  'https://www.googleapis.com/auth/calendar.events',
  'https://www.googleapis.com/auth/calendar.freebusy',
] as const;

/** Non-sensitive; the token answer then carries an id_token with the account's email. */
const IDENTITY_SCOPES = ['openid', 'email'] as const;

export interface GoogleOAuthUrls {
  authorize: string;
  token: string;
  revoke: string;
}

export const DEFAULT_GOOGLE_OAUTH_URLS: GoogleOAuthUrls = {
  authorize: 'https://accounts.google.com/o/oauth2/v2/auth',
  token: 'https://oauth2.googleapis.com/token',
  revoke: 'https://oauth2.googleapis.com/revoke',
};

export interface GoogleOAuthSettings {
  clientId: string;
  clientSecret: string;
  urls: GoogleOAuthUrls;
  /** Per token request; a time-out counts as a network failure (retried). */
  timeoutMs: number;
}

/**
 * A fresh OAuth2Client: its credentials are per instance, so one is made per token request
 * instead of sharing a mutable one between agents. The library's own gaxios retry (real
 * timers, 3 tries) is switched off by a request interceptor so that sendWithRetries is the
 * only retry loop and its delays are injectable.
 */
export function createOAuthClient(settings: GoogleOAuthSettings): OAuth2Client {
  const client = new OAuth2Client({
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    endpoints: {
      oauth2AuthBaseUrl: settings.urls.authorize,
      oauth2TokenUrl: settings.urls.token,
      oauth2RevokeUrl: settings.urls.revoke,
    },
    transporterOptions: { timeout: settings.timeoutMs },
  });
  client.transporter.interceptors.request.add({
    resolved: async (options) => {
      options.retry = false;
      options.retryConfig = { ...options.retryConfig, retry: 0 };
      return options;
    },
  });
  return client;
}

/**
 * Google's OAuth 2.0 web-server flow (developers.google.com/identity/protocols/oauth2/web-server)
 * with PKCE (RFC 7636, S256) and offline access.
 */
export function createGoogleOAuth(
  settings: GoogleOAuthSettings,
  deps: GoogleRetryDeps,
): CalendarOAuth {
  const urlBuilder = createOAuthClient(settings);
  return {
    kind: 'google',

    authorizationUrl({ state, codeChallenge, redirectUri, loginHint }) {
      return urlBuilder.generateAuthUrl({
        // `offline` returns a refresh token; `consent` makes Google return one again when the
        // agent reconnects (it is otherwise only given on the very first consent).
        access_type: 'offline',
        prompt: 'consent',
        include_granted_scopes: true,
        scope: [...GOOGLE_CALENDAR_SCOPES, ...IDENTITY_SCOPES],
        state,
        redirect_uri: redirectUri,
        code_challenge: codeChallenge,
        code_challenge_method: CodeChallengeMethod.S256,
        ...(loginHint === undefined ? {} : { login_hint: loginHint }),
      });
    },

    async exchangeCode({ code, codeVerifier, redirectUri }) {
      const client = createOAuthClient(settings);
      const answer = await callTokenEndpoint(deps, 'token exchange', () =>
        client.getToken({ code, codeVerifier, redirect_uri: redirectUri }),
      );
      const tokens = parseGoogleAnswer(tokenResponseSchema, answer.res?.data, 'token exchange');
      if (tokens.refresh_token === undefined) {
        throw new CalendarProviderError(
          'google',
          'token exchange returned no refresh token (offline access was not granted); connect again',
          { retryable: false },
        );
      }
      // Granular consent lets the agent untick a scope; without both, booking cannot work.
      const granted = new Set(tokens.scope?.split(/\s+/) ?? GOOGLE_CALENDAR_SCOPES);
      const missing = GOOGLE_CALENDAR_SCOPES.filter((scope) => !granted.has(scope));
      if (missing.length > 0) {
        throw new CalendarProviderError(
          'google',
          `calendar access was not granted (${missing.join(', ')}); connect again and allow it`,
          { retryable: false },
        );
      }
      const accountEmail = readVerifiedEmail(tokens.id_token);
      return {
        refreshToken: tokens.refresh_token,
        ...(accountEmail === undefined ? {} : { accountEmail }),
        ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
      };
    },

    async revoke(refreshToken) {
      const client = createOAuthClient(settings);
      try {
        await sendWithRetries(deps, 'token revocation', () => client.revokeToken(refreshToken));
      } catch (error) {
        // 400 invalid_token: already revoked or expired, which is what we wanted.
        if (error instanceof GoogleHttpFailure && error.status === 400) return;
        throw error instanceof GoogleHttpFailure
          ? toCalendarError('token revocation', error)
          : error;
      }
    },
  };
}

/** The `refresh_token` grant for one agent; `invalid_grant` becomes CalendarGrantError. */
export async function refreshGoogleAccessToken(
  settings: GoogleOAuthSettings,
  deps: GoogleRetryDeps,
  refreshToken: string,
): Promise<RefreshedAccessToken> {
  const client = createOAuthClient(settings);
  client.setCredentials({ refresh_token: refreshToken });
  const answer = await callTokenEndpoint(deps, 'token refresh', () => client.refreshAccessToken());
  // The answer, not `credentials`: the library sets credentials.refresh_token to the one sent,
  // hiding a rotated one.
  const tokens = parseGoogleAnswer(tokenResponseSchema, answer.res?.data, 'token refresh');
  // A lifetime, not an instant: the library turned expires_in into Date.now() + expires_in,
  // so reading it back against the same system clock gives the lifetime, which the cache then
  // counts on the injected clock.
  const expiresInMs =
    tokens.expires_in !== undefined
      ? tokens.expires_in * 1_000
      : (tokens.expiry_date ?? 0) - Date.now();
  if (expiresInMs <= 0) {
    throw new CalendarProviderError('google', 'token refresh answered without a lifetime', {
      retryable: false,
    });
  }
  return {
    accessToken: tokens.access_token,
    expiresInMs,
    ...(tokens.refresh_token !== undefined && tokens.refresh_token !== refreshToken
      ? { rotatedRefreshToken: tokens.refresh_token }
      : {}),
  };
}

async function callTokenEndpoint<T>(
  deps: GoogleRetryDeps,
  operation: string,
  send: () => Promise<T>,
): Promise<T> {
  try {
    return await sendWithRetries(deps, operation, send);
  } catch (error) {
    throw error instanceof GoogleHttpFailure ? toCalendarError(operation, error) : error;
  }
}

/**
 * The id_token came straight from Google's token endpoint over TLS, which OpenID Connect
 * Core §3.1.3.7 accepts in place of checking its signature; so its payload is only decoded.
 * The email is optional to the flow: an unreadable token just leaves it out.
 */
function readVerifiedEmail(idToken: string | undefined): string | undefined {
  const payload = idToken?.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims = idTokenClaimsSchema.safeParse(
      JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
    );
    if (!claims.success || claims.data.email === undefined) return undefined;
    const verified = claims.data.email_verified;
    return verified === false || verified === 'false' ? undefined : claims.data.email;
  } catch {
    return undefined;
  }
}
