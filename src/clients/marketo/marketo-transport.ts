import { setMaxListeners } from 'node:events';
import type { AxiosInstance } from 'axios';
import pRetry from 'p-retry';
import type { z } from 'zod';
import type { Clock } from '../../deps.js';
import type { Logger } from '../../logger.js';
import type { CallBudget } from './call-budget.js';
import type { MarketoCallObservers } from './call-observers.js';
import { nextMarketoReset, type DailyQuota } from './daily-quota.js';
import {
  addressAdvice,
  addressFailure,
  isMarketoApiError,
  MarketoApiError,
} from './marketo-error.js';
import { buildUrl, formBody, type MarketoRequest } from './marketo-request.js';
import {
  readFileAnswer,
  readJsonAnswer,
  type FailureInfo,
  type HttpAnswer,
  type Interpretation,
  type JsonAnswer,
} from './marketo-response.js';
import { classifyMarketoFailure, type MarketoFailure } from './retry-policy.js';
import type { TokenManager } from './token-manager.js';

export interface MarketoTransportOptions {
  baseUrl: string;
  http: AxiosInstance;
  tokens: TokenManager;
  budget: CallBudget;
  quota: DailyQuota;
  clock: Clock;
  logger: Logger;
  timeoutMs: number;
  maxRetries: number;
  retryMinTimeoutMs: number;
  retryMaxTimeoutMs: number;
  /** Told of every request sent, with its result (the service's metrics). */
  observers?: MarketoCallObservers;
}

type Sent = { ok: true; answer: HttpAnswer } | { ok: false; failure: FailureInfo };

/**
 * Adobe: on 601/602 get a new token and retry. If two fresh tokens are rejected as well,
 * something else is wrong (revoked service, clock skew): stop.
 */
const MAX_REAUTHS = 2;

/**
 * The one place that sends requests to Marketo. Per logical call: fail fast when the daily
 * quota is spent; then p-retry around [token -> budget slot -> count -> send -> interpret].
 * Retry sits outside the budget, so every attempt pays into the rate window and daily count.
 */
export class MarketoTransport {
  private sent = 0;
  /** Aborted by stop(): ends the requests in flight, the token fetch and retry back-offs. */
  private readonly stopping = new AbortController();

  constructor(private readonly options: MarketoTransportOptions) {
    // Every call waiting or in flight listens on this one signal (and removes its listener when
    // it ends), so more than Node's default of 10 is normal, not a leak.
    setMaxListeners(0, this.stopping.signal);
  }

  get callsSent(): number {
    return this.sent;
  }

  /**
   * For a shutdown: calls waiting for the budget are abandoned unsent, requests in flight are
   * aborted, and every call from now on fails at once, all with MARKETO_STOPPED. A write aborted
   * in flight says `outcomeUnknown` (Marketo may have applied it), like a time-out.
   */
  stop(): void {
    if (this.stopping.signal.aborted) return;
    const reason = new Error('the Marketo client is stopping');
    this.options.budget.abandonWaiting?.(reason);
    this.stopping.abort(reason);
  }

  /** Counted with the daily usage, so the counts survive a restart. */
  countError(code: string): void {
    this.options.quota.recordError(code);
  }

  urlFor(path: string, query?: MarketoRequest['query']): string {
    return buildUrl(this.options.baseUrl, path, query);
  }

  /** A JSON call whose `result` is parsed by `resultSchema`. */
  json<S extends z.ZodType>(
    req: MarketoRequest,
    resultSchema: S,
  ): Promise<JsonAnswer<z.output<S>>> {
    return this.execute(req, (answer) => readJsonAnswer(req, answer, resultSchema));
  }

  /** A bulk export file, as bytes. */
  file(req: MarketoRequest): Promise<Buffer> {
    return this.execute(req, (answer) => readFileAnswer(req, answer));
  }

  private async execute<T>(req: MarketoRequest, interpret: (a: HttpAnswer) => Interpretation<T>) {
    // Nothing is sent, not even to Identity, while the daily quota is spent.
    this.options.quota.assertCanCall(req.endpoint);
    if (this.stopping.signal.aborted) throw stoppedError(req, false);
    return pRetry(() => this.attempt(req, interpret), {
      // A stop also ends a back-off between attempts; the error is made MARKETO_STOPPED below.
      signal: this.stopping.signal,
      retries: this.options.maxRetries,
      factor: 2,
      minTimeout: this.options.retryMinTimeoutMs,
      maxTimeout: this.options.retryMaxTimeoutMs,
      // Jitter, so callers that failed together (606) do not come back together.
      randomize: true,
      shouldRetry: ({ error }) => error instanceof MarketoApiError && error.action === 'retry',
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (error instanceof MarketoApiError && error.action === 'retry' && retriesLeft > 0) {
          const code = error.marketoCode ?? error.networkCode ?? error.upstreamStatus;
          this.options.logger.warn(
            { endpoint: req.endpoint, code, attemptNumber },
            'Marketo call failed; retrying after back-off',
          );
        }
      },
    }).catch((error: unknown) => {
      if (!this.stopping.signal.aborted || isMarketoApiError(error, 'MARKETO_STOPPED')) throw error;
      throw stoppedError(req, false);
    });
  }

  private async attempt<T>(req: MarketoRequest, interpret: (a: HttpAnswer) => Interpretation<T>) {
    const { tokens, budget, quota, logger, clock } = this.options;
    for (let reauths = 0; ; reauths += 1) {
      const token = await untilStopped(tokens.getToken(), this.stopping.signal);
      let sentNow = false;
      let sentAt = 0;
      // Raced with the stop too, so a budget without abandonWaiting (Redis) cannot hold a stop
      // up: a call it starts later finds the stop inside the slot and sends nothing.
      const sent = await untilStopped(
        budget.run(async () => {
          // Checked again inside the slot: another call may have met 607 while this one queued.
          quota.assertCanCall(req.endpoint);
          if (this.stopping.signal.aborted) throw stoppedError(req, false);
          quota.recordCall();
          this.sent += 1;
          sentNow = true;
          sentAt = clock.now();
          return this.send(req, token);
        }),
        this.stopping.signal,
      ).catch((error: unknown) => {
        // The budget abandoned the call unsent (or the stop came while it waited).
        if (this.stopping.signal.aborted) throw stoppedError(req, sentNow);
        throw error;
      });
      // An aborted request comes back as a network failure (ERR_CANCELED).
      if (!sent.ok && this.stopping.signal.aborted) throw stoppedError(req, sentNow);
      const outcome = sent.ok ? interpret(sent.answer) : sent;
      this.options.observers?.emit({
        endpoint: req.endpoint,
        result: outcome.ok ? 'ok' : resultOf(outcome.failure),
        ms: clock.now() - sentAt,
      });
      if (outcome.ok) return outcome.value;

      const failure = { ...outcome.failure, idempotent: req.idempotent };
      const fallback = failure.marketoCode ?? failure.networkCode ?? `HTTP ${failure.httpStatus}`;
      (failure.codes?.length ? failure.codes : [fallback]).forEach((c) => this.countError(c));
      const action = classifyMarketoFailure(failure);
      if (action === 'reauth' && reauths < MAX_REAUTHS) {
        // Drops the token only if it is still the cached one: a fresh one is kept.
        tokens.invalidate(token);
        logger.info({ endpoint: req.endpoint, code: failure.marketoCode }, 'Re-authenticating');
        continue;
      }
      if (action === 'wait-for-quota') throw this.quotaError(req, failure);
      throw apiError(req, failure, action === 'reauth', this.options.baseUrl);
    }
  }

  private async send(req: MarketoRequest, token: string): Promise<Sent> {
    const { http, timeoutMs, logger } = this.options;
    const headers: Record<string, string> = {
      // The header is the only way we pass the token: the access_token parameter is removed.
      Authorization: `Bearer ${token}`,
      Accept: 'application/json, text/plain, */*',
      // help/rest-api/performance.md: REST answers gzip on request; bulk APIs never compress.
      'Accept-Encoding': req.path.startsWith('/rest/') ? 'gzip' : 'identity',
    };
    let data: string | undefined;
    if (req.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      data = JSON.stringify(req.json);
    } else if (req.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      data = formBody(req.form);
    }
    const started = Date.now();
    // Logs name the path only: query strings may hold emails or page tokens.
    const where = { endpoint: req.endpoint, method: req.method, path: req.path };
    try {
      const res = await http.request<unknown>({
        method: req.method,
        url: this.urlFor(req.path, req.query),
        headers,
        data,
        timeout: timeoutMs,
        responseType: 'arraybuffer',
        transformResponse: [(body: unknown) => body],
        validateStatus: () => true,
        decompress: true,
        signal: this.stopping.signal,
      });
      logger.debug({ ...where, status: res.status, ms: Date.now() - started }, 'Marketo call');
      const date: unknown = res.headers['date'];
      const contentType: unknown = res.headers['content-type'];
      const answer: HttpAnswer = {
        status: res.status,
        contentType: typeof contentType === 'string' ? contentType : '',
        date: typeof date === 'string' ? date : undefined,
        body: toBuffer(res.data),
      };
      return { ok: true, answer };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const networkCode = typeof code === 'string' ? code : 'ERR_NETWORK';
      logger.debug({ ...where, networkCode, ms: Date.now() - started }, 'Marketo call failed');
      // A plain summary, never the axios error: its config holds the Authorization header.
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, failure: { networkCode, message } };
    }
  }

  private quotaError(req: MarketoRequest, failure: FailureInfo): MarketoApiError {
    const { quota, clock } = this.options;
    const ids = { marketoCode: failure.marketoCode, requestId: failure.requestId };
    if (failure.marketoCode === '607') {
      const retryAt = quota.pauseUntilReset();
      return quota.quotaError(req.endpoint, retryAt, { reason: 'marketo-607', ...ids });
    }
    // 1029 "Export daily quota exceeded" (500 MB/day): only bulk exports wait; REST goes on.
    return quota.quotaError(req.endpoint, nextMarketoReset(clock.now()), {
      reason: 'marketo-1029',
      quota: 'bulk-export',
      ...ids,
    });
  }
}

function apiError(
  req: MarketoRequest,
  failure: MarketoFailure & FailureInfo,
  tokenRejected: boolean,
  baseUrl: string,
) {
  const action = tokenRejected ? 'fatal' : classifyMarketoFailure(failure);
  const what =
    failure.marketoCode !== undefined
      ? `${failure.marketoCode} ${failure.message ?? ''}`.trim()
      : failure.networkCode !== undefined
        ? `network error ${failure.networkCode}`
        : `HTTP ${failure.httpStatus}`;
  // A write that failed ambiguously (time-out, dropped connection) may have been applied:
  // say so, so the caller reconciles before writing again rather than duplicating.
  const outcomeUnknown =
    !failure.idempotent &&
    action === 'fatal' &&
    classifyMarketoFailure({ ...failure, idempotent: true }) === 'retry';
  const address = addressFailure(failure);
  const suffix = tokenRejected
    ? ` (still rejected after ${MAX_REAUTHS} new tokens)`
    : address !== undefined
      ? `. ${addressAdvice(address, baseUrl)}`
      : '';
  return new MarketoApiError(
    tokenRejected ? 'MARKETO_AUTH_FAILED' : (address ?? 'MARKETO_API_ERROR'),
    `Marketo ${req.endpoint} failed: ${what}${suffix}`,
    {
      endpoint: req.endpoint,
      marketoCode: failure.marketoCode,
      requestId: failure.requestId,
      upstreamStatus: failure.httpStatus,
      networkCode: failure.networkCode,
      action,
      retryable: action === 'retry',
      details: outcomeUnknown ? { outcomeUnknown: true } : undefined,
    },
  );
}

/** The result an observer sees: Marketo's code, else the network code, else the HTTP status. */
function resultOf(failure: FailureInfo): string {
  return failure.marketoCode ?? failure.networkCode ?? `http_${failure.httpStatus ?? 'unknown'}`;
}

/** A call ended by stop(); `sent` when its request had left, so a write may have been applied. */
function stoppedError(req: MarketoRequest, sent: boolean): MarketoApiError {
  const outcomeUnknown = sent && !req.idempotent;
  return new MarketoApiError(
    'MARKETO_STOPPED',
    `Marketo ${req.endpoint} ${sent ? 'aborted in flight' : 'not sent'}: the client is stopping`,
    {
      endpoint: req.endpoint,
      retryable: true,
      details: outcomeUnknown ? { outcomeUnknown: true } : undefined,
    },
  );
}

/** `work`, or the signal's reason as soon as it aborts (the work itself is left to end). */
function untilStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.from(data === undefined ? '' : JSON.stringify(data), 'utf8');
}
