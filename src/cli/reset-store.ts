import dotenv from 'dotenv';
import { ConfigError, loadConfig } from '../config.js';
import { systemClock } from '../deps.js';
import { AppError } from '../errors.js';
import { moveStoreAside } from '../store/move-store-aside.js';

/**
 * `npm run reset-store`: moves DATA_FILE aside (nothing is deleted) so the next start begins
 * with an empty store, e.g. after the sandbox demo, before connecting a real Marketo instance.
 * Refused while the service or a sync holds the store.
 */
async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  const config = loadConfig(process.env);
  const aside = await moveStoreAside(config.dataFile, systemClock.now());
  process.stdout.write(
    aside === undefined
      ? `No data file at ${config.dataFile}: the next start creates an empty store.\n`
      : `Moved ${config.dataFile} to ${aside}; the next start creates an empty store.\n`,
  );
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError
      ? `${error.message}\nFix these in the environment or in .env (see .env.example).`
      : error instanceof AppError
        ? error.message
        : `Reset failed: ${error instanceof Error ? error.stack : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
