/** Identity refusing us: since when, and with which code. */
export interface IdentityRejection {
  /** MARKETO_AUTH_FAILED (401: bad client id or secret) or MARKETO_URL_NOT_FOUND. */
  code: string;
  /** Epoch ms of the first refusal in this run of refusals. */
  since: number;
}

/** The shortest and longest wait before work held by a refusal asks Identity again. */
export const IDENTITY_RETRY_MIN_MS = 5_000;
export const IDENTITY_RETRY_MAX_MS = 300_000;

/**
 * Pure: how long work that met a refusal waits before trying again, given how long the refusals
 * have lasted. As long again as they have lasted, so the waits double (5 s, 5 s, 10 s, 20 s...)
 * up to 5 minutes: an operator who mends the credentials sees the queue move within minutes,
 * and a refusal that lasts a weekend costs Identity one request every 5 minutes. Identity calls
 * are free (swagger-identity.json) but a 401 storm helps nobody.
 */
export function identityRetryMs(refusedForMs: number): number {
  return Math.min(IDENTITY_RETRY_MAX_MS, Math.max(IDENTITY_RETRY_MIN_MS, refusedForMs));
}

/**
 * What the token manager knows of Identity's state between requests: the failure in progress
 * (logged once when it starts or changes, not per request) and, for a refusal, since when.
 * A refusal is a configuration problem (credentials rotated, address misrouted): queued work
 * waits for it to end (the outbox holds its items), and /ready reports it.
 */
export class IdentityState {
  private failure: string | undefined;
  private failingSince = 0;
  private refusal: IdentityRejection | undefined;

  /** The refusal in progress, if the last conclusive answer was one. */
  get rejection(): IdentityRejection | undefined {
    return this.refusal;
  }

  /**
   * Records a failed request. `key` names the failure (code and status), `refused` says it is a
   * refusal. Returns whether the failure is new (log it loudly) and, for a refusal, its state.
   */
  failed(key: string, code: string, refused: boolean, now: number) {
    const isNew = this.failure !== key;
    if (this.failure === undefined) this.failingSince = now;
    this.failure = key;
    // An outage (network, 5xx) says nothing about the credentials: a refusal before it stands.
    if (refused && this.refusal?.code !== code) this.refusal = { code, since: now };
    return { isNew, rejection: refused ? this.refusal : undefined };
  }

  /** Records a token received; returns the failure it ends, if any, and how long it lasted. */
  succeeded(now: number): { after: string; failedForMs: number } | undefined {
    const ended = this.failure;
    const failedForMs = now - this.failingSince;
    this.failure = undefined;
    this.refusal = undefined;
    return ended === undefined ? undefined : { after: ended, failedForMs };
  }
}
