/**
 * The service's small error family. Every error that reaches HTTP is an AppError (or is
 * wrapped into one) and is mapped to `{ "error": { "code", "message", "field"? } }` in
 * exactly one place: src/http/error-handler.ts.
 */
export interface AppErrorOptions {
  httpStatus?: number;
  retryable?: boolean;
  field?: string;
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly retryable: boolean;
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = options.httpStatus ?? 500;
    this.retryable = options.retryable ?? false;
    this.field = options.field;
    this.details = options.details;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, field?: string, details?: Record<string, unknown>) {
    super('VALIDATION_FAILED', message, { httpStatus: 400, field, details });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication required') {
    super('UNAUTHORIZED', message, { httpStatus: 401 });
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('NOT_FOUND', message, { httpStatus: 404 });
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, { httpStatus: 409 });
  }
}

/** The store refused to open or to write (lock held, corrupt file, disk error). */
export class StoreError extends AppError {
  constructor(code: string, message: string, cause?: unknown) {
    super(code, message, { httpStatus: 503, cause });
  }
}
