import axios from 'axios';
import { CalendarGrantError, CalendarProviderError } from '../../calendar/calendar-types.js';
import type { Clock } from '../../deps.js';
import type { Logger } from '../../logger.js';
import { decideGraphRetry, type GraphFailure } from './retry-policy.js';
import { tokenErrorSchema, tokenResponseSchema, type TokenErrorBody } from './wire-schemas.js';

/** What a token request gives back, in our words. */
export interface TokenSet {
  accessToken: string;
  expiresInMs: number;
  /** Entra returns a new refresh token with every response; absent without offline_access. */
  refreshToken?: string;
  scope?: string;
}

export interface TokenEndpointOptions {
  /** `{authority}/{tenant}/oauth2/v2.0/token`. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  timeoutMs: number;
  maxRetries: number;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  logger: Logger;
}

type Outcome = { tokens: TokenSet } | { failure: GraphFailure; oauth?: TokenErrorBody };

/**
 * OAuth errors after which only the user can help, so the grant is reported lost:
 * invalid_grant (expired, revoked, password reset...) and interaction_required (MFA or a
 * Conditional Access policy now demands an interactive sign-in). RFC 6749 §5.2; Entra's
 * "Error codes" table in v2-oauth2-auth-code-flow.
 */
const GRANT_ERRORS = new Set(['invalid_grant', 'interaction_required']);

/** Why an AADSTS code happens, from Entra's "AADSTS error codes" reference (our wording). */
const AADSTS_HINTS: Record<string, string> = {
  AADSTS70000: 'grant invalid, revoked or missing scopes',
  AADSTS70008: 'code or refresh token expired',
  AADSTS700082: 'refresh token expired after 90 days without use',
  AADSTS50173: 'grant revoked, e.g. after a password change',
  AADSTS54005: 'authorization code already redeemed',
  AADSTS501481: 'code_verifier does not match the code_challenge',
  AADSTS50076: 'multi-factor sign-in required',
  AADSTS53003: 'blocked by Conditional Access',
  AADSTS7000215: 'invalid client secret',
  AADSTS7000222: 'client secret expired',
};

/**
 * The Microsoft identity platform token endpoint, over axios (form-encoded POST, confidential
 * client: the secret goes in the body). The body holds the secret, the code and the refresh
 * token, so neither the request nor axios's error object is ever logged or attached to an error.
 */
export class TokenEndpoint {
  constructor(private readonly options: TokenEndpointOptions) {}

  redeemCode(args: { code: string; codeVerifier: string; redirectUri: string }): Promise<TokenSet> {
    return this.request('exchange the code', {
      grant_type: 'authorization_code',
      code: args.code,
      redirect_uri: args.redirectUri,
      code_verifier: args.codeVerifier,
    });
  }

  refresh(refreshToken: string): Promise<TokenSet> {
    return this.request('refresh the access token', {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
  }

  private async request(purpose: string, grant: Record<string, string>): Promise<TokenSet> {
    const { clientId, clientSecret, scope, maxRetries, clock, sleep, random, logger } =
      this.options;
    const form = new URLSearchParams({
      client_id: clientId,
      client_secret: clientSecret,
      scope,
      ...grant,
    }).toString();
    for (let retriesSoFar = 0; ; retriesSoFar += 1) {
      const outcome = await this.send(form);
      if ('tokens' in outcome) return outcome.tokens;
      const failure = outcome.oauth ? classifyOAuthError(purpose, outcome) : outcome.failure;
      const decision = decideGraphRetry(failure, {
        retriesSoFar,
        maxRetries,
        reauthorized: true,
        now: clock.now(),
        random: random(),
      });
      if (decision.action === 'retry') {
        logger.warn(
          { provider: 'microsoft', endpoint: 'token', failure: describe(failure), retriesSoFar },
          'Token endpoint failed; retrying',
        );
        await sleep(decision.delayMs);
        continue;
      }
      const retryable = decision.action === 'give-up';
      const status = failure.kind === 'status' ? failure.status : undefined;
      throw new CalendarProviderError(
        'microsoft',
        `could not ${purpose}: token endpoint ${describe(failure)}${outcome.oauth ? ` ${oauthSummary(outcome.oauth)}` : ''}`,
        { status, retryable },
      );
    }
  }

  private async send(form: string): Promise<Outcome> {
    let status: number;
    let data: unknown;
    let retryAfter: string | undefined;
    try {
      const res = await axios.post<unknown>(this.options.tokenUrl, form, {
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        timeout: this.options.timeoutMs,
        validateStatus: () => true,
      });
      status = res.status;
      data = res.data;
      const header: unknown = res.headers['retry-after'];
      retryAfter = typeof header === 'string' ? header : undefined;
    } catch {
      // Only the fact of a network failure leaves this block: axios's error holds the form.
      return { failure: { kind: 'network' } };
    }
    if (status >= 200 && status < 300) {
      const parsed = tokenResponseSchema.safeParse(data);
      if (!parsed.success) {
        throw new CalendarProviderError(
          'microsoft',
          'token endpoint answered an unexpected shape',
          {
            status,
            retryable: false,
          },
        );
      }
      const { access_token, expires_in, refresh_token, scope } = parsed.data;
      return {
        tokens: {
          accessToken: access_token,
          expiresInMs: expires_in * 1000,
          refreshToken: refresh_token,
          scope,
        },
      };
    }
    const oauth = tokenErrorSchema.safeParse(data);
    return {
      failure: { kind: 'status', status, retryAfter },
      oauth: oauth.success ? oauth.data : undefined,
    };
  }
}

/** Grant errors throw here; `temporarily_unavailable` is transient whatever the status. */
function classifyOAuthError(
  purpose: string,
  outcome: { failure: GraphFailure; oauth?: TokenErrorBody },
): GraphFailure {
  const oauth = outcome.oauth;
  if (oauth === undefined) return outcome.failure;
  if (GRANT_ERRORS.has(oauth.error)) {
    // The cause carries ids for Microsoft support, never the description or the request.
    throw new CalendarGrantError('microsoft', `could not ${purpose}: ${oauthSummary(oauth)}`, {
      error: oauth.error,
      aadsts: aadstsCode(oauth),
      correlationId: oauth.correlation_id,
      traceId: oauth.trace_id,
    });
  }
  if (oauth.error === 'temporarily_unavailable' && outcome.failure.kind === 'status') {
    return { ...outcome.failure, status: 503 };
  }
  return outcome.failure;
}

function oauthSummary(oauth: TokenErrorBody): string {
  const code = aadstsCode(oauth);
  if (code === undefined) return oauth.error;
  const hint = AADSTS_HINTS[code];
  return `${oauth.error} ${code}${hint === undefined ? '' : ` (${hint})`}`;
}

export function aadstsCode(oauth: TokenErrorBody): string | undefined {
  const first = oauth.error_codes?.[0];
  if (first !== undefined) return `AADSTS${first}`;
  return /AADSTS\d+/.exec(oauth.error_description ?? '')?.[0];
}

function describe(failure: GraphFailure): string {
  return failure.kind === 'network' ? 'unreachable' : `answered HTTP ${failure.status}`;
}
