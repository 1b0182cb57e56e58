import type { CalendarClient, CalendarOAuth } from '../../calendar/calendar-types.js';
import { systemClock, type Clock } from '../../deps.js';
import { silentLogger, type Logger } from '../../logger.js';
import { AccessTokens } from './access-tokens.js';
import { GraphCalendarClient } from './graph-calendar-client.js';
import { GraphTransport } from './graph-transport.js';
import { MICROSOFT_SCOPES, createMicrosoftOAuth } from './microsoft-oauth.js';
import { TokenEndpoint } from './token-endpoint.js';

export interface MicrosoftCalendarOptions {
  /** The app registration's Application (client) ID. */
  clientId: string;
  clientSecret: string;
  /**
   * `common` (work, school and personal accounts), `organizations`, `consumers`, or one
   * tenant's id or domain (learn.microsoft.com/entra/identity-platform/v2-protocols, "Endpoints").
   */
  tenant?: string;
  /**
   * Roots for the national clouds (learn.microsoft.com/graph/deployments), e.g.
   * `{ authority: 'https://login.microsoftonline.us', graph: 'https://graph.microsoft.us' }`.
   */
  urls?: { authority?: string; graph?: string };
  clock?: Clock;
  /** How retries wait; tests pass a recorder that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Retries after the first attempt, for 429/5xx/network failures (default 3). */
  maxRetries?: number;
  /** Per request (default 15 s). */
  timeoutMs?: number;
  logger?: Logger;
}

export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';
export const DEFAULT_GRAPH = 'https://graph.microsoft.com';

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The Outlook calendar provider: a CalendarClient over Microsoft Graph and the CalendarOAuth that
 * connects an agent. Both share one token endpoint; access tokens are cached per agent in memory.
 */
export function createMicrosoftCalendar(options: MicrosoftCalendarOptions): {
  client: CalendarClient;
  oauth: CalendarOAuth;
} {
  const authority = trimSlash(options.urls?.authority ?? DEFAULT_AUTHORITY);
  const tenantRoot = `${authority}/${encodeURIComponent(options.tenant ?? 'common')}/oauth2/v2.0`;
  const shared = {
    timeoutMs: options.timeoutMs ?? 15_000,
    maxRetries: options.maxRetries ?? 3,
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? realSleep,
    random: options.random ?? Math.random,
    logger: options.logger ?? silentLogger,
  };
  const endpoint = new TokenEndpoint({
    ...shared,
    tokenUrl: `${tenantRoot}/token`,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scope: MICROSOFT_SCOPES.join(' '),
  });
  const graph = new GraphTransport({
    ...shared,
    graphUrl: trimSlash(options.urls?.graph ?? DEFAULT_GRAPH),
  });
  const tokens = new AccessTokens(endpoint, shared.clock, shared.logger);
  return {
    client: new GraphCalendarClient(graph, tokens),
    oauth: createMicrosoftOAuth({
      authorizeUrl: `${tenantRoot}/authorize`,
      clientId: options.clientId,
      endpoint,
      graph,
      logger: shared.logger,
    }),
  };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
