import {
  CalendarGrantError,
  CalendarProviderError,
  type CalendarAccess,
} from '../../calendar/calendar-types.js';
import type { Clock } from '../../deps.js';
import type { Logger } from '../../logger.js';
import type { TokenEndpoint, TokenSet } from './token-endpoint.js';

interface Entry {
  /** Undefined once Graph refused it (401): the next call refreshes. */
  accessToken: string | undefined;
  renewAt: number;
  expiresAt: number;
  /** The refresh token to use next: the newest one Entra handed out. */
  refreshToken: string;
  /** The one it replaced, which callers holding an older CalendarAccess still present. */
  previous: string | undefined;
}

/**
 * Renew this long before expiry, so a call never leaves with a dying token. Entra access tokens
 * live 60-90 minutes (learn.microsoft.com/entra/identity-platform/access-tokens, "Token lifetime").
 */
const RENEW_MARGIN_MS = 5 * 60_000;

/**
 * Access tokens per agent, in memory only: cached until shortly before expiry, refreshed by one
 * request however many calls wait (single flight per agent).
 *
 * Rotation: "Refresh tokens replace themselves with a fresh token upon every use. The Microsoft
 * identity platform doesn't revoke old refresh tokens ... Securely delete the old refresh token
 * after acquiring a new one" (learn.microsoft.com/entra/identity-platform/refresh-tokens). So
 * each new refresh token is handed to `onRefreshTokenRotated` (awaited, to be stored encrypted)
 * before its access token is used, and later refreshes here use the newest one even when a
 * caller still holds the previous.
 */
export class AccessTokens {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly endpoint: TokenEndpoint,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async get(access: CalendarAccess): Promise<string> {
    const entry = this.entryFor(access);
    if (entry?.accessToken !== undefined && this.clock.now() < entry.renewAt) {
      return entry.accessToken;
    }
    let flight = this.pending.get(access.agentId);
    if (flight === undefined) {
      flight = this.refresh(access).finally(() => this.pending.delete(access.agentId));
      this.pending.set(access.agentId, flight);
    }
    try {
      return await flight;
    } catch (error) {
      // A failed *early* renewal must not fail a call the current token can still make.
      const current = this.entryFor(access);
      const transient = error instanceof CalendarProviderError && error.retryable;
      if (transient && current?.accessToken !== undefined && this.clock.now() < current.expiresAt) {
        this.logger.warn(
          { provider: 'microsoft', agentId: access.agentId },
          'Token renewal failed; using the current token',
        );
        return current.accessToken;
      }
      throw error;
    }
  }

  /** Graph answered 401 to `rejected`: forget it (unless already replaced) and get another. */
  renew(access: CalendarAccess, rejected: string): Promise<string> {
    const entry = this.entryFor(access);
    if (entry?.accessToken === rejected) entry.accessToken = undefined;
    return this.get(access);
  }

  private entryFor(access: CalendarAccess): Entry | undefined {
    const entry = this.entries.get(access.agentId);
    if (entry === undefined) return undefined;
    const known =
      access.refreshToken === entry.refreshToken || access.refreshToken === entry.previous;
    // A refresh token we never saw: the agent reconnected, so the old grant's tokens are stale.
    return known ? entry : undefined;
  }

  private async refresh(access: CalendarAccess): Promise<string> {
    const known = this.entryFor(access);
    const used = known?.refreshToken ?? access.refreshToken;
    const askedAt = this.clock.now();
    let tokens: TokenSet;
    try {
      tokens = await this.endpoint.refresh(used);
    } catch (error) {
      // The grant is gone: nothing cached for it may be used again.
      if (error instanceof CalendarGrantError) this.entries.delete(access.agentId);
      throw error;
    }
    const rotated = tokens.refreshToken !== undefined && tokens.refreshToken !== used;
    if (rotated) {
      if (access.onRefreshTokenRotated === undefined) {
        this.logger.warn(
          { provider: 'microsoft', agentId: access.agentId },
          'Refresh token rotated but nobody stores it',
        );
      } else {
        // Stored before use; if storing fails, the call fails and the old token still works.
        await access.onRefreshTokenRotated(tokens.refreshToken as string);
      }
    }
    const margin = Math.min(RENEW_MARGIN_MS, tokens.expiresInMs / 2);
    this.entries.set(access.agentId, {
      accessToken: tokens.accessToken,
      renewAt: askedAt + tokens.expiresInMs - margin,
      expiresAt: askedAt + tokens.expiresInMs,
      refreshToken: rotated ? (tokens.refreshToken as string) : used,
      previous: rotated ? used : known?.previous,
    });
    return tokens.accessToken;
  }
}
