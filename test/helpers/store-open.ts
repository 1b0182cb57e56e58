/**
 * Opens a JSON-file store in its own process, as a second service instance would.
 * Usage: tsx test/helpers/store-open.ts <file> [holdMs] [startAt]
 * Exit 0 after holding the store for holdMs; exit 2 with the StoreError as JSON on stderr.
 * `startAt` (epoch ms) lines several helpers up to open at the same instant, to race them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from '../../src/errors.js';
import { createJsonFileStore } from '../../src/store/index.js';

const [file, holdMs = '0', startAt = '0'] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: store-open.ts <file> [holdMs] [startAt]');
await sleep(Math.max(0, Number(startAt) - Date.now() - 20));
while (Date.now() < Number(startAt)) {
  // spin the last few ms: a timer alone would spread the starts over a millisecond or more
}
try {
  const store = await createJsonFileStore({ file });
  process.stdout.write(`opened ${process.pid}\n`);
  await sleep(Number(holdMs));
  await store.close();
} catch (error) {
  if (!(error instanceof StoreError)) throw error;
  process.stderr.write(`${JSON.stringify({ code: error.code, message: error.message })}\n`);
  process.exitCode = 2;
}
