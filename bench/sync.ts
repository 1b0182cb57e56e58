/**
 * npm run bench:sync — a full copy then an incremental sync against the local sandbox, with
 * Marketo's window shortened from 20 s to BENCH_WINDOW_MS so the run takes seconds, not hours.
 * The sandbox's latency keeps Marketo's real ratio of latency to budget window (about 300 ms a
 * call against 100 calls per 20 s, so 30 ms in a 2 s window) unless BENCH_LATENCY_MS says
 * otherwise: below that ratio a sequential paging chain looks faster than it is in production.
 * The changes the incremental run reads are spread over BENCH_CHANGE_SPAN_S of Marketo time (an
 * hour: the backlog a scheduled run finds), by moving the sandbox's clock, not by waiting.
 * Prints leads per second, calls, calls per 1,000 leads, the achieved call rate as a share of
 * the configured budget (the rate-limit bound) over the whole run and over the span in which
 * the sandbox saw calls, and the 606/615 errors the sandbox returned.
 *
 * Env: BENCH_LEADS (100000), BENCH_CHANGES (20000), BENCH_WINDOW_MS (2000), BENCH_RATE (100),
 * BENCH_CONCURRENCY (10), BENCH_LATENCY_MS (window x 300 / 20000), BENCH_CHANGE_SPAN_S (3600),
 * BENCH_STORE (json|memory|postgres, json; postgres: BENCH_DATABASE_URL, or a database of the
 * run's own, created and dropped: pg-kit.ts), BENCH_SANDBOX (process|inline, process: the
 * sandbox runs in a process of its own, as Marketo is a server of its own; inline shares this
 * process's event loop, as before: sync-sandbox.ts). Prints the CPU each party used over each
 * run (the service, the sandbox's process, the PostgreSQL backends), in cores, and the load.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMarketoClient } from '../src/clients/marketo/index.js';
import { createSequentialIds, systemClock } from '../src/deps.js';
import { silentLogger } from '../src/logger.js';
import { createJsonFileStore, createMemoryStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { runLeadSync } from '../src/sync/lead-sync.js';
import { loadAverage } from './bench-kit.js';
import { createBackendCpuMeter, memoryMb, openBenchPostgres, storeKind } from './pg-kit.js';
import { startSyncSandbox } from './sync-sandbox.js';

const env = (key: string, fallback: number) => Number(process.env[key] ?? fallback);
const LEADS = env('BENCH_LEADS', 100_000);
const CHANGES = env('BENCH_CHANGES', 20_000);
const WINDOW_MS = env('BENCH_WINDOW_MS', 2_000);
const RATE = env('BENCH_RATE', 100);
const CONCURRENCY = env('BENCH_CONCURRENCY', 10);
/** Marketo: about 300 ms a call against a 20 s window (marketo-facts.md "Limits"). */
const REAL_LATENCY_RATIO = 300 / 20_000;
const LATENCY_MS = env('BENCH_LATENCY_MS', Math.round(WINDOW_MS * REAL_LATENCY_RATIO));
const CHANGE_SPAN_MS = env('BENCH_CHANGE_SPAN_S', 3600) * 1000;
const MARGIN_MS = Math.max(20, Math.round(WINDOW_MS * 0.025));
const SANDBOX = process.env['BENCH_SANDBOX'] === 'inline' ? 'inline' : 'process';
const FIELDS = [
  'email',
  'firstName',
  'lastName',
  'company',
  'title',
  'country',
  'city',
  'industry',
  'createdAt',
  'updatedAt',
];

async function main(): Promise<void> {
  const sandbox = await startSyncSandbox(SANDBOX, {
    leads: LEADS,
    rateLimit: RATE,
    rateWindowMs: WINDOW_MS,
    maxConcurrency: CONCURRENCY,
    latencyMs: LATENCY_MS,
    // Marketo's clock starts an hour back, so the changes below can be spread up to now.
    clockBackMs: CHANGE_SPAN_MS,
  });
  const dir = await mkdtemp(join(tmpdir(), 'bench-sync-'));
  const kind = storeKind();
  const postgres = kind === 'postgres' ? await openBenchPostgres() : undefined;
  const store: Store =
    postgres?.store ??
    (kind === 'memory'
      ? createMemoryStore()
      : await createJsonFileStore({ file: join(dir, 'store.json') }));
  const marketo = createMarketoClient({
    baseUrl: sandbox.url,
    clientId: 'sandbox-client',
    clientSecret: 'sandbox-secret',
    rateLimit: RATE,
    rateWindowMs: WINDOW_MS,
    rateMarginMs: MARGIN_MS,
    maxConcurrency: CONCURRENCY,
    dailyQuota: 1_000_000,
    timeoutMs: 30_000,
    maxRetries: 5,
    logger: silentLogger,
  });
  const deps = {
    marketo,
    store,
    clock: systemClock,
    ids: createSequentialIds('bench'),
    logger: silentLogger,
  };
  const options = {
    fields: FIELDS,
    fullStrategy: 'rest' as const,
    bulkPollMs: 50,
    concurrency: CONCURRENCY + 2,
  };
  const budgetPerSecond = (RATE * 1000) / (WINDOW_MS + MARGIN_MS);

  const ratio = LATENCY_MS / WINDOW_MS / REAL_LATENCY_RATIO;
  console.log(
    `bench:sync  ${LEADS.toLocaleString()} leads, budget ${RATE} calls / ${WINDOW_MS} ms (+${MARGIN_MS} ms margin), ` +
      `${CONCURRENCY} concurrent, store ${kind}` +
      `, sandbox ${sandbox.where === 'process' ? 'in its own process' : 'in this process (BENCH_SANDBOX=inline)'}` +
      `${postgres === undefined ? '' : ` (database ${postgres.database.label})`}\n` +
      `sandbox latency ${LATENCY_MS} ms a call: ${ratio.toFixed(2)} x Marketo's real ratio ` +
      `(300 ms a call against 100 calls / 20 s)`,
  );
  const rows: string[][] = [];
  const cpu: string[] = [];
  const backend = postgres === undefined ? undefined : createBackendCpuMeter(postgres.store.pool);
  const measure = async (label: string, leadsMoved: () => number | Promise<number>) => {
    await sandbox.resetStats();
    const pg = await backend?.ms();
    const before = { self: process.cpuUsage(), sandbox: sandbox.cpuMs(), pg };
    const vacuumBefore = backend?.autovacuumMs() ?? 0;
    const started = performance.now();
    const report = await runLeadSync(deps, options);
    const seconds = (performance.now() - started) / 1000;
    const self = process.cpuUsage(before.self);
    const [sandboxMs, pgMs] = [sandbox.cpuMs(), await backend?.ms()];
    const share = (ms: number | undefined, from: number | undefined) =>
      ms === undefined || from === undefined ? '-' : `${((ms - from) / 1000 / seconds).toFixed(2)}`;
    cpu.push(
      `${label}: CPU in cores over the run: service ${((self.user + self.system) / 1e6 / seconds).toFixed(2)}` +
        `${sandbox.where === 'inline' ? ' (sandbox included)' : `, sandbox ${share(sandboxMs, before.sandbox)}`}` +
        `${backend === undefined ? '' : `, PostgreSQL backends ${share(pgMs, before.pg)} (autovacuum ${share(backend.autovacuumMs() ?? 0, vacuumBefore)} besides)`}; load average ${loadAverage()}`,
    );
    const stats = await sandbox.stats();
    const calls = stats.calls;
    const moved = (await leadsMoved()) || report.leadsUpserted;
    const rate = calls / seconds;
    // What Marketo sees: the calls from the first one's arrival to the last one's answer.
    const callingSeconds = ((stats.lastCallAt ?? 0) - (stats.firstCallAt ?? 0) + LATENCY_MS) / 1000;
    rows.push([
      label,
      report.outcome,
      moved.toLocaleString(),
      seconds.toFixed(1),
      Math.round(moved / seconds).toLocaleString(),
      String(calls),
      ((calls / moved) * 1000).toFixed(2),
      rate.toFixed(1),
      (rate / budgetPerSecond).toFixed(2),
      (calls / callingSeconds / budgetPerSecond).toFixed(2),
      String(stats.errorsByCode['606'] ?? 0),
      String(stats.errorsByCode['615'] ?? 0),
      String(stats.maxInWindow),
      String(stats.queryTokenUses),
    ]);
  };

  await measure('full copy (REST id scan)', () => store.countLeads());
  const changed = await sandbox.change(CHANGES, CHANGE_SPAN_MS);
  await measure(
    `incremental (${CHANGES.toLocaleString()} changes over ${CHANGE_SPAN_MS / 60_000} min)`,
    () => changed,
  );

  const header = [
    'run',
    'outcome',
    'leads',
    's',
    'leads/s',
    'calls',
    'calls/1k leads',
    'calls/s',
    'of bound',
    'while calling',
    '606',
    '615',
    'max in window',
    'query tokens',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  for (const line of cpu) console.log(line);
  console.log(
    `bound = ${budgetPerSecond.toFixed(1)} calls/s, the budget. "of bound": calls over the whole run ` +
      `(to its last durable write) divided by it; "while calling": over the span Marketo sees calls, ` +
      `first arrival to last answer. The incremental run pages its change window in sub-windows at once.`,
  );
  await postgres?.store.refreshSize();
  const memory = memoryMb();
  console.log(
    `store: ${(store.sizeBytes() / 1e6).toFixed(1)} MB, ${(await store.countLeads()).toLocaleString()} leads; ` +
      `this process${SANDBOX === 'inline' ? ' (sandbox included)' : ''}: rss ${memory.rss.toFixed(0)} MB, heap ${memory.heapUsed.toFixed(0)} MB`,
  );
  await (postgres?.close() ?? store.close());
  await sandbox.close();
  await rm(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
