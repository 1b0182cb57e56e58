import dotenv from 'dotenv';
import { runMigrateStoreCommand } from '../store/postgres/pg-import-command.js';

/**
 * `npm run migrate:store`: copies the JSON-file store at DATA_FILE into the PostgreSQL
 * database at DATABASE_URL, counts checked (pg-import-command.ts). Stop the service first.
 */
dotenv.config({ quiet: true });
const code = await runMigrateStoreCommand(process.env, {
  info: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
});
process.exit(code);
