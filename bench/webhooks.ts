/**
 * npm run bench:webhooks — the Marketo lead webhook (POST /webhooks/marketo/lead, the real
 * router on a JSON-file store holding BENCH_LEADS leads) against a bare Express route (which
 * parses the same JSON body with express.json and answers a small JSON) in the
 * same process, both on loopback, each driven by autocannon with BENCH_CONNECTIONS connections
 * (Marketo keeps about 20 webhook connections open per instance) for BENCH_SECONDS seconds.
 * Every webhook call sends a realistic payload template with the secret header and a different
 * lead id (nine in ten existing leads, one in ten new). Prints requests/s, p50 and p99 latency
 * for both, their ratio, the main thread's busy time and (on Linux) CPU time per call (what a
 * call costs the server; CPU time is the one robust to other load on the machine), the event
 * loop's delay during the webhook runs, and how many journal appends and whole-document writes
 * the store made meanwhile. Acks are durable: each 200 comes only after the call's change is
 * appended to the store's lead journal and fsynced, one append shared by the calls of a group
 * commit (lead-journal.ts); the document is written whole only at a checkpoint. The bare route
 * writes nothing. The two routes run in turn in rounds of 2 s, so a change of load on the
 * machine hits both alike.
 *
 * autocannon runs in a worker thread (its `workers` option), so the load generator does not
 * share the server's thread; its per-request hook must then be a file, written to the temp dir.
 *
 * With BENCH_STORE=postgres the store is PostgreSQL (BENCH_DATABASE_URL, or a database of the
 * run's own, created and dropped: pg-kit.ts), the leads seeded by the server; each 200 comes
 * after the upsert's COMMIT, durable as the server's synchronous_commit and fsync say (printed).
 * It also prints the statements the calls shared and the PostgreSQL backends' CPU per call
 * (the server shares the machine's cores with the route: what it spends, the route cannot).
 * The load average is printed at the start and with the ratio: on a shared machine, run it
 * twice and give both.
 *
 * Env: BENCH_LEADS (10000), BENCH_SECONDS (10), BENCH_CONNECTIONS (20), BENCH_STORE
 * (json|memory|postgres, json; memory shows the route's own cost without the journal's fsynced
 * appends), BENCH_CPU_PROFILE (a file prefix: a V8 CPU profile of each webhook round,
 * bench-kit.ts).
 * Targets: webhook throughput >= 70% of the bare route's, webhook p99 < 25 ms.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import autocannon from 'autocannon';
import express from 'express';
import { systemClock } from '../src/deps.js';
import { createErrorHandler } from '../src/http/error-handler.js';
import { createLogger, silentLogger } from '../src/logger.js';
import { DEMO_AGENTS, toRoutingAgents } from '../src/routing/routing-agents.js';
import { createJsonFileStore, createMemoryStore } from '../src/store/index.js';
import type { LeadUpsert, Store } from '../src/store/types.js';
import { createMarketoWebhookRoutes } from '../webhooks/marketo/index.js';
import { createRoundProfiler, env, loadAverage, mainThreadCpuMs, median } from './bench-kit.js';
import {
  createBackendCpuMeter,
  memoryMb,
  openBenchPostgres,
  seedLeadsInDatabase,
  storeKind,
} from './pg-kit.js';

const LEADS = env('BENCH_LEADS', 10_000);
const SECONDS = env('BENCH_SECONDS', 10);
const CONNECTIONS = env('BENCH_CONNECTIONS', 20);
const STORE = storeKind();
const SECRET = 'bench-webhook-secret-0123456789';

/** A lead as the sync stores it: 14 default SYNC_FIELDS. */
function seedLead(id: number): LeadUpsert {
  return {
    id,
    observedAt: systemClock.now() - 60_000,
    source: 'sync',
    fields: {
      email: `lead.${id}@company${id % 3001}.example.com`,
      firstName: `First${id}`,
      lastName: `Last${id}`,
      company: `Company ${id % 3001} Inc.`,
      title: 'Marketing Operations Manager',
      phone: `+1 (555) ${String(id % 1000).padStart(3, '0')}-0100`,
      country: 'United States',
      state: 'CA',
      city: 'San Francisco',
      industry: 'Software',
      leadSource: 'Website',
      leadStatus: 'Open',
      createdAt: '2025-03-14T09:26:53Z',
      updatedAt: '2026-11-20T17:02:11Z',
    },
  };
}

/**
 * The per-request hook, run by autocannon in its worker: a payload template as Marketo renders
 * it (string tokens quoted, number and date tokens as text), for lead ids 1..LEADS and some new.
 */
const SETUP_REQUEST = `
let n = 0;
module.exports = (req) => {
  n += 1;
  const id = n % 10 === 0 ? ${LEADS} + n : 1 + ((n * 7919) % ${LEADS});
  req.body = JSON.stringify({
    id, email: 'lead.' + id + '@company' + (id % 3001) + '.example.com',
    firstName: 'First' + id, lastName: 'Last' + id, company: 'Company ' + (id % 3001) + ' Inc.',
    title: 'VP Marketing', phone: '+1 (555) 010-' + String(id % 10000).padStart(4, '0'),
    leadScore: String(id % 100), unsubscribed: 'false', leadStatus: 'MQL',
    updatedAt: '2026-11-24 10:15:00', campaignId: '1234',
  });
  return req;
};
`;

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  calls: number;
  /** Main-thread busy time per call (event-loop utilisation): what a call costs the server. */
  busyUs: number;
  /** Main-thread CPU time per call (bench-kit.ts). */
  cpuUs: number;
  /**
   * CPU time per call of the process's other threads: autocannon's worker (the load generator
   * shares the machine's cores too) and Node's helpers (GC, libuv).
   */
  otherUs: number;
}

async function drive(url: string, path: string, setupRequest: string, seconds: number) {
  const elu = performance.eventLoopUtilization();
  const cpuBefore = mainThreadCpuMs();
  const processBefore = process.cpuUsage();
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    workers: 1,
    requests: [
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'x-webhook-secret': SECRET },
        setupRequest,
      },
    ],
  });
  const busy = performance.eventLoopUtilization(elu);
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${path}: ${failed} failed calls of ${result.requests.total}`);
  const processUs = process.cpuUsage(processBefore);
  const figures: Figures = {
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    calls: result.requests.total,
    busyUs: (busy.active * 1000) / result.requests.total,
    cpuUs: ((mainThreadCpuMs() - cpuBefore) * 1000) / result.requests.total,
    otherUs:
      (processUs.user + processUs.system - (mainThreadCpuMs() - cpuBefore) * 1000) /
      result.requests.total,
  };
  return figures;
}

const profiler = createRoundProfiler(process.env['BENCH_CPU_PROFILE']);

/** Rounds of the two routes in turn, so a change of load on the machine hits both alike. */
async function compare(
  bareUrl: string,
  webhookUrl: string,
  setupRequest: string,
  flush: () => Promise<void>,
  storeWrites: () => { whole: number; appends: number; statements?: number },
  backendCpuMs: () => Promise<number | undefined>,
  autovacuumMs: () => number | undefined,
) {
  const rounds = Math.max(1, Math.round(SECONDS / 2));
  const bare: Figures[] = [];
  const webhook: Figures[] = [];
  // One delay histogram per webhook round: a histogram disabled between rounds would count the
  // whole pause as one delay when enabled again.
  const delays: Array<{ p99: number; max: number }> = [];
  const writes = { whole: 0, appends: 0, statements: 0 };
  let backendMs: number | undefined;
  let vacuumMs = 0;
  for (let round = 0; round < rounds; round += 1) {
    bare.push(await drive(bareUrl, '/bare', setupRequest, SECONDS / rounds));
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const before = storeWrites();
    const backendBefore = await backendCpuMs();
    const vacuumBefore = autovacuumMs() ?? 0;
    await profiler?.start();
    webhook.push(await drive(webhookUrl, '/webhooks/marketo/lead', setupRequest, SECONDS / rounds));
    await profiler?.stop();
    const after = storeWrites();
    const backendAfter = await backendCpuMs();
    if (backendBefore !== undefined && backendAfter !== undefined) {
      backendMs = (backendMs ?? 0) + backendAfter - backendBefore;
      vacuumMs += (autovacuumMs() ?? 0) - vacuumBefore;
    }
    writes.whole += after.whole - before.whole;
    writes.appends += after.appends - before.appends;
    writes.statements += (after.statements ?? 0) - (before.statements ?? 0) - 1;
    delay.disable();
    delays.push({ p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 });
    await flush(); // the store's last write must not run into the next bare round
  }
  const loop = {
    p99: median(delays.map((d) => d.p99)),
    max: Math.max(...delays.map((d) => d.max)),
  };
  const summary = (runs: Figures[]) => ({
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    worstP99: Math.max(...runs.map((r) => r.p99)),
    calls: runs.reduce((sum, r) => sum + r.calls, 0),
    busyUs: median(runs.map((r) => r.busyUs)),
    cpuUs: median(runs.map((r) => r.cpuUs)),
    otherUs: median(runs.map((r) => r.otherUs)),
    ratios: runs.map((r, i) => r.rps / bare[i]!.rps),
  });
  const webhookSummary = summary(webhook);
  const backendUs = backendMs === undefined ? undefined : (backendMs * 1000) / webhookSummary.calls;
  const vacuumUs = (vacuumMs * 1000) / webhookSummary.calls;
  return {
    rounds,
    bare: summary(bare),
    webhook: webhookSummary,
    loop,
    writes,
    backendUs,
    vacuumUs,
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-webhooks-'));
  const setupRequest = join(dir, 'setup-request.cjs');
  await writeFile(setupRequest, SETUP_REQUEST);
  // The store logs each whole-document write and each journal append at debug level: counted,
  // to show what the webhook rounds cost the disk.
  let storeWrites = 0;
  let journalAppends = 0;
  const storeLogger = createLogger({
    level: 'debug',
    destination: {
      write: (line: string) => {
        if (line.includes('"msg":"store written"')) storeWrites += 1;
        else if (line.includes('"msg":"journal appended"')) journalAppends += 1;
      },
    },
  });
  const postgres = STORE === 'postgres' ? await openBenchPostgres() : undefined;
  const store: Store =
    postgres?.store ??
    (STORE === 'memory'
      ? createMemoryStore()
      : await createJsonFileStore({ file: join(dir, 'store.json'), logger: storeLogger }));
  try {
    if (postgres !== undefined) {
      const observedAt = systemClock.now() - 60_000;
      await seedLeadsInDatabase(postgres.store.pool, { from: 1, to: LEADS, observedAt });
      await postgres.store.refreshSize();
    } else {
      for (let id = 1; id <= LEADS; id += 1000) {
        const ids = Array.from({ length: Math.min(1000, LEADS - id + 1) }, (_, i) => id + i);
        await store.applyLeadChanges({ upserts: ids.map(seedLead) });
      }
    }
    const webhookApp = express();
    webhookApp.use(
      '/webhooks/marketo',
      createMarketoWebhookRoutes({
        store,
        clock: systemClock,
        logger: silentLogger,
        secrets: [SECRET],
        allowQuerySecret: false,
        agents: () => toRoutingAgents(DEMO_AGENTS),
        assignRepeatWindowMs: 600_000,
        publicBaseUrl: 'http://127.0.0.1',
      }),
    );
    webhookApp.use(createErrorHandler(silentLogger));
    const bareApp = express();
    // The baseline is a minimal Express route that does what any webhook must: read and parse
    // the JSON body it is sent, and answer a small JSON document.
    bareApp.post('/bare', express.json({ limit: '64kb' }), (req, res) => {
      res.json({ status: 'updated', leadId: (req.body as { id?: unknown }).id ?? null });
    });
    const webhook = await listen(webhookApp);
    const bare = await listen(bareApp);

    const durability =
      postgres === undefined
        ? ''
        : ` (database ${postgres.database.label}; synchronous_commit ` +
          `${await setting(postgres.store.pool, 'synchronous_commit')}, fsync ` +
          `${await setting(postgres.store.pool, 'fsync')})`;
    console.log(
      `load average ${loadAverage()} at the start; ${STORE} store${durability}: ${await store.countLeads()} leads, ${(store.sizeBytes() / 1e6).toFixed(1)} MB; ` +
        `${SECONDS} s per route with ${CONNECTIONS} connections, in rounds of 2 s, after a warm-up`,
    );
    const backendCpu =
      postgres === undefined ? undefined : createBackendCpuMeter(postgres.store.pool);
    // Statements sent through the pool (the upserts' shared statements), counted to show how
    // many calls share one.
    let statements = 0;
    if (postgres !== undefined) {
      const pool = postgres.store.pool;
      const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
      (pool as unknown as { query: typeof query }).query = (...args) => {
        statements += 1;
        return query(...args);
      };
    }
    await drive(bare.url, '/bare', setupRequest, 2);
    await drive(webhook.url, '/webhooks/marketo/lead', setupRequest, 2);
    await store.flush();

    const result = await compare(
      bare.url,
      webhook.url,
      setupRequest,
      () => store.flush(),
      () => ({ whole: storeWrites, appends: journalAppends, statements }),
      async () => (postgres === undefined ? undefined : backendCpu?.ms()),
      () => backendCpu?.autovacuumMs(),
    );
    const row = (name: string, f: typeof result.bare) =>
      `${name.padEnd(28)} ${f.rps.toFixed(0).padStart(6)} req/s   p50 ${String(f.p50).padStart(2)} ms   ` +
      `p99 ${String(f.p99).padStart(3)} ms (worst round ${f.worstP99} ms)   ` +
      `busy ${f.busyUs.toFixed(0).padStart(4)} us/call   cpu ${f.cpuUs.toFixed(0).padStart(4)} us/call ` +
      `(other threads ${f.otherUs.toFixed(0)})   ` +
      `${f.calls} calls`;
    console.log(row('bare Express route', result.bare));
    console.log(row('POST /webhooks/marketo/lead', result.webhook));
    const ratio = result.webhook.rps / result.bare.rps;
    console.log(
      `throughput ratio ${(ratio * 100).toFixed(0)}% of bare (rounds: ${result.webhook.ratios.map((r) => (r * 100).toFixed(0)).join(', ')}%; target >= 70%); ` +
        `busy-time ratio ${((result.bare.busyUs / result.webhook.busyUs) * 100).toFixed(0)}%; ` +
        `CPU-time ratio ${((result.bare.cpuUs / result.webhook.cpuUs) * 100).toFixed(0)}%; ` +
        `webhook p99 ${result.webhook.p99} ms (target < 25 ms); load average ${loadAverage()}`,
    );
    await postgres?.store.refreshSize();
    const disk =
      postgres === undefined
        ? `; during ${result.webhook.calls} webhook calls ${result.writes.appends} journal appends ` +
          `(fsynced) and ${result.writes.whole} whole-document writes (checkpoints; the flush ` +
          'after each round aside)'
        : `; ${result.webhook.calls} webhook calls, each acknowledged after its COMMIT, in ` +
          `${result.writes.statements} statements (${(result.webhook.calls / result.writes.statements).toFixed(1)} calls a statement); ` +
          `PostgreSQL backends' CPU ${result.backendUs?.toFixed(0) ?? '?'} us a call ` +
          `(autovacuum ${result.vacuumUs.toFixed(0)} us a call besides)`;
    const memory = memoryMb();
    console.log(
      `event loop delay during the webhook rounds: p99 ${result.loop.p99.toFixed(1)} ms (median round), ` +
        `max ${result.loop.max.toFixed(1)} ms; store after: ${await store.countLeads()} leads, ` +
        `${(store.sizeBytes() / 1e6).toFixed(1)} MB${disk}; rss ${memory.rss.toFixed(0)} MB`,
    );
    await profiler?.write();
    webhook.server.close();
    bare.server.close();
  } finally {
    await (postgres?.close() ?? store.close());
    await rm(dir, { recursive: true, force: true });
  }
}

async function setting(
  pool: { query: (text: string) => Promise<{ rows: unknown[] }> },
  name: string,
) {
  const { rows } = await pool.query(`SHOW ${name}`);
  return String(Object.values(rows[0] as Record<string, unknown>)[0]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
