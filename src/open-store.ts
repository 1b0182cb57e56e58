import {
  databaseLocation,
  dataFileLocation,
  type bindStoreToInstance,
} from './bind-store-instance.js';
import type { Config } from './config.js';
import type { Clock } from './deps.js';
import { AppError } from './errors.js';
import type { Logger } from './logger.js';
import { createJsonFileStore } from './store/index.js';
import { databaseStartError } from './store/postgres/pg-connection-errors.js';
import { StoreUnavailableError } from './store/postgres/pg-errors.js';
import { createPostgresStore } from './store/postgres/postgres-store.js';
import type { Store } from './store/types.js';

type StoreLocation = Pick<Parameters<typeof bindStoreToInstance>[2], 'location' | 'afresh'>;

/**
 * The store the configuration names: PostgreSQL with DATABASE_URL (migrated on open, safe with
 * replicas starting at once), else the JSON file at DATA_FILE (which takes the file's lock).
 * A database that cannot be used stops the start with an error whose message begins with its
 * code (DATABASE_UNREACHABLE, DATABASE_LOGIN_REFUSED, DATABASE_MISSING), names DATABASE_URL and
 * its host, and keeps the server's reason.
 */
export async function openStore(
  config: Pick<Config, 'dataFile' | 'databaseUrl'>,
  deps: { logger: Logger; clock: Clock },
): Promise<{ store: Store } & StoreLocation> {
  if (config.databaseUrl === undefined) {
    const store = await createJsonFileStore({ file: config.dataFile, ...deps });
    return { store, ...dataFileLocation(config.dataFile) };
  }
  const shown = describeDatabaseUrl(config.databaseUrl);
  try {
    const store = await createPostgresStore({
      connectionString: config.databaseUrl,
      logger: deps.logger,
    });
    deps.logger.info({ database: shown }, 'store: PostgreSQL');
    return { store, ...databaseLocation(shown) };
  } catch (error) {
    if (error instanceof AppError && error.code === 'STORE_UNAVAILABLE') {
      const failure =
        error instanceof StoreUnavailableError
          ? error.failure
          : { kind: 'unreachable' as const, reason: error.message };
      throw databaseStartError(
        shown,
        failure,
        error,
        'Start it, or unset DATABASE_URL to use the JSON file at DATA_FILE.',
      );
    }
    throw error;
  }
}

/** The URL without its password, for logs and errors. */
export function describeDatabaseUrl(url: string): string {
  const parsed = new URL(url);
  const user = parsed.username === '' ? '' : `${parsed.username}@`;
  return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
}
