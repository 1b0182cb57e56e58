import { AppError } from '../../errors.js';

/**
 * Why a connection to PostgreSQL failed, in words an operator can act on. The server's own
 * reason is kept ("role "x" does not exist"): dropping it (issue 10 review) left only "The
 * database refused migrations". The server never echoes the password, and neither do we: no
 * message here is built from the connection string.
 * https://www.postgresql.org/docs/current/errcodes-appendix.html
 */
export type ConnectionFailureKind = 'unreachable' | 'login_refused' | 'database_missing';

export interface ConnectionFailure {
  kind: ConnectionFailureKind;
  /** The server's or the driver's reason, with what to do about it where that is clear. */
  reason: string;
}

/** The start-up error code for each kind (README, "PostgreSQL"). */
export const START_ERROR_CODES: Record<ConnectionFailureKind, string> = {
  unreachable: 'DATABASE_UNREACHABLE',
  login_refused: 'DATABASE_LOGIN_REFUSED',
  database_missing: 'DATABASE_MISSING',
};

interface ErrorFields {
  code?: unknown;
  message?: unknown;
}

/** The database name out of 'database "x" does not exist'. */
function missingDatabaseName(message: string): string | undefined {
  return /database "([^"]+)" does not exist/.exec(message)?.[1];
}

/**
 * The refusal a SQLSTATE of the connection start stands for, or undefined when `error` is not
 * one: class 28 (the login), 3D000 (no such database), class 08 (the connection) and 57P0x
 * (the server shutting down or starting up) and 53300 (no connection left).
 */
export function describeConnectionFailure(error: unknown): ConnectionFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as ErrorFields;
  const text = typeof message === 'string' ? message : '';
  if (typeof code !== 'string') {
    // pg's own text when the server asks for a password (SCRAM) and the URL has none.
    if (text.includes('client password must be a string')) {
      return {
        kind: 'login_refused',
        reason: 'the server asks for a password and DATABASE_URL gives none',
      };
    }
    return undefined;
  }
  if (code === '28P01') {
    return { kind: 'login_refused', reason: `${text} (28P01): check the password in the URL` };
  }
  if (code.startsWith('28')) {
    const hint = text.includes('no PostgreSQL user name')
      ? ': put the user in the URL (postgres://user@host:5432/db)'
      : text.includes('pg_hba.conf')
        ? ': the server allows no login from this host as this user (pg_hba.conf)'
        : '';
    return { kind: 'login_refused', reason: `${text} (${code})${hint}` };
  }
  if (code === '3D000') {
    const name = missingDatabaseName(text);
    const create = name === undefined ? 'create it' : `create it with \`createdb ${name}\``;
    return { kind: 'database_missing', reason: `${text} (3D000): ${create}` };
  }
  if (code.startsWith('08')) return { kind: 'unreachable', reason: `${text} (${code})` };
  if (code === '57P01' || code === '57P02' || code === '57P03') {
    return { kind: 'unreachable', reason: `the server is shutting down or starting up: ${text}` };
  }
  if (code === '53300') {
    return { kind: 'unreachable', reason: `the server has no connection left: ${text}` };
  }
  return undefined;
}

/**
 * The error that stops a start (or `npm run migrate`) when PostgreSQL at `shown` (the URL
 * without its password) cannot be used. The message begins with its code, which the operator
 * sees first and the README names; `next` says what to do when the database is out of reach.
 */
export function databaseStartError(
  shown: string,
  failure: ConnectionFailure,
  cause: unknown,
  next = '',
): AppError {
  const code = START_ERROR_CODES[failure.kind];
  const where = `PostgreSQL at ${shown} (DATABASE_URL)`;
  const message =
    failure.kind === 'login_refused'
      ? `${code}: ${where} refused the login: ${failure.reason}`
      : failure.kind === 'database_missing'
        ? `${code}: ${where} has no such database: ${failure.reason}`
        : `${code}: ${where} is unreachable: ${failure.reason}${next === '' ? '' : `. ${next}`}`;
  return new AppError(code, message, { cause });
}
