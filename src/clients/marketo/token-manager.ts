import type { AxiosInstance } from 'axios';
import type { Clock } from '../../deps.js';
import type { Logger } from '../../logger.js';
import type { MarketoCallObservers } from './call-observers.js';
import { IdentityState, identityRetryMs, type IdentityRejection } from './identity-rejection.js';
import { addressAdvice, addressFailure, MarketoApiError } from './marketo-error.js';
import { identityErrorSchema, identityResponseSchema } from './wire-schemas.js';

export interface TokenManagerOptions {
  /** Instance root, e.g. `https://123-ABC-456.mktorest.com` (no trailing slash). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  http: AxiosInstance;
  clock: Clock;
  logger: Logger;
  timeoutMs: number;
  /** Renew this long before expiry, so a call never leaves with a dying token. */
  renewMarginMs?: number;
  /**
   * Runs the Identity request in a concurrency slot of the call budget: Identity calls are not
   * counted as API calls, but Marketo's cap of 10 concurrent calls per instance (615) may count
   * every connection, so the request never makes an 11th.
   */
  slot?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Told of every identity request and its result (readiness: are the credentials good). */
  observers?: MarketoCallObservers;
}

interface CachedToken {
  value: string;
  expiresAt: number;
  /** When getToken() stops handing this token out and asks Identity again. */
  renewAt: number;
}

const IDENTITY_PATH = '/identity/oauth/token';
/** After a failed early renewal, wait this long before asking Identity again. */
const RENEW_RETRY_MS = 10_000;

/**
 * The client-credentials access token (help/rest-api/authentication.md): cached with its
 * expiry, fetched by one request however many callers wait, renewed shortly before expiry.
 * Identity calls are free (swagger-identity.json: "not counted towards API call limit"), so
 * they bypass the rate window, but take a concurrency slot. A failed identity call is never retried here: a bad secret
 * would only produce a storm of 401s. Every later getToken() may try once more.
 * A refusal (401, or a 2xx that is not Identity's) is remembered until a token comes
 * (identity-rejection.ts): logged once, shown by `rejection` (readiness, the outbox summary),
 * and its errors tell work that can wait (the outbox) since when it lasts and how long to wait.
 */
export class TokenManager {
  private cached: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;
  private requests = 0;
  private renewBlockedUntil = 0;
  /** The last refusal, answered again without asking Identity until `refusedUntil`. */
  private lastRefusal: MarketoApiError | undefined;
  private refusedUntil = 0;
  private readonly renewMarginMs: number;
  private readonly identity = new IdentityState();

  constructor(private readonly options: TokenManagerOptions) {
    this.renewMarginMs = options.renewMarginMs ?? 60_000;
  }

  /** Identity requests made so far. */
  get tokenRequests(): number {
    return this.requests;
  }

  /** Identity's refusal in progress (bad credentials, wrong address), until a token comes. */
  get rejection(): IdentityRejection | undefined {
    return this.identity.rejection;
  }

  async getToken(): Promise<string> {
    const { clock, logger } = this.options;
    const cached = this.cached;
    const now = clock.now();
    if (cached !== undefined && now < cached.renewAt) return cached.value;
    // A renewal failed a moment ago and the old token still lives: keep using it for now.
    if (cached !== undefined && now < cached.expiresAt && now < this.renewBlockedUntil) {
      return cached.value;
    }
    // Identity refused us a moment ago: the same answer, without a request. A widget's visitors
    // or a sync would otherwise each ask it once more (single flight merges only concurrent
    // callers); the wait grows with the refusal (identityRetryMs), and a connection test
    // (fetchFresh) always asks.
    if (this.lastRefusal !== undefined && now < this.refusedUntil) {
      if (cached !== undefined && now < cached.expiresAt) return cached.value;
      throw this.lastRefusal;
    }
    // Single flight: concurrent callers share the one identity request in progress.
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    try {
      return (await this.pending).value;
    } catch (error) {
      // A failed *early* renewal must not fail calls the current token can still make.
      if (cached !== undefined && clock.now() < cached.expiresAt && this.cached === cached) {
        this.renewBlockedUntil = clock.now() + RENEW_RETRY_MS;
        logger.warn({ endpoint: 'identity' }, 'Token renewal failed; using the current token');
        return cached.value;
      }
      throw error;
    }
  }

  /**
   * A fresh identity request now, even with a valid token cached (a connection test); shared
   * with a request already in flight. Its token replaces the cached one.
   */
  async fetchFresh(): Promise<void> {
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    await this.pending;
  }

  /**
   * Forget `token` after Marketo answered 601/602 to a call that used it. A token that is no
   * longer the cached one was already replaced, and the fresh one must not be thrown away.
   */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  /** Tells the observers how an identity request ended: `ok` or its error code. */
  private async fetchToken(): Promise<CachedToken> {
    const askedAt = this.options.clock.now();
    const report = (result: string) =>
      this.options.observers?.emit({
        endpoint: 'identity',
        result,
        ms: this.options.clock.now() - askedAt,
      });
    try {
      const token = await this.requestToken(askedAt);
      report('ok');
      this.lastRefusal = undefined;
      return token;
    } catch (error) {
      report(error instanceof MarketoApiError ? error.code : 'unknown');
      const refusal = this.identity.rejection;
      if (error instanceof MarketoApiError && error.details?.['identityRejected'] === true) {
        const now = this.options.clock.now();
        this.lastRefusal = error;
        this.refusedUntil = now + identityRetryMs(now - (refusal?.since ?? now));
      } else {
        // An outage or a network error: the next caller asks again, as before.
        this.lastRefusal = undefined;
      }
      throw error;
    }
  }

  private async requestToken(askedAt: number): Promise<CachedToken> {
    const { baseUrl, clientId, clientSecret, http, logger, timeoutMs } = this.options;
    // GET with query parameters, as the identity spec defines it. This URL holds the secret:
    // it is never logged or put into an error.
    const query = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
    });
    this.requests += 1;
    logger.debug({ endpoint: 'identity' }, 'Requesting a Marketo access token');

    let status: number;
    let body: unknown;
    try {
      const send = this.options.slot ?? (<T>(fn: () => Promise<T>) => fn());
      const res = await send(() =>
        http.request<string>({
          method: 'GET',
          url: `${baseUrl}${IDENTITY_PATH}?${query.toString()}`,
          headers: { Accept: 'application/json' },
          timeout: timeoutMs,
          responseType: 'text',
          transformResponse: [(data: unknown) => data],
          validateStatus: () => true,
        }),
      );
      status = res.status;
      body = parseJson(res.data);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw this.authFailed(`network error ${typeof code === 'string' ? code : 'unknown'}`, {
        networkCode: typeof code === 'string' ? code : undefined,
      });
    }

    if (status < 200 || status >= 300) {
      const parsed = identityErrorSchema.safeParse(body);
      const reason = parsed.success
        ? [parsed.data.error, parsed.data.error_description].filter(Boolean).join(': ')
        : '';
      // Identity echoes nothing secret today; scrub anyway in case it ever quotes the request.
      const safe = truncate(reason.split(this.options.clientSecret).join('***'));
      throw this.authFailed(`HTTP ${status}${safe ? ` ${safe}` : ''}`, {
        upstreamStatus: status,
      });
    }
    const parsed = identityResponseSchema.safeParse(body);
    if (!parsed.success) {
      // Identity refuses bad credentials with 401 (help/rest-api/authentication.md), so a 2xx
      // without a token is not Identity at all: another host answers at this address.
      throw this.authFailed(
        `HTTP ${status} without access_token/expires_in`,
        { upstreamStatus: status },
        `HTTP ${status} without an access token`,
      );
    }

    const lifeMs = parsed.data.expires_in * 1000;
    const expiresAt = askedAt + lifeMs;
    // Asked before expiry, Identity returns the *same* token with its remaining life. If that
    // is already inside the margin, asking again would loop on the same answer: use the token
    // until it really expires (a late call then gets 602, and the client re-authenticates).
    const renewAt = lifeMs > this.renewMarginMs ? expiresAt - this.renewMarginMs : expiresAt;
    const token: CachedToken = { value: parsed.data.access_token, expiresAt, renewAt };
    this.cached = token;
    logger.debug({ endpoint: 'identity', expiresInS: parsed.data.expires_in }, 'Got token');
    const ended = this.identity.succeeded(this.options.clock.now());
    if (ended !== undefined) {
      logger.info(
        { endpoint: 'identity', ...ended },
        'Marketo identity call works again: access token received',
      );
    }
    return token;
  }

  private authFailed(
    reason: string,
    extra: { upstreamStatus?: number; networkCode?: string | undefined },
    notIdentity?: string,
  ): MarketoApiError {
    // No answer, a 404, or a success that is not Identity's means the address is wrong or
    // down: telling the operator to check the credentials then would send them the wrong way.
    const code =
      notIdentity !== undefined
        ? 'MARKETO_URL_NOT_FOUND'
        : (addressFailure({ ...extra, httpStatus: extra.upstreamStatus }, true) ??
          'MARKETO_AUTH_FAILED');
    const advice =
      code === 'MARKETO_AUTH_FAILED'
        ? ''
        : `. ${addressAdvice(code, this.options.baseUrl, notIdentity)}`;
    const message = `Marketo identity call (GET ${this.options.baseUrl}${IDENTITY_PATH}) failed: ${reason}${advice}`;
    // Identity unreachable or failing (network, 5xx) is an outage, not bad credentials: a
    // later attempt can succeed, so queued work (the outbox) retries it like any outage.
    const retryable = extra.networkCode !== undefined || (extra.upstreamStatus ?? 0) >= 500;
    const now = this.options.clock.now();
    const key = `${code} ${extra.upstreamStatus ?? extra.networkCode ?? ''}`;
    const { isNew, rejection } = this.identity.failed(key, code, !retryable, now);
    // Once when a failure starts or changes, not per request: every queued write meets it.
    const level = isNew ? 'error' : 'debug';
    this.options.logger[level]({ endpoint: 'identity', ...extra }, message);
    return new MarketoApiError(code, message, {
      endpoint: 'identity',
      action: 'fatal',
      // A refusal is no outage: retrying at once cannot help. Callers that can wait (the
      // outbox holds its items) read since when it lasts and how long to wait.
      retryable,
      ...extra,
      ...(rejection === undefined
        ? {}
        : {
            details: {
              identityRejected: true,
              rejectedSince: rejection.since,
              retryAfterMs: identityRetryMs(now - rejection.since),
            },
          }),
    });
  }
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function truncate(text: string, max = 200): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
