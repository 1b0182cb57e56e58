import { createHash } from 'node:crypto';
import type { CalendarAccess } from '../../calendar/calendar-types.js';
import type { Clock } from '../../deps.js';

/** What a refresh-token grant gave back. */
export interface RefreshedAccessToken {
  accessToken: string;
  expiresInMs: number;
  /** Only when Google sent a refresh token different from the one used. */
  rotatedRefreshToken?: string;
}

export interface AccessTokenLease {
  value: string;
  /** Refreshed for this call (or a call it joined): a 401 to it is not a stale cache. */
  refreshed: boolean;
}

interface CachedToken {
  fingerprint: string;
  value: string;
  /** When get() stops handing this token out and refreshes. */
  renewAt: number;
}

/** Refresh this long before expiry, so a call never leaves with a dying token. */
const DEFAULT_RENEW_MARGIN_MS = 60_000;

/**
 * Access tokens in memory, one per agent, keyed also by a fingerprint of the refresh token so
 * that a reconnected calendar (a new grant) never reuses the old grant's access token. A refresh
 * is single-flight per agent and grant: concurrent calls share the one token request. Google's
 * access tokens live `expires_in` seconds (3599); nothing is written to disk.
 */
export class GoogleAccessTokens {
  private readonly cache = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();
  private readonly renewMarginMs: number;

  constructor(
    private readonly options: {
      refresh: (refreshToken: string) => Promise<RefreshedAccessToken>;
      clock: Clock;
      renewMarginMs?: number;
    },
  ) {
    this.renewMarginMs = options.renewMarginMs ?? DEFAULT_RENEW_MARGIN_MS;
  }

  async get(access: CalendarAccess): Promise<AccessTokenLease> {
    const fingerprint = fingerprintOf(access.refreshToken);
    const cached = this.cache.get(access.agentId);
    if (
      cached !== undefined &&
      cached.fingerprint === fingerprint &&
      this.options.clock.now() < cached.renewAt
    ) {
      return { value: cached.value, refreshed: false };
    }
    const key = `${access.agentId}:${fingerprint}`;
    let pending = this.pending.get(key);
    if (pending === undefined) {
      pending = this.refresh(access).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return { value: (await pending).value, refreshed: true };
  }

  /** Drops the agent's token after Google refused it (401), unless a newer one replaced it. */
  forget(access: CalendarAccess, value: string): void {
    if (this.cache.get(access.agentId)?.value === value) this.cache.delete(access.agentId);
  }

  private async refresh(access: CalendarAccess): Promise<CachedToken> {
    const started = this.options.clock.now();
    const answer = await this.options.refresh(access.refreshToken);
    let refreshToken = access.refreshToken;
    if (answer.rotatedRefreshToken !== undefined && access.onRefreshTokenRotated !== undefined) {
      // Google keeps refresh tokens stable, but if it ever sends a new one the caller stores it
      // (encrypted) before the next call; the cache then follows the new grant.
      await access.onRefreshTokenRotated(answer.rotatedRefreshToken);
      refreshToken = answer.rotatedRefreshToken;
    }
    // Counted from before the request, so a slow answer cannot stretch the token's life.
    const margin = Math.min(this.renewMarginMs, answer.expiresInMs / 2);
    const token: CachedToken = {
      fingerprint: fingerprintOf(refreshToken),
      value: answer.accessToken,
      renewAt: started + answer.expiresInMs - margin,
    };
    this.cache.set(access.agentId, token);
    return token;
  }
}

/** A short one-way fingerprint: the refresh token itself is never kept as a key. */
function fingerprintOf(refreshToken: string): string {
  return createHash('sha256').update(refreshToken).digest('hex').slice(0, 32);
}
