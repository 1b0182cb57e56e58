import { apiErrorBodySchema, oauthErrorBodySchema } from './google-wire.js';
import { parseRetryAfterMs, type GoogleFailure } from './google-retry-policy.js';

/**
 * A failed exchange with Google, reduced to what the retry rule and the error message need.
 *
 * The libraries throw GaxiosErrors whose `config` holds the request: the Authorization header
 * (access token), the form body of a token request (refresh token, client secret, code
 * verifier) and the revoke URL (`?token=`). Such an error must never reach a log or an error
 * chain, so it is read here and dropped; only this stripped copy travels on as a `cause`.
 */
export class GoogleHttpFailure extends Error implements GoogleFailure {
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly network: boolean;
  readonly retryAfterMs: number | undefined;
  /** Requests sent before giving up (set by sendWithRetries). */
  attempts = 1;

  constructor(fields: {
    message: string;
    status?: number;
    reason?: string;
    network: boolean;
    retryAfterMs?: number;
  }) {
    super(fields.message);
    this.name = 'GoogleHttpFailure';
    this.status = fields.status;
    this.reason = fields.reason;
    this.network = fields.network;
    this.retryAfterMs = fields.retryAfterMs;
  }

  /** `503 backendError: The service is unavailable.`, `network error (ECONNRESET)`. */
  describe(): string {
    if (this.status === undefined) return this.message;
    const reason = this.reason === undefined ? '' : ` ${this.reason}`;
    return `${this.status}${reason}: ${this.message}`;
  }
}

/**
 * Reads a thrown value from gaxios (used by @googleapis/calendar and google-auth-library).
 * Returns `undefined` for anything else (a bug of ours), which the caller rethrows as is.
 */
export function toGoogleHttpFailure(error: unknown, now: number): GoogleHttpFailure | undefined {
  if (error instanceof GoogleHttpFailure) return error;
  // Duck-typed: googleapis-common and google-auth-library may each bring their own gaxios
  // copy, so `instanceof GaxiosError` is not reliable. Every GaxiosError carries `config`.
  if (typeof error !== 'object' || error === null || !('config' in error)) return undefined;
  const response = 'response' in error ? error.response : undefined;
  const status = readNumber(response, 'status');
  if (status === undefined) {
    const code = 'code' in error ? error.code : undefined;
    const label = typeof code === 'string' || typeof code === 'number' ? ` (${code})` : '';
    return new GoogleHttpFailure({ message: `network error${label}`, network: true });
  }
  const data = readProperty(response, 'data');
  const { reason, message } = readErrorBody(typeof data === 'string' ? tryJson(data) : data);
  return new GoogleHttpFailure({
    message: message ?? `HTTP ${status}`,
    status,
    reason,
    network: false,
    retryAfterMs: parseRetryAfterMs(readHeader(response, 'retry-after'), now),
  });
}

function readErrorBody(data: unknown): { reason?: string; message?: string } {
  const api = apiErrorBodySchema.safeParse(data);
  if (api.success) {
    return { reason: api.data.error.errors?.[0]?.reason, message: api.data.error.message };
  }
  const oauth = oauthErrorBodySchema.safeParse(data);
  if (oauth.success) {
    return { reason: oauth.data.error, message: oauth.data.error_description ?? oauth.data.error };
  }
  return {};
}

function readProperty(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string, unknown>)[key];
}

function readNumber(value: unknown, key: string): number | undefined {
  const found = readProperty(value, key);
  return typeof found === 'number' ? found : undefined;
}

/** gaxios 7 gives fetch `Headers`; older shapes are plain objects. */
function readHeader(response: unknown, name: string): string | undefined {
  const headers = readProperty(response, 'headers');
  if (typeof headers !== 'object' || headers === null) return undefined;
  if ('get' in headers && typeof headers.get === 'function') {
    const value: unknown = headers.get(name);
    return typeof value === 'string' ? value : undefined;
  }
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
