import dotenv from 'dotenv';
import { MIGRATE_STORE_HELP, runMigrateStoreCommand } from '../store/postgres/pg-import-command.js';

/**
 * `npm run migrate:store`: copies the JSON-file store at DATA_FILE into the PostgreSQL
 * database at DATABASE_URL, counts checked (pg-import-command.ts). Stop the service first, and
 * run it before the first start on the database; a re-run only adds what is missing.
 */
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`${MIGRATE_STORE_HELP.join('\n')}\n`);
  process.exit(0);
}
dotenv.config({ quiet: true });
const code = await runMigrateStoreCommand(process.env, {
  info: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
});
process.exit(code);
