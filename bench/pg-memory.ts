/**
 * npm run bench:pg-memory — the service's resident memory with BENCH_LEADS leads in PostgreSQL,
 * as a process of its own (src/main.ts, as `npm start` runs it, through tsx), against the same
 * service on an empty database in the same run: the leads stay in the database, so the two
 * should differ by the pool's buffers, not by the leads. Each service is driven with
 * BENCH_CALLS lead webhooks (a read and a durable upsert each; ids spread over the whole table,
 * nine in ten existing) from BENCH_CONCURRENCY callers, then its VmRSS (and VmHWM, the peak)
 * is read from /proc. Databases: made for the run and dropped (pg-kit.ts); the leads written
 * by the server (generate_series), not through the service.
 *
 * Env: BENCH_LEADS (1000000), BENCH_CALLS (20000), BENCH_CONCURRENCY (20). Linux (/proc).
 */
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { createPostgresStore } from '../src/store/postgres/postgres-store.js';
import { env } from './bench-kit.js';
import { benchDatabase, seedLeadsInDatabase } from './pg-kit.js';

const LEADS = env('BENCH_LEADS', 1_000_000);
const CALLS = env('BENCH_CALLS', 20_000);
const CONCURRENCY = env('BENCH_CONCURRENCY', 20);
const SECRET = 'bench-webhook-secret-0123456789';

/** VmRSS and VmHWM of a process, in MB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1000, peak: kb('VmHWM') / 1000 };
}

/** src/main.ts in a child process on DATABASE_URL; resolves with its pid and URL once listening. */
async function startService(databaseUrl: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      DATABASE_URL: databaseUrl,
      PORT: '0',
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: 'http://127.0.0.1',
      SYNC_ENABLED: 'false',
      SANDBOX_LEADS: '0',
      WEBHOOK_SECRET: SECRET,
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    // Kept only until the service listens: after that its access lines are read and dropped.
    let listening = false;
    const seen = (chunk: Buffer) => {
      if (listening) return;
      output += chunk.toString();
      const match = /listening on http:\/\/localhost:(\d+)/.exec(output);
      if (match) {
        listening = true;
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.once('exit', (code) => reject(new Error(`service exited ${code}:\n${output}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { pid: child.pid!, url, stop };
}

/** CALLS lead webhooks from CONCURRENCY callers; each must answer 200. */
async function drive(url: string, leads: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  const caller = async () => {
    for (let n = next++; n < CALLS; n = next++) {
      const id = n % 10 === 0 || leads === 0 ? leads + n + 1 : 1 + ((n * 7919) % leads);
      const answer = await fetch(`${url}/webhooks/marketo/lead`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET },
        body: JSON.stringify({ id, email: `lead.${id}@example.com`, leadStatus: 'MQL' }),
      });
      if (answer.status !== 200)
        throw new Error(`webhook ${answer.status}: ${await answer.text()}`);
      await answer.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, caller));
  return CALLS / ((performance.now() - started) / 1000);
}

async function measure(leads: number) {
  const database = await benchDatabase();
  try {
    // A first start migrates the database and binds it to its Marketo instance (the sandbox
    // here), as a new installation does; the leads then come as a sync would have left them.
    await (await startService(database.url)).stop();
    const seeding = performance.now();
    const store = await createPostgresStore({ connectionString: database.url });
    if (leads > 0) {
      await seedLeadsInDatabase(store.pool, {
        from: 1,
        to: leads,
        observedAt: Date.now() - 60_000,
      });
    }
    await store.close();
    const seeded = (performance.now() - seeding) / 1000;
    const service = await startService(database.url);
    try {
      const idle = memoryOf(service.pid);
      const rate = await drive(service.url, leads);
      const after = memoryOf(service.pid);
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      const { rows } = await admin.query<{ n: number; mb: number }>(
        `SELECT count(*)::int AS n, pg_database_size(current_database()) / 1e6 AS mb FROM leads`,
      );
      await admin.end();
      return { leads: rows[0]!.n, dbMb: Number(rows[0]!.mb), seeded, idle, after, rate };
    } finally {
      await service.stop();
    }
  } finally {
    await database.drop();
  }
}

async function main(): Promise<void> {
  console.log(
    `bench:pg-memory  the service (src/main.ts) on PostgreSQL, ${CALLS} lead webhooks from ` +
      `${CONCURRENCY} callers, on an empty database, then on ${LEADS.toLocaleString()} leads`,
  );
  const rows = [await measure(0), await measure(LEADS)];
  for (const r of rows) {
    console.log(
      `${r.leads.toLocaleString().padStart(10)} leads at the end (database ${r.dbMb.toFixed(0)} MB, seeded in ` +
        `${r.seeded.toFixed(1)} s): rss ${r.idle.rss.toFixed(0)} MB started, ` +
        `${r.after.rss.toFixed(0)} MB after the webhooks (peak ${r.after.peak.toFixed(0)} MB); ` +
        `${r.rate.toFixed(0)} webhooks/s`,
    );
  }
  const [empty, full] = rows as [(typeof rows)[0], (typeof rows)[0]];
  console.log(
    `rss with ${full.leads.toLocaleString()} leads minus rss on an empty database: ` +
      `${(full.after.rss - empty.after.rss).toFixed(0)} MB (${(full.after.rss / empty.after.rss).toFixed(2)} x)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
