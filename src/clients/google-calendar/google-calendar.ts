import { calendar } from '@googleapis/calendar';
import { setTimeout as delay } from 'node:timers/promises';
import type { CalendarClient, CalendarOAuth } from '../../calendar/calendar-types.js';
import { systemClock, type Clock } from '../../deps.js';
import { silentLogger, type Logger } from '../../logger.js';
import { GoogleAccessTokens } from './google-access-tokens.js';
import { createGoogleCalendarClient } from './google-calendar-client.js';
import {
  createGoogleOAuth,
  DEFAULT_GOOGLE_OAUTH_URLS,
  refreshGoogleAccessToken,
  type GoogleOAuthSettings,
} from './google-oauth.js';
import { createGoogleApiCaller, type GoogleRetryDeps } from './google-request.js';

export interface GoogleCalendarOptions {
  /** OAuth client of type "Web application" (Google Cloud console). */
  clientId: string;
  clientSecret: string;
  /**
   * Overrides for tests and other Google environments. `api` is an origin (any path is
   * replaced by googleapis' `/calendar/v3/...`).
   */
  urls?: { authorize?: string; token?: string; revoke?: string; api?: string };
  clock?: Clock;
  /** Back-off waits; tests pass a recorder that resolves at once. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Retries after the first attempt for transient failures (default 3). */
  maxRetries?: number;
  /** Per HTTP request (default 15,000 ms); booking waits on these calls. */
  timeoutMs?: number;
  logger?: Logger;
}

export interface GoogleCalendar {
  client: CalendarClient;
  oauth: CalendarOAuth;
}

const DEFAULT_API_ROOT = 'https://www.googleapis.com/';

/**
 * The Google Calendar provider: the only code that knows Google's URLs, auth, wire shapes,
 * error reasons and limits. It composes, once, the access-token cache (per agent), the retry
 * loop and the API client; nothing of googleapis or gaxios leaves the module.
 */
export function createGoogleCalendar(options: GoogleCalendarOptions): GoogleCalendar {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deps: GoogleRetryDeps = {
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? ((ms) => delay(ms)),
    random: options.random ?? Math.random,
    maxRetries: options.maxRetries ?? 3,
    logger: options.logger ?? silentLogger,
  };
  const settings: GoogleOAuthSettings = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    urls: {
      authorize: options.urls?.authorize ?? DEFAULT_GOOGLE_OAUTH_URLS.authorize,
      token: options.urls?.token ?? DEFAULT_GOOGLE_OAUTH_URLS.token,
      revoke: options.urls?.revoke ?? DEFAULT_GOOGLE_OAUTH_URLS.revoke,
    },
    timeoutMs,
  };
  const tokens = new GoogleAccessTokens({
    clock: deps.clock,
    refresh: (refreshToken) => refreshGoogleAccessToken(settings, deps, refreshToken),
  });
  const api = calendar({
    version: 'v3',
    rootUrl: options.urls?.api ?? DEFAULT_API_ROOT,
    // sendWithRetries is the one retry loop; gaxios would otherwise retry on its own timers.
    retry: false,
    timeout: timeoutMs,
  });
  return {
    client: createGoogleCalendarClient({ api, call: createGoogleApiCaller({ ...deps, tokens }) }),
    oauth: createGoogleOAuth(settings, deps),
  };
}
