import { CalendarProviderError, type CalendarOAuth } from '../../calendar/calendar-types.js';
import type { Logger } from '../../logger.js';
import type { GraphTransport } from './graph-transport.js';
import type { TokenEndpoint } from './token-endpoint.js';
import { meSchema } from './wire-schemas.js';

/**
 * The fewest delegated permissions that do the job (learn.microsoft.com/graph/permissions-reference):
 * - offline_access: without it the token endpoint returns no refresh token, and we act later,
 *   without the agent.
 * - Calendars.ReadWrite: calendarView needs Calendars.ReadBasic at least, but creating, moving
 *   and cancelling events needs ReadWrite, which includes reading.
 * - User.Read: GET /me for the account's address. Asking `openid email` for an id_token would do
 *   too, but the `email` claim is optional and unverified, while /me returns the mailbox.
 * Short names are valid in the national clouds too (learn.microsoft.com/graph/sdks/national-clouds,
 * "Permission scopes").
 */
export const MICROSOFT_SCOPES = ['offline_access', 'Calendars.ReadWrite', 'User.Read'] as const;

export interface MicrosoftOAuthOptions {
  /** `{authority}/{tenant}/oauth2/v2.0/authorize`. */
  authorizeUrl: string;
  clientId: string;
  endpoint: TokenEndpoint;
  graph: GraphTransport;
  logger: Logger;
}

/**
 * The authorization code flow with PKCE (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow):
 * the browser goes to authorizationUrl, comes back to `redirectUri` with `code` and `state`, and
 * exchangeCode redeems the code with the verifier, the same redirect URI and the client secret.
 *
 * No `revoke`: the identity platform has no endpoint to revoke one refresh token, and Graph's
 * revokeSignInSessions would sign the agent out of every app. Disconnecting forgets the token;
 * the agent can remove the app at myapps.microsoft.com.
 */
export function createMicrosoftOAuth(options: MicrosoftOAuthOptions): CalendarOAuth {
  const { authorizeUrl, clientId, endpoint, graph, logger } = options;
  return {
    kind: 'microsoft',

    authorizationUrl({ state, codeChallenge, redirectUri, loginHint }) {
      const params = new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: redirectUri,
        // The code comes back in the query string of a GET, which the callback route reads.
        response_mode: 'query',
        scope: MICROSOFT_SCOPES.join(' '),
        state,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
        // An agent signed in with a personal account still gets to pick the work one.
        prompt: 'select_account',
      });
      if (loginHint !== undefined) params.set('login_hint', loginHint);
      return `${authorizeUrl}?${params.toString()}`;
    },

    async exchangeCode({ code, codeVerifier, redirectUri }) {
      const tokens = await endpoint.redeemCode({ code, codeVerifier, redirectUri });
      if (tokens.refreshToken === undefined) {
        throw new CalendarProviderError(
          'microsoft',
          'the sign-in returned no refresh token: offline_access was not granted',
          { retryable: false },
        );
      }
      const accountEmail = await readAccountEmail(graph, tokens.accessToken, logger);
      return {
        refreshToken: tokens.refreshToken,
        ...(accountEmail === undefined ? {} : { accountEmail }),
        ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
      };
    },
  };
}

/** Best effort: the connection works without the address, so a failed /me only logs. */
async function readAccountEmail(
  graph: GraphTransport,
  accessToken: string,
  logger: Logger,
): Promise<string | undefined> {
  try {
    const body = await graph.send(
      { current: async () => accessToken },
      {
        label: 'read the account',
        method: 'GET',
        path: '/me',
        query: { $select: 'mail,userPrincipalName' },
      },
    );
    const me = meSchema.parse(body);
    return (me.mail ?? me.userPrincipalName ?? undefined)?.toLowerCase();
  } catch (error) {
    logger.warn(
      { provider: 'microsoft', reason: error instanceof Error ? error.message : 'unknown' },
      'Could not read the connected account address',
    );
    return undefined;
  }
}
