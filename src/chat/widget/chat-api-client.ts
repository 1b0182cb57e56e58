import type { PublicMeeting, SlotsResponse } from '../../meetings/booking-contract.js';
import type {
  BranchRequest,
  BranchResponse,
  ResolveRequest,
  ResolveResponse,
} from '../../records/chat-widget-api.js';
import type { ChatEvent } from '../../records/chat-event.js';
import type { CachedLook } from './visitor-memory.js';

/**
 * The widget's only HTTP code: POST /chat/resolve, GET /chat/config (with its ETag),
 * POST /chat/events, and the booking calls (GET /chat/slots, POST /chat/meetings and the
 * visitor's own meeting links, POST /chat/branch for condition cards). Cross-origin by nature (the widget runs on the customer's
 * site), so it sends no cookies and the service must answer CORS: allow `Content-Type` and
 * `If-None-Match`, expose `ETag`. Retries happen here only, in `attempt`.
 */

/** A refusal names the field the service blamed (e.g. `answers.phone`), when it did. */
export type EventOutcome = { ok: true } | { ok: false; message: string; field?: string };

export type SlotsOutcome = { ok: true; slots: SlotsResponse } | { ok: false; message: string };

/** What a booking or a cancellation came to. */
export type MeetingOutcome =
  | { kind: 'ok'; meeting: PublicMeeting }
  /** 409 SLOT_TAKEN: the booking route sends the fresh slots of that day along. */
  | { kind: 'taken'; message: string; slots?: SlotsResponse }
  /** Any other refusal (400, 503, retries spent), with the message to show. */
  | { kind: 'refused'; message: string };

export interface BookingInput {
  start: string;
  email: string;
  name: string;
  timeZone: string;
  /** The same key on every retry of one attempt (slot-picker.ts createAttemptKeys). */
  idempotencyKey: string;
  dialogueId: string;
  conversationId: string;
  anonymousId: string;
  /** The agent a booking card names; round robin when absent. */
  agentEmail?: string;
  /** The `_mkto_trk` cookie, as resolve sends it: proves the lead whose fields may route. */
  mktoTrk?: string;
  /** The meeting type the visitor picked (the slots were asked with it). */
  meetingType?: string;
}

export interface ChatApi {
  resolve(request: ResolveRequest): Promise<ResolveResponse>;
  /** The look and feel; `cached` is returned as is on 304 Not Modified. */
  look(cached: CachedLook | null): Promise<CachedLook>;
  /** Sends one event, in order after the previous ones, retrying with the same eventId. */
  sendEvent(event: ChatEvent): Promise<EventOutcome>;
  slots(query: {
    from: string;
    days: number;
    timeZone: string;
    agentEmail?: string;
    meetingType?: string;
    /** The domain of the email the visitor gave: their account agent's times (account routing). */
    domain?: string;
  }): Promise<SlotsOutcome>;
  book(input: BookingInput): Promise<MeetingOutcome>;
  /** POSTs to the booked meeting's cancelUrl. */
  cancelMeeting(cancelUrl: string): Promise<MeetingOutcome>;
  /** Where a condition card leads; null when the service could not be asked or refused. */
  branch(request: BranchRequest): Promise<BranchResponse | null>;
}

export interface ChatApiDeps {
  /** The folder widget.js was loaded from, ending in `/`. */
  baseUrl: string;
  fetch: typeof fetch;
  sleep(ms: number): Promise<void>;
  /** Pauses between attempts of a call; one attempt more than there are delays. */
  retryDelaysMs?: number[];
  /** Shown when the service gave no message of its own: in the visitor's language. */
  genericError?: string;
}

export const GENERIC_ERROR = 'Sorry, that did not go through. Please try again.';

/** No answer (0), 408, 429 and 5xx may pass on a later attempt; other 4xx never will. */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/**
 * A booking call (status 0: no answer) is retried with its key when it may pass later. A 503
 * is the booking service's verdict (calendar down, no agent free): the visitor reads its
 * message and books again themselves. BOOKING_IN_PROGRESS: the first try is still running.
 */
export function isRetryableBooking(status: number, code?: unknown): boolean {
  return (isRetryableStatus(status) && status !== 503) || code === 'BOOKING_IN_PROGRESS';
}

interface Answer {
  /** 0 when no answer came. */
  status: number;
  body: unknown;
}

export function createChatApi(deps: ChatApiDeps): ChatApi {
  const url = (path: string) => new URL(path, deps.baseUrl).href;
  const delays = deps.retryDelaysMs || [500, 2000];
  const generic = deps.genericError || GENERIC_ERROR;
  const messageOf = (body: unknown) => messageIn(body, generic);
  const post = (path: string, body: unknown) => () =>
    deps.fetch(url(path), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'omit',
      keepalive: true,
    });

  /** The one retry loop: the same request (same eventId or key) until `retry` says stop. */
  const attempt = async (
    send: () => Promise<Response>,
    retry: (status: number, code?: unknown) => boolean,
  ): Promise<Answer> => {
    for (let i = 0; ; i++) {
      let answer: Answer = { status: 0, body: null };
      try {
        const res = await send();
        answer = { status: res.status, body: await res.json().catch(() => null) };
      } catch {
        // No answer: the request may or may not have arrived, so it goes again unchanged.
      }
      const delay = delays[i];
      if (answer.status >= 200 && answer.status < 300) return answer;
      if (delay === undefined || !retry(answer.status, errorOf(answer.body).code)) return answer;
      await deps.sleep(delay);
    }
  };

  const meetingCall = async (send: () => Promise<Response>): Promise<MeetingOutcome> => {
    const { status, body } = await attempt(send, isRetryableBooking);
    const meeting = (body as { meeting?: PublicMeeting } | null)?.meeting;
    if (status < 300 && meeting) return { kind: 'ok', meeting };
    const { code } = errorOf(body);
    if (status === 409 && code === 'SLOT_TAKEN') {
      const slots = (body as { slots?: SlotsResponse }).slots;
      return { kind: 'taken', message: messageOf(body), ...(slots ? { slots } : {}) };
    }
    return { kind: 'refused', message: messageOf(body) };
  };

  let queue: Promise<unknown> = Promise.resolve();
  return {
    async resolve(request) {
      const res = await post('chat/resolve', request)();
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
      const outcome = queue.then(async (): Promise<EventOutcome> => {
        const { status, body } = await attempt(post('chat/events', event), isRetryableStatus);
        if (status >= 200 && status < 300) return { ok: true };
        const { field } = errorOf(body);
        return {
          ok: false,
          message: messageOf(body),
          ...(typeof field === 'string' ? { field } : {}),
        };
      });
      queue = outcome;
      return outcome;
    },
    async slots(query) {
      const search = new URLSearchParams();
      for (const [key, value] of Object.entries(query))
        if (value !== undefined) search.set(key, String(value));
      const { status, body } = await attempt(
        () => deps.fetch(url(`chat/slots?${search}`), { credentials: 'omit' }),
        isRetryableStatus,
      );
      return status === 200
        ? { ok: true, slots: body as SlotsResponse }
        : { ok: false, message: messageOf(body) };
    },
    book(input) {
      return meetingCall(post('chat/meetings', input));
    },
    cancelMeeting(cancelUrl) {
      return meetingCall(post(cancelUrl, {}));
    },
    async branch(request) {
      // Retried like an event; a condition that cannot be asked follows its `otherwise`.
      const { status, body } = await attempt(post('chat/branch', request), isRetryableStatus);
      const next = (body as { next?: unknown } | null)?.next;
      return status === 200 && (next === null || typeof next === 'string') ? { next } : null;
    },
  };
}

function errorOf(body: unknown): { code?: unknown; message?: unknown; field?: unknown } {
  const error = body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  return error && typeof error === 'object' ? error : {};
}

/**
 * The service's `{ "error": { "message", "field" } }`, shown to the visitor (e.g. a blocked
 * email domain) without the `field: ` prefix the service puts in front of its messages.
 */
function messageIn(body: unknown, generic: string): string {
  const { message, field } = errorOf(body);
  let text = typeof message === 'string' ? message.trim() : '';
  if (typeof field === 'string' && text.startsWith(`${field}: `))
    text = text.slice(field.length + 2);
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : generic;
}
