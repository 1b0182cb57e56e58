import { Client, GraphError, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import { CalendarGrantError, CalendarProviderError } from '../../calendar/calendar-types.js';
import type { Clock } from '../../deps.js';
import type { Logger } from '../../logger.js';
import { decideGraphRetry, type GraphFailure } from './retry-policy.js';

export interface GraphCall {
  /** What the call does, for logs and error messages (`create event`); never ids or tokens. */
  label: string;
  method: 'GET' | 'POST' | 'PATCH';
  /** Below the version root (`/me/events`), or an `@odata.nextLink` on the Graph host. */
  path: string;
  /** Values are URL-encoded here: the SDK joins query values as they are. */
  query?: Record<string, string>;
  body?: unknown;
  /** Statuses that mean "already done" (cancel: 404/410); the call then resolves undefined. */
  doneStatuses?: readonly number[];
}

/** Where the transport gets access tokens: the agent's cache, or one token fresh from a code. */
export interface TokenSupplier {
  agentId?: string;
  current(): Promise<string>;
  /** Graph refused `rejected` (401): a fresh one, once. Absent when there is no refresh token. */
  renew?(rejected: string): Promise<string>;
}

export interface GraphTransportOptions {
  /** Graph root without version, e.g. `https://graph.microsoft.com` or `https://graph.microsoft.us`. */
  graphUrl: string;
  timeoutMs: number;
  maxRetries: number;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  logger: Logger;
}

/**
 * The one place that calls Graph, through @microsoft/microsoft-graph-client 3 on Node's global
 * fetch (which nock 14 intercepts). The middleware chain is HTTPMessageHandler alone: the SDK's
 * RetryHandler would sleep on real timers and retry behind our back, and its
 * AuthenticationHandler holds one token per client while we act for many agents. So the token is
 * set per request here, retries follow decideGraphRetry with the injected sleep, and a 401 is
 * answered by one refresh. `Prefer: outlook.timezone="UTC"` makes every dateTime come back in UTC
 * (learn.microsoft.com/graph/api/user-list-calendarview, "Request headers").
 */
export class GraphTransport {
  private readonly client: Client;
  private readonly origin: string;

  constructor(private readonly options: GraphTransportOptions) {
    this.origin = new URL(options.graphUrl).origin;
    this.client = Client.initWithMiddleware({
      middleware: new HTTPMessageHandler(),
      baseUrl: `${this.origin}/`,
      defaultVersion: 'v1.0',
    });
  }

  async send(tokens: TokenSupplier, call: GraphCall): Promise<unknown> {
    const { maxRetries, clock, sleep, random, logger } = this.options;
    this.assertOnGraphHost(call);
    let token = await tokens.current();
    let reauthorized = false;
    for (let retriesSoFar = 0; ;) {
      let failure: GraphFailure;
      try {
        return await this.sendOnce(token, call);
      } catch (error) {
        failure = toFailure(error);
      }
      if (failure.kind === 'status' && call.doneStatuses?.includes(failure.status))
        return undefined;
      const decision = decideGraphRetry(failure, {
        retriesSoFar,
        maxRetries,
        reauthorized,
        now: clock.now(),
        random: random(),
      });
      const where = { provider: 'microsoft', agentId: tokens.agentId, call: call.label };
      if (decision.action === 'reauth' && tokens.renew !== undefined) {
        logger.info(where, 'Graph refused the access token; refreshing once');
        token = await tokens.renew(token);
        reauthorized = true;
        continue;
      }
      if (decision.action === 'retry') {
        logger.warn(
          { ...where, failure: describe(failure), retriesSoFar, delayMs: decision.delayMs },
          'Graph call failed; retrying',
        );
        await sleep(decision.delayMs);
        retriesSoFar += 1;
        continue;
      }
      throw toError(call, failure, decision.action, retriesSoFar);
    }
  }

  private async sendOnce(token: string, call: GraphCall): Promise<unknown> {
    let request = this.client
      .api(call.path)
      .header('Authorization', `Bearer ${token}`)
      .header('Prefer', 'outlook.timezone="UTC"')
      .option('signal', AbortSignal.timeout(this.options.timeoutMs));
    if (call.query !== undefined) {
      const encoded = Object.entries(call.query).map(([k, v]) => [k, encodeURIComponent(v)]);
      request = request.query(Object.fromEntries(encoded) as Record<string, string>);
    }
    if (call.method === 'GET') return (await request.get()) as unknown;
    if (call.method === 'PATCH') return (await request.patch(call.body)) as unknown;
    return (await request.post(call.body ?? {})) as unknown;
  }

  /** A nextLink elsewhere would receive the agent's access token: refuse it. */
  private assertOnGraphHost(call: GraphCall): void {
    if (!/^https?:\/\//i.test(call.path)) return;
    if (new URL(call.path).origin !== this.origin) {
      throw new CalendarProviderError('microsoft', `${call.label}: Graph linked outside its host`, {
        retryable: false,
      });
    }
  }
}

/** The SDK's GraphError: statusCode -1 when no answer came (fetch failed, aborted). */
function toFailure(error: unknown): GraphFailure {
  if (error instanceof GraphError && error.statusCode > 0) {
    const retryAfter = error.headers?.get('retry-after') ?? undefined;
    const code = typeof error.code === 'string' && error.code !== '' ? error.code : undefined;
    return { kind: 'status', status: error.statusCode, retryAfter, code };
  }
  return { kind: 'network' };
}

function describe(failure: GraphFailure): string {
  if (failure.kind === 'network') return 'network error';
  return `HTTP ${failure.status}${failure.code === undefined ? '' : ` ${failure.code}`}`;
}

/** Built from status and label only: the SDK's error may quote the request, so it stays out. */
function toError(
  call: GraphCall,
  failure: GraphFailure,
  action: 'reauth' | 'give-up' | 'grant-lost' | 'fatal',
  retriesSoFar: number,
): Error {
  const status = failure.kind === 'status' ? failure.status : undefined;
  if (action === 'grant-lost') {
    return new CalendarGrantError(
      'microsoft',
      `${call.label}: Graph refused a freshly refreshed access token (HTTP 401)`,
    );
  }
  const attempts = retriesSoFar + 1;
  const detail = `${describe(failure)} after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  return new CalendarProviderError('microsoft', `${call.label} failed: ${detail}`, {
    status,
    retryable: action === 'give-up',
  });
}
