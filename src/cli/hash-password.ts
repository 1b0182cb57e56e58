import bcrypt from 'bcryptjs';
import { createInterface } from 'node:readline/promises';

/**
 * `npm run -s hash-password`: reads a console password (typed, or piped on stdin) and prints its
 * bcrypt hash for ADMIN_PASSWORD_HASH. Cost 12: about a quarter of a second per sign-in.
 */
const COST = 12;

async function main(): Promise<void> {
  const lines = createInterface({ input: process.stdin, terminal: false });
  if (process.stdin.isTTY) process.stderr.write('Console password (shown as you type): ');
  let password = '';
  for await (const line of lines) {
    password = line;
    break;
  }
  lines.close();
  if (password.length < 12) {
    process.stderr.write('Use a password of at least 12 characters.\n');
    process.exit(1);
  }
  process.stdout.write(`${await bcrypt.hash(password, COST)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
