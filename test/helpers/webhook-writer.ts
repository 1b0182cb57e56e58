/**
 * A Marketo lead webhook under load, to kill with SIGKILL: opens the JSON-file store, serves
 * the real Call Webhook router on loopback, and drives it with 20 concurrent calls (Marketo's
 * usual connection count), each for a new lead id, printing the id of each call answered 200.
 * Usage: tsx test/helpers/webhook-writer.ts <file> <firstId>
 * stdout: `ready`, then one acknowledged lead id per line. Pipes are synchronous on Linux, so
 * a printed id has reached the parent even if this process dies right after.
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createJsonFileStore } from '../../src/store/index.js';
import { createWebhookTestApp, WEBHOOK_SECRET as SECRET } from './marketo-webhook-app.js';

const [file, firstId = '1000000'] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: webhook-writer.ts <file> <firstId>');
// The test app's clock stands still: every call is a new lead, so no observation is older.
const { app } = createWebhookTestApp({ store: await createJsonFileStore({ file }) });
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const { port } = server.address() as AddressInfo;

function call(id: number): Promise<number> {
  const body = JSON.stringify({ id, email: `lead${id}@example.com`, leadScore: id % 100 });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/webhooks/marketo/lead',
        headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

process.stdout.write('ready\n');
let next = Number(firstId);
await Promise.all(
  Array.from({ length: 20 }, async () => {
    for (;;) {
      const id = next++;
      if ((await call(id)) === 200) process.stdout.write(`${id}\n`);
    }
  }),
);
