/**
 * The JSON-file store at 10,000 and 100,000 leads: file size, cost of one durable write and the
 * longest event-loop stall it causes, open, sync-page throughput with group commit, memory; with
 * same-process baselines (the write as it was before chunking: one JSON.stringify of the whole
 * document; JSON.stringify alone, a bare fs.writeFile, writeFile + fsync) so the numbers read as
 * ratios, not absolutes.
 *
 * Run: npx tsx bench/store.ts        (about 30 s; writes to the OS temp directory)
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DurableFileAdapter } from '../src/store/durable-file-adapter.js';
import { createJsonFileStore, type LowdbStore } from '../src/store/index.js';
import type { LeadUpsert } from '../src/store/types.js';

// A real GC between phases makes the memory column mean something without --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SIZES = [10_000, 100_000];
const PAGE = 300; // Marketo's batch size: one sync checkpoint
const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const FIRST = ['Ann', 'Bob', 'Chloé', 'Dmitri', 'Eve', 'Fatima', 'Grace', 'Hiro', 'Ines', 'José'];
const LAST = ['Smith', 'Nguyen', 'García', 'Müller', 'Okafor', 'Rossi', 'Tanaka', 'Kowalski'];
const pick = <T>(items: T[], i: number): T => items[i % items.length]!;

/** A lead with the 14 default SYNC_FIELDS and values of realistic length and variety. */
function lead(id: number, observedAt = T0): LeadUpsert {
  const first = pick(FIRST, id * 7);
  const last = pick(LAST, id * 13);
  return {
    id,
    observedAt,
    source: 'sync',
    fields: {
      email: `${first}.${last}.${id}@company${id % 3_001}.example.com`.toLowerCase(),
      firstName: first,
      lastName: last,
      company: `Company ${id % 3_001} ${pick(['Inc.', 'GmbH', 'Ltd', 'S.A.'], id)}`,
      title: pick(['VP Marketing', 'Marketing Operations Manager', 'Demand Gen Lead', null], id),
      phone: `+1 (555) ${String(id % 1000).padStart(3, '0')}-${String(id % 10_000).padStart(4, '0')}`,
      country: pick(['United States', 'Germany', 'France', 'Japan', 'Brazil'], id),
      state: pick(['CA', 'NY', 'TX', null], id),
      city: pick(['San Francisco', 'Berlin', 'Paris', 'Tokyo', 'São Paulo'], id),
      industry: pick(['Software', 'Manufacturing', 'Healthcare', 'Finance'], id),
      leadSource: pick(['Website', 'Webinar', 'Trade Show', 'Paid Search'], id),
      leadStatus: pick(['Open', 'Working', 'Qualified', 'Nurture'], id),
      createdAt: new Date(T0 - (id % 900) * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      updatedAt: new Date(T0 - (id % 30) * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    },
  };
}

async function time(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function median(runs: number, fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await time(fn));
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

interface WriteFigures {
  median: number;
  /** The longest gap between ticks of a 5 ms interval during any of the writes. */
  stall: number;
  /** The most heap + external memory in use during a write, above the level it started at. */
  memory: number;
}

const memoryInUse = () => {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
};

/** Runs `write` `runs` times, one after another, with the event loop and memory watched. */
async function measureWrites(runs: number, write: () => Promise<unknown>): Promise<WriteFigures> {
  const times: number[] = [];
  let stall = 0;
  let memory = 0;
  for (let i = 0; i < runs; i++) {
    gc(); // so that the memory column is this write's, not garbage of the previous one
    const base = memoryInUse();
    let last = performance.now();
    const probe = setInterval(() => {
      const now = performance.now();
      stall = Math.max(stall, now - last);
      last = now;
      memory = Math.max(memory, memoryInUse() - base);
    }, 5);
    const start = performance.now();
    await write();
    const end = performance.now();
    clearInterval(probe);
    times.push(end - start);
    stall = Math.max(stall, end - last);
    memory = Math.max(memory, memoryInUse() - base);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, stall, memory };
}

const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

interface Row {
  leads: number;
  metrics: Array<[string, string]>;
}

async function benchSize(leads: number): Promise<Row> {
  const dir = await mkdtemp(path.join(tmpdir(), 'store-bench-'));
  const file = path.join(dir, 'store.json');
  const metrics: Array<[string, string]> = [];
  const runs = leads >= 100_000 ? 5 : 9;
  try {
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let store: LowdbStore = await createJsonFileStore({ file });
    const build = await time(() =>
      store.applyLeadChanges({ upserts: Array.from({ length: leads }, (_, i) => lead(i + 1)) }),
    );
    const bytes = store.sizeBytes();
    metrics.push(['file size', `${mb(bytes)} (${Math.round(bytes / leads)} B/lead)`]);
    metrics.push([`build (${leads} upserts, validated, 1 write)`, ms(build)]);

    metrics.push(...(await benchWrite(store, dir, runs)));

    // Sync pages of 300 leads: awaited one by one (the sync job), then all at once.
    const pages = leads >= 100_000 ? 10 : 20;
    const state = await store.loadSyncState();
    const page = (k: number) => ({
      upserts: Array.from({ length: PAGE }, (_, i) =>
        lead(1 + ((k * PAGE + i) % leads), T0 + 1 + k),
      ),
      state,
    });
    const sequential = await time(async () => {
      for (let k = 0; k < pages; k++) await store.commitSync(page(k));
    });
    const concurrent = await time(() =>
      Promise.all(Array.from({ length: pages }, (_, k) => store.commitSync(page(pages + k)))),
    );
    metrics.push([
      `${pages} commitSync pages of ${PAGE}, awaited in turn`,
      throughput(sequential, pages),
    ]);
    metrics.push([
      `${pages} commitSync pages of ${PAGE}, concurrent`,
      throughput(concurrent, pages),
    ]);

    gc();
    const memory = process.memoryUsage();
    metrics.push([
      'memory with the store open',
      `rss ${mb(memory.rss)}, heap ${mb(memory.heapUsed)} (+${mb(memory.heapUsed - heapBefore)})`,
    ]);

    // Open: read + UTF-8 + JSON.parse + zod validation + email index, against read + parse alone.
    await store.close();
    const open = await median(3, async () => {
      store = await createJsonFileStore({ file });
      await store.close();
    });
    const parse = await median(3, async () => JSON.parse(await readFile(file, 'utf8')));
    metrics.push(['open (read, parse, validate, index)', ms(open)]);
    metrics.push([
      '  baseline: readFile + JSON.parse',
      `${ms(parse)} (open is ${ratio(open, parse)})`,
    ]);
    return { leads, metrics };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * One durable write of the whole document (a 1-lead change), and its baselines. `whole` is the
 * document as one plain object, which the store wrote with one JSON.stringify before writes
 * were chunked; the "before" write does that, then the same durable write. A function of its
 * own so that `whole` and `text` are garbage by the time the memory of the store is measured.
 */
async function benchWrite(
  store: LowdbStore,
  dir: string,
  runs: number,
): Promise<Array<[string, string]>> {
  let next = (await store.countLeads()) + 1;
  const chunked = await measureWrites(runs, () =>
    store.applyLeadChanges({ upserts: [lead(next++)] }),
  );
  const write = chunked.median;
  const { data } = store.db;
  const whole = { ...data, leads: Object.fromEntries(data.leads) };
  const beforeFile = new DurableFileAdapter(path.join(dir, 'before.json'));
  const before = await measureWrites(runs, () =>
    beforeFile.write(Buffer.from(JSON.stringify(whole), 'utf8')),
  );
  const text = JSON.stringify(whole);
  const stringify = await median(runs, () => JSON.stringify(whole));
  const bare = await median(runs, () => writeFile(path.join(dir, 'bare.json'), text));
  const synced = await median(runs, () =>
    writeFile(path.join(dir, 'synced.json'), text, { flush: true }),
  );
  return [
    ['one durable write, chunked (median)', ms(write)],
    [`  longest event-loop stall (worst of ${runs})`, ms(chunked.stall)],
    ['  peak memory during the write', `+${mb(chunked.memory)}`],
    ['before: whole JSON.stringify, same durable write', ms(before.median)],
    [`  longest event-loop stall (worst of ${runs})`, ms(before.stall)],
    ['  peak memory during the write', `+${mb(before.memory)}`],
    [
      '  baseline: JSON.stringify alone',
      `${ms(stringify)} (${pct(stringify, write)} of the chunked write)`,
    ],
    ['  baseline: bare fs.writeFile, no fsync', `${ms(bare)} (write is ${ratio(write, bare)})`],
    ['  baseline: fs.writeFile + fsync', `${ms(synced)} (write is ${ratio(write, synced)})`],
  ];
}

function pct(part: number, whole: number): string {
  return `${Math.round((100 * part) / whole)}%`;
}
function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(1)}x`;
}
function throughput(elapsed: number, pages: number): string {
  return `${ms(elapsed)}: ${(pages / (elapsed / 1000)).toFixed(1)} pages/s, ${Math.round((pages * PAGE) / (elapsed / 1000))} leads/s`;
}

const results: Row[] = [];
for (const leads of SIZES) {
  process.stderr.write(`benchmarking ${leads} leads...\n`);
  results.push(await benchSize(leads));
}

const labelWidth = Math.max(
  ...results.flatMap((row) => row.metrics.map(([label]) => label.length)),
);
console.log(
  `\nJSON-file store benchmark (Node ${process.version}, ${process.platform}, temp dir ${tmpdir()})`,
);
for (const row of results) {
  console.log(`\n${row.leads.toLocaleString('en-US')} leads`);
  for (const [label, value] of row.metrics) console.log(`  ${label.padEnd(labelWidth)}  ${value}`);
}
