/**
 * The console's only HTTP code: the admin API and /console/session, same origin, with the
 * session cookie (HttpOnly, the browser sends it) and the CSRF token on every change. Errors
 * become ApiError with the API's `code`, `message`, `field` and every issue, so forms can show
 * each one beside its field.
 */
export interface FieldIssue {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | undefined,
    readonly issues: FieldIssue[],
    /** The whole JSON answer, for what an error carries beside itself (a 409's free slots). */
    readonly body: unknown = null,
  ) {
    super(message);
  }

  /** The message for one field (a path like `style.colours.primary`), if the API named it. */
  forField(field: string): string | undefined {
    const issue = this.issues.find((i) => i.field === field);
    if (issue) return issue.message;
    return this.field === field ? this.message : undefined;
  }
}

type Listener = () => void;

let csrfToken = '';
let expiresAt: number | null = null;
const expiryListeners = new Set<Listener>();
const signedOutListeners = new Set<Listener>();

export function setSession(session: { csrfToken: string; expiresAt: string } | null): void {
  csrfToken = session?.csrfToken ?? '';
  expiresAt = session ? Date.parse(session.expiresAt) : null;
  for (const l of expiryListeners) l();
}

export const sessionExpiry = {
  get: () => expiresAt,
  subscribe(listener: Listener) {
    expiryListeners.add(listener);
    return () => void expiryListeners.delete(listener);
  },
};

/** Called when the API says the session is gone (expired or signed out elsewhere). */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => void signedOutListeners.delete(listener);
}

async function toError(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as {
    error?: {
      code?: string;
      message?: string;
      field?: string;
      details?: { issues?: FieldIssue[] };
    };
  } | null;
  const e = body?.error;
  return new ApiError(
    res.status,
    e?.code ?? `HTTP_${res.status}`,
    e?.message ?? `The service answered ${res.status}.`,
    e?.field,
    e?.details?.issues ?? (e?.field ? [{ field: e.field, message: e.message ?? '' }] : []),
    body,
  );
}

/** A body sent as it is (e.g. a CSV upload) rather than as JSON. */
export class RawBody {
  constructor(
    readonly text: string,
    readonly contentType: string,
  ) {}
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body instanceof RawBody) headers['Content-Type'] = body.contentType;
  else if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined
        ? {}
        : { body: body instanceof RawBody ? body.text : JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(
      0,
      'NETWORK',
      'The service could not be reached: check it runs, then try again.',
      undefined,
      [],
    );
  }
  const renewed = res.headers.get('X-Console-Session-Expires');
  if (renewed) {
    expiresAt = Date.parse(renewed);
    for (const l of expiryListeners) l();
  }
  if (res.status === 401 && path.startsWith('/api/')) {
    for (const l of signedOutListeners) l();
  }
  if (!res.ok) throw await toError(res);
  if (res.status === 204 || (res.status === 202 && res.headers.get('Content-Length') === '0')) {
    return undefined as T;
  }
  return (await res.json()) as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body ?? {}),
  put: <T>(path: string, body: unknown) => call<T>('PUT', path, body),
  putText: <T>(path: string, text: string, contentType: string) =>
    call<T>('PUT', path, new RawBody(text, contentType)),
  patch: <T>(path: string, body: unknown) => call<T>('PATCH', path, body),
  del: <T>(path: string) => call<T>('DELETE', path),
};

/** A failure said for a person: what failed, and the API's own words on what to do. */
export function describeError(error: unknown, what: string): string {
  if (error instanceof ApiError) return `${what} failed: ${error.message}`;
  return `${what} failed: ${error instanceof Error ? error.message : String(error)}`;
}
