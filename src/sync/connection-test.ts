import type { MarketoApi } from '../clients/marketo/types.js';
import type { Clock } from '../deps.js';
import { AppError } from '../errors.js';

export type ConnectionTest =
  | { ok: true; checkedAt: string }
  | { ok: false; checkedAt: string; error: { code: string; message: string } };

/**
 * POST /api/marketo/connection-test: asks Marketo's Identity service for a fresh access token
 * with the configured credentials. Identity calls are not counted against the daily API quota
 * (swagger-identity.json), so the test costs nothing of the budget. A refusal is the test's
 * answer (200, `ok: false` with the code and what to check), not an error of the request.
 */
export async function testMarketoConnection(deps: {
  marketo: MarketoApi;
  clock: Clock;
}): Promise<ConnectionTest> {
  const checkedAt = () => new Date(deps.clock.now()).toISOString();
  if (deps.marketo.checkConnection === undefined) {
    throw new AppError('NOT_SUPPORTED', 'This Marketo client cannot test its connection', {
      httpStatus: 501,
    });
  }
  try {
    await deps.marketo.checkConnection();
    return { ok: true, checkedAt: checkedAt() };
  } catch (error) {
    return {
      ok: false,
      checkedAt: checkedAt(),
      error: {
        code: error instanceof AppError ? error.code : 'MARKETO_CONNECTION_FAILED',
        message: error instanceof Error ? error.message : String(error),
      },
    };
  }
}
