import type { ChatEvent, ResolveRequest, ResolveResponse } from '../chat-contract.js';
import type { CachedLook } from './visitor-memory.js';

/**
 * The widget's only HTTP code: POST /chat/resolve, GET /chat/config (with its ETag) and
 * POST /chat/events. Cross-origin by nature (the widget runs on the customer's site), so it
 * sends no cookies and the service must answer CORS: allow `Content-Type` and
 * `If-None-Match`, expose `ETag`.
 */

export type EventOutcome = { ok: true } | { ok: false; message: string };

export interface ChatApi {
  resolve(request: ResolveRequest): Promise<ResolveResponse>;
  /** The look and feel; `cached` is returned as is on 304 Not Modified. */
  look(cached: CachedLook | null): Promise<CachedLook>;
  /** Sends one event, in order after the previous ones, retrying with the same eventId. */
  sendEvent(event: ChatEvent): Promise<EventOutcome>;
}

export interface ChatApiDeps {
  /** The folder widget.js was loaded from, ending in `/`. */
  baseUrl: string;
  fetch: typeof fetch;
  sleep(ms: number): Promise<void>;
  /** Pauses between attempts of an event; one attempt more than there are delays. */
  retryDelaysMs?: number[];
}

export const GENERIC_ERROR = 'Sorry, that did not go through. Please try again.';

/** Network errors, 408, 429 and 5xx may pass on a later attempt; other 4xx never will. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

export function createChatApi(deps: ChatApiDeps): ChatApi {
  const url = (path: string) => new URL(path, deps.baseUrl).href;
  const delays = deps.retryDelaysMs || [500, 2000];
  const post = (path: string, body: unknown) =>
    deps.fetch(url(path), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      keepalive: true,
    });

  const deliver = async (event: ChatEvent): Promise<EventOutcome> => {
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      try {
        const res = await post('chat/events', event);
        if (res.ok) return { ok: true };
        status = res.status;
        if (!isRetryableStatus(status)) return { ok: false, message: await errorMessage(res) };
      } catch {
        // Network failure: retried below with the same eventId, so it is counted once.
      }
      const delay = delays[attempt];
      if (delay === undefined) return { ok: false, message: GENERIC_ERROR };
      await deps.sleep(delay);
    }
  };

  let queue: Promise<unknown> = Promise.resolve();
  return {
    async resolve(request) {
      const res = await post('chat/resolve', request);
      if (!res.ok) throw new Error(`POST /chat/resolve answered ${res.status}`);
      return (await res.json()) as ResolveResponse;
    },
    async look(cached) {
      // A manual If-None-Match makes fetch bypass the HTTP cache and hand us the 304.
      const headers: Record<string, string> =
        cached && cached.etag ? { 'If-None-Match': cached.etag } : {};
      const res = await deps.fetch(url('chat/config'), { headers, credentials: 'omit' });
      if (res.status === 304 && cached) return cached;
      if (!res.ok) throw new Error(`GET /chat/config answered ${res.status}`);
      const doc = (await res.json()) as { configuration: CachedLook['configuration'] };
      return { etag: res.headers.get('ETag'), configuration: doc.configuration };
    },
    sendEvent(event) {
      const outcome = queue.then(() => deliver(event));
      queue = outcome;
      return outcome;
    },
  };
}

/**
 * The service's `{ "error": { "message", "field" } }`, shown to the visitor (e.g. a blocked
 * email domain) without the `field: ` prefix the service puts in front of its messages.
 */
async function errorMessage(res: Response): Promise<string> {
  try {
    const error = ((await res.json()) as { error?: { message?: unknown; field?: unknown } }).error;
    let message = error && typeof error.message === 'string' ? error.message.trim() : '';
    if (error && typeof error.field === 'string' && message.startsWith(`${error.field}: `)) {
      message = message.slice(error.field.length + 2);
    }
    return message ? message.charAt(0).toUpperCase() + message.slice(1) : GENERIC_ERROR;
  } catch {
    return GENERIC_ERROR;
  }
}
