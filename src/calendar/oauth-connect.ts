import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../deps.js';
import { AppError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Agent } from '../records/meeting-contract.js';
import type { AgentStore, OAuthStateStore } from '../store/meeting-store-types.js';
import type { CalendarOAuth } from './calendar-types.js';
import { tokenContext, type TokenCipher } from './token-cipher.js';

export interface OAuthConnectDeps {
  store: AgentStore & OAuthStateStore;
  clock: Clock;
  logger: Logger;
  cipher: TokenCipher | undefined;
  providers: { google?: CalendarOAuth; microsoft?: CalendarOAuth };
  /** The exact redirect URI registered with both providers: `${PUBLIC_BASE_URL}/oauth/calendar/callback`. */
  redirectUri: string;
}

/** A connect link is good for this long (the agent signs in and consents). */
const STATE_TTL_MS = 10 * 60_000;

/**
 * The calendar connect flow (RFC 9700 §2.1, RFC 7636; research E3): a single-use `state` that
 * binds the callback to the agent and provider, PKCE with S256, and the exact redirect URI. The
 * refresh token is encrypted before it is stored and never logged; the agent's calendar is
 * connected (and back in routing) once it is stored.
 */
export function createOAuthConnect(deps: OAuthConnectDeps) {
  const providerOf = (kind: 'google' | 'microsoft'): CalendarOAuth => {
    const provider = deps.providers[kind];
    if (provider === undefined || deps.cipher === undefined) {
      throw new AppError(
        'CALENDAR_PROVIDER_NOT_CONFIGURED',
        `${kind} is not configured: set ${kind === 'google' ? 'GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET' : 'MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET'} and TOKEN_ENCRYPTION_KEY`,
        { httpStatus: 400, field: 'provider' },
      );
    }
    return provider;
  };

  return {
    /** Starts a connect: the URL the agent opens to sign in with the provider. */
    async start(
      agentId: string,
      kind: 'google' | 'microsoft',
    ): Promise<{ authorizationUrl: string; expiresAt: number }> {
      const agent = await deps.store.getAgent(agentId);
      if (agent === undefined)
        throw new AppError('NOT_FOUND', `No agent ${agentId}`, { httpStatus: 404 });
      const provider = providerOf(kind);
      const state = randomBytes(32).toString('base64url');
      const codeVerifier = randomBytes(32).toString('base64url');
      const expiresAt = deps.clock.now() + STATE_TTL_MS;
      await deps.store.saveOAuthState({
        state,
        agentId,
        provider: kind,
        codeVerifier,
        redirectUri: deps.redirectUri,
        expiresAt,
      });
      const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
      const authorizationUrl = provider.authorizationUrl({
        state,
        codeChallenge,
        redirectUri: deps.redirectUri,
        loginHint: agent.email,
      });
      return { authorizationUrl, expiresAt };
    },

    /** The provider's redirect back: exchanges the code and connects the agent's calendar. */
    async finish(query: { state?: string; code?: string; error?: string }): Promise<Agent> {
      if (query.state === undefined || query.state === '') {
        throw new ValidationError('state: missing', 'state');
      }
      const pending = await deps.store.consumeOAuthState(query.state, deps.clock.now());
      if (pending === undefined) {
        throw new ValidationError(
          'state: unknown, already used or expired: start the connection again',
          'state',
        );
      }
      if (query.error !== undefined) {
        throw new ValidationError(
          `The provider refused the connection (${query.error.slice(0, 100)})`,
          'error',
        );
      }
      if (query.code === undefined || query.code === '')
        throw new ValidationError('code: missing', 'code');
      const provider = providerOf(pending.provider);
      let grant: Awaited<ReturnType<CalendarOAuth['exchangeCode']>>;
      try {
        grant = await provider.exchangeCode({
          code: query.code,
          codeVerifier: pending.codeVerifier,
          redirectUri: pending.redirectUri,
        });
      } catch (error) {
        // A used or expired code, a scope left unticked, no refresh token: the agent connects
        // again. The provider's message carries no secret (the clients strip them).
        const reason = error instanceof Error ? error.message : 'unknown error';
        throw new AppError('CALENDAR_CONNECT_FAILED', `The calendar was not connected: ${reason}`, {
          httpStatus: 400,
          field: 'code',
          cause: error,
        });
      }
      const sealed = deps.cipher!.encrypt(
        grant.refreshToken,
        tokenContext(pending.agentId, pending.provider),
      );
      const now = deps.clock.now();
      const agent = await deps.store.updateAgent(pending.agentId, (current) => ({
        ...current,
        updatedAt: now,
        calendar: {
          provider: pending.provider,
          status: 'connected',
          connectedAt: now,
          encryptedRefreshToken: sealed,
          ...(grant.accountEmail === undefined ? {} : { accountEmail: grant.accountEmail }),
        },
      }));
      deps.logger.info({ agentId: agent.id, provider: pending.provider }, 'calendar connected');
      return agent;
    },

    /** Back to the built-in calendar; the provider's grant is revoked (best effort) and its ciphertext deleted. */
    async disconnect(agentId: string): Promise<Agent> {
      const agent = await deps.store.getAgent(agentId);
      if (agent === undefined)
        throw new AppError('NOT_FOUND', `No agent ${agentId}`, { httpStatus: 404 });
      const { provider, encryptedRefreshToken } = agent.calendar;
      if (
        provider !== 'local' &&
        encryptedRefreshToken !== undefined &&
        deps.cipher !== undefined
      ) {
        const oauth = deps.providers[provider];
        try {
          const token = deps.cipher.decrypt(
            encryptedRefreshToken,
            tokenContext(agent.id, provider),
          );
          await oauth?.revoke?.(token);
        } catch (error) {
          deps.logger.warn(
            { err: error, agentId },
            'provider grant not revoked (deleted here anyway)',
          );
        }
      }
      const now = deps.clock.now();
      return deps.store.updateAgent(agentId, (current) => ({
        ...current,
        updatedAt: now,
        calendar: { provider: 'local', status: 'connected', connectedAt: now },
      }));
    },
  };
}

export type OAuthConnect = ReturnType<typeof createOAuthConnect>;
