import axios, { type AxiosInstance } from 'axios';
import { z } from 'zod';
import type { Clock } from '../../deps.js';
import { AppError } from '../../errors.js';
import { isTransientHttpStatus, parseRetryAfterMs } from '../../http/retry-hints.js';
import type { Logger } from '../../logger.js';
import { verifyCallbackTarget, type HostResolver } from '../../outbox/callback-url-guard.js';
import { LOOKUP_REFUSED, createGuardedAgent, systemResolver } from './guarded-lookup.js';

/**
 * The SSFS callback (Adobe SPI, CFA-Swagger.yaml `selfServiceFlowComplete`): the only code that
 * knows how results go back to Marketo. POST {callbackUrl} with `x-api-key: apiCallBackKey`,
 * `x-callback-token: token` and a `flowCallBack` body. Adobe's sample (mkto-flow-lookup
 * executeCallback) also puts `token` and an ISO `time` in the body; we do the same.
 */

/** One lead's result: `leadData.id` is required, other keys must be mapped incoming fields. */
export const callbackRecordSchema = z.object({
  leadData: z.looseObject({ id: z.number().int().positive() }),
  activityData: z.looseObject({
    success: z.boolean(),
    reason: z.string().optional(),
    errorCode: z.string().optional(),
  }),
});
export type SsfsCallbackRecord = z.infer<typeof callbackRecordSchema>;

const flowCallBackSchema = z.object({
  munchkinId: z.string().min(1),
  token: z.string().min(1),
  time: z.string(),
  objectData: z.array(callbackRecordSchema),
});

export interface SsfsCallback {
  callbackUrl: string;
  apiCallBackKey: string;
  token: string;
  munchkinId: string;
  objectData: SsfsCallbackRecord[];
}

export interface SsfsCallbackClient {
  /**
   * Resolves on a 2xx; throws SsfsCallbackError saying whether a retry can help. `signal`
   * aborts the request (a stop): SSFS_CALLBACK_STOPPED, retryable, since Marketo may or may
   * not have received it.
   */
  send(callback: SsfsCallback, options?: { signal?: AbortSignal }): Promise<{ status: number }>;
}

export class SsfsCallbackError extends AppError {
  /** The pause Marketo asked for with Retry-After, if any. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: string,
    message: string,
    retryable: boolean,
    status?: number,
    retryAfterMs?: number,
  ) {
    super(code, message, { httpStatus: 502, retryable, details: { status } });
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Pure: what an answer means. 2xx delivered. 408, 425, 429 and 5xx are Marketo being busy or
 * down: retry (isTransientHttpStatus). Anything else, redirects included (never followed:
 * research A4), will not change on a retry.
 */
export function classifyCallbackStatus(status: number): 'delivered' | 'retry' | 'reject' {
  if (status >= 200 && status < 300) return 'delivered';
  return isTransientHttpStatus(status) ? 'retry' : 'reject';
}

export interface SsfsCallbackClientOptions {
  /** SSFS_CALLBACK_HOSTS. */
  callbackHosts: readonly string[];
  clock: Clock;
  logger: Logger;
  /** DNS, injected for tests; the system resolver by default. */
  resolve?: HostResolver;
  /** Per callback request (default 10 s). */
  timeoutMs?: number;
  http?: AxiosInstance;
}

export function createSsfsCallbackClient(options: SsfsCallbackClientOptions): SsfsCallbackClient {
  const resolve = options.resolve ?? systemResolver;
  const http = options.http ?? axios.create();
  const timeout = options.timeoutMs ?? 10_000;
  const logger = options.logger.child({ client: 'ssfs-callback' });
  const guardedAgent = createGuardedAgent(resolve);

  return {
    async send(callback, sendOptions = {}) {
      // Checked again before every send, DNS included: the allow-list or the records may have
      // changed since the invocation was accepted.
      const target = await verifyCallbackTarget(
        callback.callbackUrl,
        options.callbackHosts,
        resolve,
      ).catch((error: NodeJS.ErrnoException) => {
        throw new SsfsCallbackError(
          'SSFS_CALLBACK_DNS',
          `could not resolve the callback host: ${error.code ?? error.message}`,
          true,
        );
      });
      if (!target.ok) {
        throw new SsfsCallbackError(
          'SSFS_CALLBACK_URL_REFUSED',
          `callbackUrl ${target.reason}`,
          false,
        );
      }
      const host = target.url.host;
      const parsed = flowCallBackSchema.safeParse({
        munchkinId: callback.munchkinId,
        token: callback.token,
        time: new Date(options.clock.now()).toISOString(),
        objectData: callback.objectData,
      });
      if (!parsed.success) {
        const where = parsed.error.issues[0]?.path.join('.') ?? '';
        throw new SsfsCallbackError(
          'SSFS_CALLBACK_INVALID',
          `invalid callback body at ${where}`,
          false,
        );
      }
      const body = parsed.data;

      let status: number;
      let text: string;
      let retryAfter: unknown;
      try {
        const response = await http.post<string>(target.url.toString(), JSON.stringify(body), {
          headers: {
            'Content-Type': 'application/json',
            'x-api-key': callback.apiCallBackKey,
            'x-callback-token': callback.token,
          },
          timeout,
          maxRedirects: 0,
          // Environment proxies would bypass the connect-time address check.
          proxy: false,
          responseType: 'text',
          // Marketo's answer is small; a cap that a 2xx never hits (an overflow would retry).
          maxContentLength: 1024 * 1024,
          validateStatus: () => true,
          ...(sendOptions.signal ? { signal: sendOptions.signal } : {}),
          ...(target.trustedAsWritten ? {} : { httpsAgent: guardedAgent }),
        });
        status = response.status;
        text = typeof response.data === 'string' ? response.data : '';
        retryAfter = response.headers['retry-after'];
      } catch (error) {
        // Only the code: an axios error carries the request headers, the callback key with them.
        const code = (error as { code?: string }).code ?? 'UNKNOWN';
        if (sendOptions.signal?.aborted) {
          throw new SsfsCallbackError(
            'SSFS_CALLBACK_STOPPED',
            `callback to ${host} aborted: the service is stopping`,
            true,
          );
        }
        if (code === LOOKUP_REFUSED) {
          throw new SsfsCallbackError(
            'SSFS_CALLBACK_URL_REFUSED',
            'callbackUrl resolves to a private, loopback or link-local address',
            false,
          );
        }
        throw new SsfsCallbackError(
          'SSFS_CALLBACK_NETWORK',
          `callback to ${host} failed: ${code}`,
          true,
        );
      }

      const outcome = classifyCallbackStatus(status);
      if (outcome === 'delivered') {
        logger.info({ host, status, records: body.objectData.length }, 'ssfs callback delivered');
        return { status };
      }
      const snippet = redact(text, [callback.token, callback.apiCallBackKey]).slice(0, 200);
      throw new SsfsCallbackError(
        outcome === 'retry' ? 'SSFS_CALLBACK_UNAVAILABLE' : 'SSFS_CALLBACK_REJECTED',
        `callback to ${host} answered ${status}${snippet ? `: ${snippet}` : ''}`,
        outcome === 'retry',
        status,
        outcome === 'retry' ? parseRetryAfterMs(retryAfter, options.clock.now()) : undefined,
      );
    },
  };
}

function redact(text: string, secrets: string[]): string {
  return secrets.reduce((t, s) => (s ? t.split(s).join('[redacted]') : t), text.trim());
}
