/**
 * npm run bench:sync — a full copy then an incremental sync against the local sandbox, with
 * Marketo's window shortened from 20 s to BENCH_WINDOW_MS so the run takes seconds, not hours.
 * Prints leads per second, calls, calls per 1,000 leads, the achieved call rate as a share of
 * the configured budget, and the 606/615 errors the sandbox returned.
 *
 * Env: BENCH_LEADS (100000), BENCH_CHANGES (20000), BENCH_WINDOW_MS (2000), BENCH_RATE (100),
 * BENCH_CONCURRENCY (10), BENCH_LATENCY_MS (25), BENCH_STORE (json|memory, json).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMarketoClient } from '../src/clients/marketo/index.js';
import { createSequentialIds, systemClock } from '../src/deps.js';
import { silentLogger } from '../src/logger.js';
import { createMarketoSandbox } from '../src/sandbox/index.js';
import { createJsonFileStore, createMemoryStore } from '../src/store/index.js';
import type { Store } from '../src/store/types.js';
import { runLeadSync } from '../src/sync/lead-sync.js';

const env = (key: string, fallback: number) => Number(process.env[key] ?? fallback);
const LEADS = env('BENCH_LEADS', 100_000);
const CHANGES = env('BENCH_CHANGES', 20_000);
const WINDOW_MS = env('BENCH_WINDOW_MS', 2_000);
const RATE = env('BENCH_RATE', 100);
const CONCURRENCY = env('BENCH_CONCURRENCY', 10);
const LATENCY_MS = env('BENCH_LATENCY_MS', 25);
const MARGIN_MS = Math.max(20, Math.round(WINDOW_MS * 0.025));
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
  const sandbox = createMarketoSandbox({
    seedLeads: LEADS,
    rateLimit: RATE,
    rateWindowMs: WINDOW_MS,
    maxConcurrency: CONCURRENCY,
    latencyMs: LATENCY_MS,
  });
  const server = await sandbox.listen(0, '127.0.0.1');
  const dir = await mkdtemp(join(tmpdir(), 'bench-sync-'));
  const store: Store =
    process.env.BENCH_STORE === 'memory'
      ? createMemoryStore()
      : await createJsonFileStore({ file: join(dir, 'store.json') });
  const marketo = createMarketoClient({
    baseUrl: server.url,
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

  console.log(
    `bench:sync  ${LEADS.toLocaleString()} leads, budget ${RATE} calls / ${WINDOW_MS} ms (+${MARGIN_MS} ms margin), ` +
      `${CONCURRENCY} concurrent, ${LATENCY_MS} ms sandbox latency, store ${process.env.BENCH_STORE ?? 'json'}`,
  );
  const rows: string[][] = [];
  const measure = async (label: string, leadsMoved: () => number) => {
    sandbox.resetStats();
    const started = performance.now();
    const report = await runLeadSync(deps, options);
    const seconds = (performance.now() - started) / 1000;
    const stats = sandbox.stats();
    const calls = stats.calls;
    const moved = leadsMoved() || report.leadsUpserted;
    const rate = calls / seconds;
    rows.push([
      label,
      report.outcome,
      moved.toLocaleString(),
      seconds.toFixed(1),
      Math.round(moved / seconds).toLocaleString(),
      String(calls),
      ((calls / moved) * 1000).toFixed(2),
      rate.toFixed(1),
      `${((100 * rate) / budgetPerSecond).toFixed(1)}%`,
      String(stats.errorsByCode['606'] ?? 0),
      String(stats.errorsByCode['615'] ?? 0),
      String(stats.maxInWindow),
      String(stats.queryTokenUses),
    ]);
  };

  await measure('full copy (REST id scan)', () => store.countLeads());
  const leads = sandbox.allLeads();
  const changed = new Set<number>();
  for (let i = 0; i < CHANGES; i += 1) {
    const lead = leads[(i * 7919) % leads.length]!;
    changed.add(lead.id);
    sandbox.upsertLead({
      id: lead.id,
      firstName: `Changed${i}`,
      title: i % 3 === 0 ? 'VP Sales' : 'Engineer',
    });
  }
  await measure(`incremental (${CHANGES.toLocaleString()} changes)`, () => changed.size);

  const header = [
    'run',
    'outcome',
    'leads',
    's',
    'leads/s',
    'calls',
    'calls/1k leads',
    'calls/s',
    'of budget',
    '606',
    '615',
    'max in window',
    'query tokens',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(
    `budget = ${budgetPerSecond.toFixed(1)} calls/s; "of budget" is the achieved call rate over the run ` +
      `divided by it (the incremental run includes its sequential paging chain).`,
  );
  console.log(
    `store: ${(store.sizeBytes() / 1e6).toFixed(1)} MB, ${store.countLeads().toLocaleString()} leads`,
  );
  await store.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
