/**
 * A writer to kill with SIGKILL: seeds the store, then writes leads forever, four at a time so
 * group commit is exercised, and prints the id of each write once it is ACKNOWLEDGED.
 * Usage: tsx test/helpers/store-writer.ts <file> <seedLeads> <firstId>
 * stdout: `ready`, then one acknowledged lead id per line. Pipes are synchronous on Linux, so
 * a printed id has reached the parent even if this process dies right after.
 */
import { createJsonFileStore } from '../../src/store/index.js';
import { makeLead } from './store-fixtures.js';

const [file, seed = '0', firstId = '1000000'] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: store-writer.ts <file> <seedLeads> <firstId>');
const store = await createJsonFileStore({ file });
const seedCount = Number(seed);
if ((await store.countLeads()) < seedCount) {
  const upserts = Array.from({ length: seedCount }, (_, i) => makeLead(i + 1));
  await store.applyLeadChanges({ upserts });
}
process.stdout.write('ready\n');
for (let id = Number(firstId); ; id += 4) {
  await Promise.all(
    [0, 1, 2, 3].map(async (k) => {
      await store.applyLeadChanges({ upserts: [makeLead(id + k)] });
      process.stdout.write(`${id + k}\n`);
    }),
  );
}
