import type { z } from 'zod';
import { MarketoApiError } from './marketo-error.js';
import type { MarketoRequest } from './marketo-request.js';
import type { MarketoFailure } from './retry-policy.js';
import { envelopeSchema } from './wire-schemas.js';

/** What came back over HTTP, whatever the status. */
export interface HttpAnswer {
  status: number;
  contentType: string;
  /** HTTP Date header. */
  date: string | undefined;
  body: Buffer;
}

/** A failure before classification (idempotency is added by the transport). */
export type FailureInfo = Omit<MarketoFailure, 'idempotent'> & {
  requestId?: string;
  /** Every error code of the answer, for stats. */
  codes?: string[];
};

export type Interpretation<T> = { ok: true; value: T } | { ok: false; failure: FailureInfo };

export interface JsonAnswer<T> {
  result: T;
  moreResult: boolean;
  nextPageToken: string | undefined;
  requestId: string | undefined;
  /** Marketo's clock (HTTP Date header), epoch ms. */
  serverTime: number | undefined;
}

/**
 * Reads a JSON envelope. Marketo answers most errors with HTTP 200 and
 * `{ success:false, errors:[{ code:"606", ... }] }` (help/rest-api/error-codes.md): those and
 * HTTP errors become failures to classify; a body we cannot trust becomes BAD_RESPONSE.
 */
export function readJsonAnswer<S extends z.ZodType>(
  req: MarketoRequest,
  answer: HttpAnswer,
  schema: S,
): Interpretation<JsonAnswer<z.output<S>>> {
  const envelope = envelopeSchema.safeParse(parseJson(answer.body));
  const failure = envelopeFailure(answer, envelope);
  if (failure !== undefined) return { ok: false, failure };
  if (!envelope.success) {
    throw badResponse(req, 'the answer is not a Marketo JSON envelope', envelope.error);
  }
  const { requestId } = envelope.data;
  const result = schema.safeParse(envelope.data.result);
  if (!result.success) throw badResponse(req, 'unexpected result', result.error, requestId);
  const serverTime = answer.date === undefined ? Number.NaN : Date.parse(answer.date);
  return {
    ok: true,
    value: {
      result: result.data as z.output<S>,
      moreResult: envelope.data.moreResult ?? false,
      nextPageToken: envelope.data.nextPageToken,
      requestId,
      serverTime: Number.isFinite(serverTime) ? serverTime : undefined,
    },
  };
}

/**
 * Reads a bulk export file: raw bytes. HTTP 404 with plain text means the job has no file yet
 * or the id is unknown (help/rest-api/bulk-extract.md); a JSON envelope in place of the file
 * carries an API error (e.g. a 601 token error).
 */
export function readFileAnswer(req: MarketoRequest, answer: HttpAnswer): Interpretation<Buffer> {
  if (answer.status === 404) {
    throw new MarketoApiError(
      'MARKETO_EXPORT_NOT_READY',
      `Marketo ${req.endpoint}: no file for this export yet, or unknown export id (HTTP 404)`,
      { endpoint: req.endpoint, upstreamStatus: 404, action: 'fatal', retryable: true },
    );
  }
  const looksJson =
    answer.contentType.includes('json') || (answer.contentType === '' && answer.body[0] === 0x7b);
  const failure =
    looksJson || !isOk(answer.status)
      ? envelopeFailure(answer, envelopeSchema.safeParse(parseJson(answer.body)))
      : undefined;
  return failure === undefined ? { ok: true, value: answer.body } : { ok: false, failure };
}

/** Wire drift: fatal, and names only issue paths (never values, which may be personal data). */
export function badResponse(
  req: Pick<MarketoRequest, 'endpoint'>,
  what: string,
  error?: z.ZodError,
  requestId?: string,
): MarketoApiError {
  const issues = error?.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const detail = issues === undefined ? '' : ` (${issues.join('; ')})`;
  return new MarketoApiError('MARKETO_BAD_RESPONSE', `Marketo ${req.endpoint}: ${what}${detail}`, {
    endpoint: req.endpoint,
    requestId,
    action: 'fatal',
    details: issues === undefined ? undefined : { issues },
  });
}

const isOk = (status: number) => status >= 200 && status < 300;

/** The failure an answer reports (HTTP error or `success:false`), or undefined if none. */
function envelopeFailure(
  answer: HttpAnswer,
  envelope: ReturnType<typeof envelopeSchema.safeParse>,
): FailureInfo | undefined {
  const data = envelope.success ? envelope.data : undefined;
  const first = data?.errors?.[0];
  const info = {
    marketoCode: first?.code,
    message: first?.message,
    requestId: data?.requestId,
    codes: data?.errors?.map((e) => e.code),
  };
  if (!isOk(answer.status)) return { ...info, httpStatus: answer.status };
  if (data?.success === false) return { ...info, message: first?.message ?? 'success:false' };
  return undefined;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Record-level results (Sync Leads, Add Custom Activities) come one per input, in input order
 * (help/rest-api/error-codes.md); any other count means we cannot tell which record failed.
 */
export function checkRecordResults<R extends { errors?: Array<{ code: string }> }>(
  req: MarketoRequest,
  answer: JsonAnswer<R[]>,
  expected: number,
  countError: (code: string) => void,
): R[] {
  if (answer.result.length !== expected) {
    const what = `${answer.result.length} results for ${expected} records`;
    throw badResponse(req, what, undefined, answer.requestId);
  }
  answer.result.forEach((r) => r.errors?.forEach((e) => countError(e.code)));
  return answer.result;
}
