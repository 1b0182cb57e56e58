import dotenv from 'dotenv';
import { runMigrateCommand } from '../store/postgres/migrate-command.js';

/**
 * `npm run migrate`: brings the PostgreSQL schema at DATABASE_URL up to date (the service also
 * does on start; this runs it ahead of a deploy). Exit 1 with the reason when it cannot.
 */
dotenv.config({ quiet: true });
const code = await runMigrateCommand(process.env, {
  info: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
});
process.exit(code);
