import pg from 'pg';
import { AppError, ConflictError, StoreError } from '../../errors.js';
import { describeConnectionFailure, type ConnectionFailure } from './pg-connection-errors.js';

/**
 * PostgreSQL errors as the service's error family. The rule (issue 10): a store that cannot be
 * reached answers STORE_UNAVAILABLE (HTTP 503, retryable), never a false 2xx; a constraint the
 * database enforces answers the code the lowdb store gives for the same refusal.
 */

/** Node socket errors and pg's own texts for a connection that is gone or never came. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/**
 * SQLSTATE classes 08 (connection exception), 57P0x (admin or crash shutdown, cannot connect
 * now), 53300 (too many connections), 3D000 (the database does not exist, e.g. dropped).
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '3D000']);
const CONNECTION_TEXTS = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
  'connect ECONNREFUSED',
  // pg's query_timeout (pg-pool.ts): the database did not answer in time.
  'Query read timeout',
];

/** SQLSTATEs of a value the database cannot hold (a NUL in text or jsonb, a bad number). */
const INVALID_VALUE_STATES = new Set(['22P05', '22P02', '22021', '22003', '22023']);

interface PgErrorFields {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
}

function fields(error: unknown): PgErrorFields {
  return typeof error === 'object' && error !== null ? (error as PgErrorFields) : {};
}

/** True when `error` says the database is out of reach (not that it refused the query). */
export function isConnectionError(error: unknown): boolean {
  // Already mapped (a query inside a transaction): the same outage.
  if (error instanceof StoreUnavailableError) return true;
  const { code, message } = fields(error);
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) {
    return true;
  }
  if (typeof code === 'string' && UNAVAILABLE_STATES.has(code)) return true;
  // Class 28 too, the login refused: this database cannot be used either, and the start-up
  // names why (pg-connection-errors.ts). Was STORE_QUERY_FAILED, "The database refused ...".
  if (describeConnectionFailure(error) !== undefined) return true;
  if (typeof message === 'string' && CONNECTION_TEXTS.some((text) => message.includes(text))) {
    return true;
  }
  // AggregateError (several addresses tried): unavailable when every attempt was.
  const nested = (error as { errors?: unknown }).errors;
  return Array.isArray(nested) && nested.length > 0 && nested.every(isConnectionError);
}

/**
 * A database out of reach: 503, and retryable. A StoreError, because its message carries the
 * driver's reason, which names the database's address ("connect ECONNRESET 10.0.0.5:5432"): the
 * log and the operator get it, a caller gets the error handler's generic text and the code.
 */
export class StoreUnavailableError extends StoreError {
  override readonly retryable = true;

  /** Why, for the start-up's message: out of reach, the login refused, no such database. */
  readonly failure: ConnectionFailure;

  constructor(message: string, cause: unknown, failure?: ConnectionFailure) {
    super('STORE_UNAVAILABLE', message, cause);
    this.failure = failure ?? { kind: 'unreachable', reason: driverReason(cause) };
  }
}

/** The driver's text; an AggregateError (every address refused) has none of its own. */
function driverReason(cause: unknown): string {
  const message = fields(cause).message;
  if (typeof message === 'string' && message !== '') return message;
  const nested = (cause as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(nested)) return nested.map(driverReason).filter(Boolean).join('; ');
  return '';
}

export function storeUnavailable(what: string, cause: unknown): AppError {
  const failure = describeConnectionFailure(cause) ?? {
    kind: 'unreachable',
    reason: driverReason(cause),
  };
  return new StoreUnavailableError(
    `The database is unavailable (${what}${failure.reason === '' ? '' : `: ${failure.reason}`})`,
    cause,
    failure,
  );
}

/** Maps a unique or exclusion constraint's name to the refusal callers know. */
export type ConstraintErrors = Record<string, () => AppError>;

/**
 * The error to throw for `error`, raised while doing `what`. Only the database's and the
 * driver's errors are mapped: anything else (an AppError of our own, whatever a caller's
 * decision function threw inside a transaction) passes unchanged, as the interfaces promise.
 */
export function mapPgError(
  error: unknown,
  what: string,
  constraints: ConstraintErrors = {},
): unknown {
  if (error instanceof AppError) return error;
  if (isConnectionError(error)) return storeUnavailable(what, error);
  if (!(error instanceof pg.DatabaseError)) return error;
  const { code, constraint } = fields(error);
  if (typeof constraint === 'string' && constraints[constraint] !== undefined) {
    const mapped = constraints[constraint]();
    return mapped;
  }
  // Deadlock or serialization failure: the database undid this transaction; a retry succeeds.
  if (code === '40P01' || code === '40001') {
    return new AppError('STORE_BUSY', `The database undid ${what} (contention); retry`, {
      httpStatus: 503,
      retryable: true,
      cause: error,
    });
  }
  if (code === '23P01') {
    return new ConflictError('SLOT_TAKEN', `The slot is taken (${what})`);
  }
  if (typeof code === 'string' && INVALID_VALUE_STATES.has(code)) {
    return new StoreError(
      'STORE_INVALID_RECORD',
      `Invalid ${what} refused, nothing written: ${String(fields(error).message)}`,
      error,
    );
  }
  // Not our error family: a bug or an unexpected state; 500, not retryable.
  return new AppError('STORE_QUERY_FAILED', `The database refused ${what}`, { cause: error });
}
