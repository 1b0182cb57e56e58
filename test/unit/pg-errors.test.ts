import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { describeDatabaseUrl } from '../../src/open-store.js';
import { databaseStartError } from '../../src/store/postgres/pg-connection-errors.js';
import { mapPgError, StoreUnavailableError } from '../../src/store/postgres/pg-errors.js';

// Issue 10 review: a refused login or a missing database printed only "The database refused
// migrations". Each SQLSTATE of a failed connection start maps to a start-up code and a message
// that keeps the server's reason, and no message ever holds the password.

const PASSWORD = 'pw-never-shown-7f3a';
// The URL as the start-up shows it: built from one with the password, which it drops.
const SHOWN = describeDatabaseUrl(`postgres://app:${PASSWORD}@127.0.0.1:5432/crm`);

/** What pg throws for an ErrorResponse from the server. */
function serverError(code: string, message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

function startMessage(error: unknown): { code: string; message: string } {
  const mapped = mapPgError(error, 'migrations');
  expect(mapped).toBeInstanceOf(StoreUnavailableError);
  const failure = (mapped as StoreUnavailableError).failure;
  const started = databaseStartError(SHOWN, failure, mapped, 'Start it.');
  return { code: started.code, message: started.message };
}

const table: [string, unknown, string, string[]][] = [
  [
    '28000, a role that does not exist',
    serverError('28000', 'role "app" does not exist'),
    'DATABASE_LOGIN_REFUSED',
    ['refused the login', 'role "app" does not exist', '28000'],
  ],
  [
    '28P01, a wrong password',
    serverError('28P01', 'password authentication failed for user "app"'),
    'DATABASE_LOGIN_REFUSED',
    ['password authentication failed for user "app"', 'check the password'],
  ],
  [
    '28000, no user name',
    serverError('28000', 'no PostgreSQL user name specified in startup packet'),
    'DATABASE_LOGIN_REFUSED',
    ['no PostgreSQL user name', 'put the user in the URL'],
  ],
  [
    '28000, no pg_hba.conf entry',
    serverError('28000', 'no pg_hba.conf entry for host "10.0.0.9", user "app", database "crm"'),
    'DATABASE_LOGIN_REFUSED',
    ['no pg_hba.conf entry', 'pg_hba.conf'],
  ],
  [
    'no password given where SCRAM wants one',
    new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'),
    'DATABASE_LOGIN_REFUSED',
    ['asks for a password'],
  ],
  [
    '3D000, a missing database',
    serverError('3D000', 'database "crm" does not exist'),
    'DATABASE_MISSING',
    ['database "crm" does not exist', '`createdb crm`'],
  ],
  [
    '08006, a connection failure',
    serverError('08006', 'connection failure'),
    'DATABASE_UNREACHABLE',
    ['is unreachable', 'connection failure (08006)', 'Start it.'],
  ],
  [
    '57P03, the server starting up',
    serverError('57P03', 'the database system is starting up'),
    'DATABASE_UNREACHABLE',
    ['shutting down or starting up', 'the database system is starting up'],
  ],
  [
    '57P01, an administrator shutdown',
    serverError('57P01', 'terminating connection due to administrator command'),
    'DATABASE_UNREACHABLE',
    ['terminating connection due to administrator command'],
  ],
  [
    'ECONNREFUSED, nothing listening',
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    'DATABASE_UNREACHABLE',
    ['connect ECONNREFUSED 127.0.0.1:5432'],
  ],
  [
    'an AggregateError, every address refused',
    new AggregateError(
      [
        Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' }),
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      ],
      '',
    ),
    'DATABASE_UNREACHABLE',
    ['connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432'],
  ],
];

describe('PostgreSQL connection failures', () => {
  it.each(table)(
    'when the start fails with %s, then the message begins with its code and keeps the reason',
    (_, error, code, parts) => {
      const started = startMessage(error);

      expect(SHOWN).toBe('postgres://app@127.0.0.1:5432/crm');
      expect(started.code).toBe(code);
      expect(started.message.startsWith(`${code}: PostgreSQL at ${SHOWN} (DATABASE_URL)`)).toBe(
        true,
      );
      for (const part of parts) expect(started.message).toContain(part);
      expect(started.message).not.toContain(PASSWORD);
    },
  );

  it('when a refusal happens while the service runs, then callers get 503 STORE_UNAVAILABLE (retryable) with the reason in the message only', () => {
    const mapped = mapPgError(
      serverError('28P01', 'password authentication failed for user "app"'),
      'a read of leads',
    );

    expect(mapped).toMatchObject({ code: 'STORE_UNAVAILABLE', httpStatus: 503, retryable: true });
    expect((mapped as Error).message).toContain('password authentication failed for user "app"');
    expect((mapped as Error).message).not.toContain(PASSWORD);
  });

  it('when the database refuses a query for another reason, then it stays STORE_QUERY_FAILED (500)', () => {
    const mapped = mapPgError(serverError('42P01', 'relation "x" does not exist'), 'a read');

    expect(mapped).toMatchObject({ code: 'STORE_QUERY_FAILED', httpStatus: 500 });
  });
});
