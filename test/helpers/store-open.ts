/**
 * Opens a JSON-file store in its own process, as a second service instance would.
 * Usage: tsx test/helpers/store-open.ts <file> [--coordinated]
 * Plain: open, close, exit 0; or exit 2 with the StoreError as JSON on stderr.
 * --coordinated: print `ready`, open when a `go` line arrives on stdin (so a test can line
 * several up to race without guessing how long each takes to load), print `opened <pid>`, and
 * hold the store until a `close` line arrives (so it is held for as long as the test needs).
 */
import { createInterface } from 'node:readline';
import { StoreError } from '../../src/errors.js';
import { createJsonFileStore } from '../../src/store/index.js';

const [file, mode] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: store-open.ts <file> [--coordinated]');
const coordinated = mode === '--coordinated';
const lines = coordinated
  ? createInterface({ input: process.stdin })[Symbol.asyncIterator]()
  : undefined;

async function waitFor(word: string): Promise<void> {
  for (;;) {
    const next = await lines!.next();
    if (next.done) throw new Error(`stdin closed before "${word}"`);
    if (next.value.trim() === word) return;
  }
}

if (coordinated) {
  process.stdout.write('ready\n');
  await waitFor('go');
}
try {
  const store = await createJsonFileStore({ file });
  process.stdout.write(`opened ${process.pid}\n`);
  if (coordinated) await waitFor('close');
  await store.close();
} catch (error) {
  if (!(error instanceof StoreError)) throw error;
  process.stderr.write(`${JSON.stringify({ code: error.code, message: error.message })}\n`);
  process.exitCode = 2;
}
process.stdin.destroy();
