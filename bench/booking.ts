/**
 * npm run bench:booking — the widget's booking endpoints of the whole service as main.ts builds it
 * (createService: the meetings module's public routes inside the chat public router, so helmet,
 * CORS, the per-client limiter and the body reader are included; a JSON-file store; the system
 * clock and random ids) beside a bare Express app, in one process, over loopback, driven by
 * autocannon in a worker thread. BENCH_AGENTS
 * agents on the built-in local calendar, Mon–Fri 09:00–17:00 in five time zones that overlap
 * an hour a day (New York, London, Berlin, Helsinki, São Paulo), 30-minute meetings, and
 * BENCH_MEETINGS meetings already booked (bookMeeting, half the free slots of the first weeks).
 * 1. Slots: GET /chat/slots?days=7&timeZone=Europe/Paris (every agent's week, pooled) against
 *    GET /bare answering `{"ok":true}`; throughput, then latency with BENCH_LIGHT_CONNECTIONS.
 * 2. Booking: POST /chat/meetings, each call a distinct free slot (a visitor's booking: start,
 *    email, name, zone, idempotency key; no agent named, so round robin) against POST /bare,
 *    which parses the same body with express.json (8 kB) and answers `{"ok":true}`. A booking
 *    is two durable store writes (hold, then confirm with its Marketo activity in the outbox),
 *    shared by concurrent calls through group commit; the writes made are counted. The free
 *    slots are listed up to BENCH_WEEKS ahead first; when they run out the phase stops.
 * 3. Contention: BENCH_CONTENDED simultaneous POSTs for one slot (distinct emails): exactly
 *    min(agents free then, N) must get 201 and the rest 409 SLOT_TAKEN, with nobody booked
 *    twice; PASS or FAIL, and the exit code is 1 on FAIL.
 * 4. Memory: heap used after a GC at each step, and the free/busy cache's stats.
 * Throughput runs in turns of 2 s, the route and its bare twin in turn (a change of load on
 * the machine hits both alike), medians of the turns; the req/s ratio moves with whatever else
 * the machine runs, the CPU ratio (bare's CPU per call / the route's, main thread only) is the
 * one the route would reach with a core to itself. At saturation the latency is mostly queueing.
 *
 * With BENCH_STORE=postgres the service gets DATABASE_URL (BENCH_DATABASE_URL, or a database of
 * the run's own, created and dropped: pg-kit.ts), so every booking is its PostgreSQL
 * transactions (the hold's exclusion constraint, then the confirmation with its outbox item);
 * the JSON file's write counts do not apply. To see that a booking's CPU does not grow with the
 * meetings kept, run it at BENCH_MEETINGS=2000 and 50000 with the same agents and weeks (50,000
 * need 100,000 free slots: BENCH_AGENTS=20 BENCH_WEEKS=130).
 *
 * Env: BENCH_AGENTS (5), BENCH_MEETINGS (2000), BENCH_SECONDS (10 per route and phase),
 * BENCH_CONNECTIONS (20), BENCH_LIGHT_CONNECTIONS (2), BENCH_CONTENDED (100), BENCH_WEEKS (52),
 * BENCH_STORE (json|postgres, json). No targets: the ratios are printed as they are.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import express, { type Express } from 'express';
import pg from 'pg';
import { createFlexibleRateLimiter } from '../src/chat/chat-public-rate-limit.js';
import { createDefaultConfiguration } from '../src/chat/default-configuration.js';
import { loadConfig } from '../src/config.js';
import { systemClock } from '../src/deps.js';
import { createLogger } from '../src/logger.js';
import { bookMeeting } from '../src/meetings/book-meeting.js';
import type { SlotsResponse } from '../src/meetings/booking-contract.js';
import { agentInputSchema, type Agent } from '../src/records/meeting-contract.js';
import { createService, type Service } from '../src/service.js';
import {
  drive,
  env,
  fmt,
  listen,
  loadAverage,
  median,
  pct,
  summarise,
  type Figures,
  type Target,
} from './bench-kit.js';
import { captureStatements, explainStatements, formatExplained } from './pg-explain.js';
import {
  benchDatabase,
  createBackendCpuMeter,
  memoryMb,
  storeKind,
  type BenchDatabase,
} from './pg-kit.js';

const AGENTS = env('BENCH_AGENTS', 5);
const MEETINGS = env('BENCH_MEETINGS', 2_000);
const SECONDS = env('BENCH_SECONDS', 10);
const CONNECTIONS = env('BENCH_CONNECTIONS', 20);
const LIGHT_CONNECTIONS = env('BENCH_LIGHT_CONNECTIONS', 2);
const CONTENDED = env('BENCH_CONTENDED', 100);
const WEEKS = env('BENCH_WEEKS', 52);
const TURN_SECONDS = 2;
const SITE = 'https://www.example.com';
const ZONE = 'Europe/Paris';
const DAY = 86_400_000;
const POST_HEADERS = { 'content-type': 'application/json', origin: SITE };
/** Working hours overlap 14:00–15:00 UTC in winter, so a slot can have every agent free. */
const ZONES = [
  'America/New_York',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Helsinki',
  'America/Sao_Paulo',
];

/* ------------------------------------ fixtures ------------------------------------ */

function agentOf(i: number, now: number): Agent {
  const input = agentInputSchema.parse({
    name: `Agent ${i + 1}`,
    email: `agent${i + 1}@example.com`,
    timeZone: ZONES[i % ZONES.length],
  });
  const calendar = { provider: 'local', status: 'connected', connectedAt: now } as const;
  return { id: `agt_bench${i + 1}`, ...input, calendar, createdAt: now, updatedAt: now };
}

/** A fixed layout of the existing meetings from run to run (mulberry32). */
function createRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bookingBody = (start: string, who: string) => ({
  start,
  email: `${who}@visitors.example.org`,
  name: `Visitor ${who}`,
  timeZone: ZONE,
  idempotencyKey: `bench-${who}`,
});

/** autocannon's per-request hook runs in its worker, so it is a file (bookingBody again), one per turn. */
const bookingHook = (slotsFile: string, offset: number, tag: string) => `
const slots = require(${JSON.stringify(slotsFile)});
let n = ${offset};
module.exports = (req) => {
  const start = slots[Math.min(n, slots.length - 1)];
  const who = '${tag}-' + n;
  n += 1;
  req.body = JSON.stringify({
    start, email: who + '@visitors.example.org', name: 'Visitor ' + who,
    timeZone: '${ZONE}', idempotencyKey: 'bench-' + who,
  });
  return req;
};
`;

/* ----------------------------------- measuring ------------------------------------ */

const target = (method: 'GET' | 'POST', name: string, url: string, path: string, status = 200) =>
  ({
    name,
    url,
    path,
    status,
    method,
    headers: method === 'GET' ? { origin: SITE } : POST_HEADERS,
  }) as Target;

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

function row(name: string, f: Figures, base?: { name: string; f: Figures }): string {
  const ratios =
    base === undefined
      ? ''
      : `   ${pct(f.rps / base.f.rps)} of ${base.name} by req/s, ` +
        `${pct(base.f.cpuUs / f.cpuUs)} by CPU per call`;
  return `${name.padEnd(26)} ${fmt(f)}${ratios}`;
}

// Heap figures after a full GC, or they mostly show when the collector last ran.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
function heapMb(): number {
  collect();
  return process.memoryUsage().heapUsed / 1e6;
}

/* ------------------------------------- phases ------------------------------------- */

interface Bench {
  dir: string;
  store: Service['store'];
  meetings: Service['meetings'];
  chat: string;
  bare: string;
  /** Whole-document writes of the store so far, and their time. */
  writes: { count: number; ms: number };
  /** Set when the store is PostgreSQL. */
  postgres: BenchDatabase | undefined;
  /** The PostgreSQL backends' CPU (pg-kit.ts), when the store is PostgreSQL. */
  backendCpu: ReturnType<typeof createBackendCpuMeter> | undefined;
}

interface Phase {
  rows: string[];
  summary: string;
}

const TURNS = Math.max(1, Math.round(SECONDS / TURN_SECONDS));
const TURN = { seconds: SECONDS / TURNS };

/** The service's app (the booking routes inside the chat's public router); the bare app. */
async function startApps(app: Express) {
  const bareApp = express();
  bareApp.disable('x-powered-by');
  bareApp.get('/bare', (_req, res) => res.json({ ok: true }));
  bareApp.post('/bare', express.json({ limit: '8kb' }), (req, res) => {
    if (typeof req.body !== 'object' || req.body === null) throw new Error('no JSON body');
    res.json({ ok: true });
  });
  return { chat: await listen(app), bare: await listen(bareApp) };
}

/** Each agent's free slot starts, WEEKS ahead, as the widget lists them for a visitor. */
async function listFreeSlots(b: Bench, agents: Agent[], now: number) {
  const free = new Map<string, string[]>();
  const today = Date.parse(new Date(now).toISOString().slice(0, 10));
  for (const agent of agents) {
    const starts: string[] = [];
    for (let day = 0; day < WEEKS * 7; day += 28) {
      const from = new Date(today + day * DAY).toISOString().slice(0, 10);
      const query = `agentId=${agent.id}&from=${from}&days=28&timeZone=${ZONE}`;
      const answer = await fetch(`${b.chat}/chat/slots?${query}`, { headers: { origin: SITE } });
      if (answer.status !== 200) throw new Error(`slots: ${answer.status} ${await answer.text()}`);
      const { days } = (await answer.json()) as SlotsResponse;
      for (const d of days) for (const slot of d.slots) starts.push(slot.start);
    }
    free.set(agent.id, starts);
  }
  return free;
}

/**
 * MEETINGS of the 2 x MEETINGS earliest free slots (exactly half of them), booked by bookMeeting:
 * the same density at any MEETINGS, so a booking's window holds as many meetings at 2,000 as
 * at 50,000 and only the size of the table differs (with whole weeks instead, the density moved
 * between 0.4 and 0.5, and a booking's reads with it).
 */
async function seedMeetings(b: Bench, free: Map<string, string[]>, now: number) {
  const random = createRandom(42);
  const pairs = [...free]
    .flatMap(([agentId, starts]) =>
      starts.filter((s) => Date.parse(s) > now).map((start) => ({ agentId, start })),
    )
    .sort((x, y) => Date.parse(x.start) - Date.parse(y.start) || (x.agentId < y.agentId ? -1 : 1))
    .slice(0, 2 * MEETINGS);
  for (let i = pairs.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [pairs[i], pairs[j]] = [pairs[j]!, pairs[i]!];
  }
  const chosen = pairs.slice(0, MEETINGS);
  if (chosen.length < MEETINGS) throw new Error(`only ${chosen.length} free slots to seed`);
  // The JSON file shares its writes among concurrent calls (group commit); PostgreSQL's pool
  // (10 connections) would only queue 200 at once past its connection timeout.
  const perBatch = b.postgres === undefined ? 200 : 20;
  for (let i = 0; i < chosen.length; i += perBatch) {
    const batch = chosen.slice(i, i + perBatch);
    await Promise.all(
      batch.map(({ agentId, start }, k) =>
        bookMeeting(b.meetings.booking, { ...bookingBody(start, `seed-${i + k}`), agentId }),
      ),
    );
  }
  await b.store.flush();
  return new Set(chosen.map(({ agentId, start }) => `${agentId} ${start}`));
}

/**
 * What is left to book, a day ahead at least (so no slot becomes too soon meanwhile): each start
 * once per agent free then, in time order; and the contended slot, the latest of those with the
 * most agents free, kept out of the list.
 */
function pooledFree(free: Map<string, string[]>, taken: Set<string>, now: number) {
  const agentsFree = new Map<string, number>();
  for (const [agentId, starts] of free) {
    for (const start of starts) {
      if (taken.has(`${agentId} ${start}`) || Date.parse(start) < now + DAY) continue;
      agentsFree.set(start, (agentsFree.get(start) ?? 0) + 1);
    }
  }
  const most = Math.max(...agentsFree.values());
  const contended = [...agentsFree].filter(([, n]) => n === most).at(-1)![0];
  agentsFree.delete(contended);
  const bookable = [...agentsFree]
    .sort(([a], [b]) => Date.parse(a) - Date.parse(b))
    .flatMap(([start, n]) => Array<string>(n).fill(start));
  return { bookable, contended, agentsFree: most };
}

async function measureSlots(b: Bench): Promise<Phase> {
  const path = `/chat/slots?days=7&timeZone=${encodeURIComponent(ZONE)}`;
  const probe = await fetch(b.chat + path, { headers: { origin: SITE } });
  const text = await probe.text();
  const week = JSON.parse(text) as SlotsResponse;
  const bareGet = target('GET', 'bare GET', b.bare, '/bare');
  const slots = target('GET', 'GET /chat/slots', b.chat, path);
  for (const t of [bareGet, slots]) await drive(t, { seconds: 1 }, CONNECTIONS); // warm-up
  const runs = { bare: [] as Figures[], slots: [] as Figures[] };
  for (let i = 0; i < TURNS; i += 1) {
    runs.bare.push(await drive(bareGet, TURN, CONNECTIONS));
    runs.slots.push(await drive(slots, TURN, CONNECTIONS));
  }
  const base = { name: 'bare GET', f: summarise(runs.bare) };
  const f = summarise(runs.slots);
  const light = {
    bare: await drive(bareGet, { seconds: SECONDS / 2 }, LIGHT_CONNECTIONS),
    slots: await drive(slots, { seconds: SECONDS / 2 }, LIGHT_CONNECTIONS),
  };
  const count = week.days.reduce((n, d) => n + d.slots.length, 0);
  return {
    rows: [
      row('bare GET', base.f),
      row('GET /chat/slots', f, base),
      row(`bare GET, ${LIGHT_CONNECTIONS} conn.`, light.bare),
      row(`slots, ${LIGHT_CONNECTIONS} conn.`, light.slots, { name: 'bare', f: light.bare }),
    ],
    summary:
      `slots: ${f.rps.toFixed(0)} req/s, ${pct(f.rps / base.f.rps)} of bare GET ` +
      `(${pct(base.f.cpuUs / f.cpuUs)} by CPU), ${(f.cpuUs / 1000).toFixed(2)} ms CPU a call ` +
      `for ${count} pooled slots (${AGENTS} agents, ${week.days.length} working days, ` +
      `${text.length} bytes); p50/p99 ${light.slots.p50}/${light.slots.p99} ms with ` +
      `${LIGHT_CONNECTIONS} connections back to back`,
  };
}

async function measureBooking(b: Bench, bookable: string[]): Promise<Phase> {
  const slotsFile = join(b.dir, 'slots.json');
  await writeFile(slotsFile, JSON.stringify(bookable));
  let offset = 0;
  /** The backends' CPU ms per booking, a figure a turn. */
  const pgMs: number[] = [];
  /** The autovacuum workers' CPU ms per booking (maintenance the writes cause), a turn each. */
  const vacuumMs: number[] = [];
  const hook = async (tag: string) => {
    const file = join(b.dir, `book-${tag}.cjs`);
    await writeFile(file, bookingHook(slotsFile, offset, tag));
    return file;
  };
  const barePost = target('POST', 'bare POST', b.bare, '/bare');
  const booking = target('POST', 'POST /chat/meetings', b.chat, '/chat/meetings', 201);
  /** One booking run; by count instead of time when the slots left may not last it. */
  const book = async (tag: string, seconds: number, lastRps: number) => {
    const left = bookable.length - offset;
    if (left < 2 * CONNECTIONS) return undefined;
    const enough = left > lastRps * seconds * 1.5 + 2 * CONNECTIONS;
    const run = enough ? { seconds } : { amount: left - CONNECTIONS };
    const pgBefore = await b.backendCpu?.ms();
    const vacuumBefore = b.backendCpu?.autovacuumMs() ?? 0;
    const f = await drive(booking, run, CONNECTIONS, await hook(tag));
    const pgAfter = await b.backendCpu?.ms();
    if (pgBefore !== undefined && pgAfter !== undefined) {
      pgMs.push((pgAfter - pgBefore) / f.calls);
      vacuumMs.push(((b.backendCpu?.autovacuumMs() ?? 0) - vacuumBefore) / f.calls);
    }
    // Sent when the turn ended may still be booked: the next turn starts past those.
    offset += f.sent + CONNECTIONS;
    await b.store.flush(); // the last write must not run into the next bare turn
    return { f, ranOut: !enough };
  };
  const before = { meetings: (await b.store.listMeetings()).length, bytes: b.store.sizeBytes() };
  await drive(barePost, { seconds: 1 }, CONNECTIONS, await hook('bare-warm'));
  const warm = await book('warm', 1, 1_000);
  const writes = { ...b.writes };
  const runs = { bare: [] as Figures[], booking: [] as Figures[] };
  let ranOut = warm?.ranOut ?? true;
  for (let i = 0; i < TURNS && !ranOut; i += 1) {
    runs.bare.push(await drive(barePost, TURN, CONNECTIONS, await hook(`bare-${i}`)));
    const run = await book(`turn-${i}`, TURN.seconds, runs.booking.at(-1)?.rps ?? warm!.f.rps);
    if (run === undefined) break;
    runs.booking.push(run.f);
    ranOut = run.ranOut;
  }
  if (runs.booking.length === 0) return { rows: [], summary: 'booking: no free slots to book' };
  const base = { name: 'bare POST', f: summarise(runs.bare) };
  const f = summarise(runs.booking);
  const count = b.writes.count - writes.count;
  const turnsPgMs = pgMs.slice(1); // the warm-up's left out
  const after = (await b.store.listMeetings()).length;
  const writeMs = (b.writes.ms - writes.ms) / Math.max(1, count);
  const written =
    b.postgres === undefined
      ? `${f.calls} booked with ${count} store writes (${(count / f.calls).toFixed(2)} a booking ` +
        `for its 2 durable changes, ${writeMs.toFixed(0)} ms each)`
      : `${f.calls} booked, each its own PostgreSQL transactions` +
        (turnsPgMs.length === 0
          ? ''
          : `; the PostgreSQL backends ${median(turnsPgMs).toFixed(2)} ms CPU a booking ` +
            `(turns: ${turnsPgMs.map((ms) => ms.toFixed(2)).join(', ')}), autovacuum ` +
            `${median(vacuumMs.slice(1)).toFixed(2)} ms a booking besides`);
  return {
    rows: [row('bare POST', base.f), row('POST /chat/meetings', f, base)],
    summary:
      `booking: ${f.rps.toFixed(0)} bookings/s, ${pct(f.rps / base.f.rps)} of bare POST ` +
      `(${pct(base.f.cpuUs / f.cpuUs)} by CPU); turns ` +
      `${runs.booking.map((r) => r.rps.toFixed(0)).join(', ')}/s${ranOut ? ', free slots ran out' : ''}; ` +
      `${written}; ${(f.cpuUs / 1000).toFixed(2)} ms CPU a booking (main thread); store ${before.meetings} -> ` +
      `${after} meetings, ${mb(before.bytes)} -> ${mb(b.store.sizeBytes())}`,
  };
}

/** CONTENDED visitors at once for one slot: exactly min(agents free, N) may get it. */
async function measureContention(b: Bench, start: string, agentsFree: number) {
  const began = performance.now();
  const answers = await Promise.all(
    Array.from({ length: CONTENDED }, async (_, i) => {
      const t0 = performance.now();
      const answer = await fetch(`${b.chat}/chat/meetings`, {
        method: 'POST',
        headers: POST_HEADERS,
        body: JSON.stringify(bookingBody(start, `contended-${i}`)),
      });
      const body = (await answer.json()) as { error?: { code?: string } };
      return { status: answer.status, code: body.error?.code, ms: performance.now() - t0 };
    }),
  );
  const wallMs = performance.now() - began;
  const won = answers.filter((a) => a.status === 201).length;
  const lost = answers.filter((a) => a.status === 409 && a.code === 'SLOT_TAKEN').length;
  const others = answers.filter((a) => a.status !== 201 && a.code !== 'SLOT_TAKEN');
  const expected = Math.min(agentsFree, CONTENDED);
  const booked = (await b.store.listMeetings()).filter(
    (m) => m.start === Date.parse(start) && m.status === 'booked',
  );
  const twice = booked.length !== new Set(booked.map((m) => m.agentId)).size;
  const pass = won === expected && lost === CONTENDED - expected && booked.length === won && !twice;
  const ms = answers.map((a) => a.ms).sort((x, y) => x - y);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(0);
  const other = others.map((o) => `${o.status} ${o.code ?? ''}`).join(', ');
  return {
    pass,
    summary:
      `contention: ${CONTENDED} POSTs at once for ${start} (${agentsFree} agents free) in ` +
      `${wallMs.toFixed(0)} ms, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms: ${won} x 201, ` +
      `${lost} x 409 SLOT_TAKEN${others.length > 0 ? `, others: ${other}` : ''}; ` +
      `${booked.length} booked in the store${twice ? ', AN AGENT TWICE' : ''}: ` +
      `${pass ? 'PASS' : 'FAIL'} (expected ${expected} x 201)`,
  };
}

/**
 * PostgreSQL: the statements of one slots call and one booking, each explained (pg-explain.ts),
 * so a scan whose rows or buffers grow with the meetings kept shows at two BENCH_MEETINGS.
 */
async function explainPhase(b: Bench, url: string, start: string): Promise<void> {
  const path = `/chat/slots?days=7&timeZone=${encodeURIComponent(ZONE)}`;
  const request = (init?: RequestInit) => async () => {
    const answer = await fetch(b.chat + (init === undefined ? path : '/chat/meetings'), {
      headers: init === undefined ? { origin: SITE } : POST_HEADERS,
      ...init,
    });
    if (answer.status >= 300) throw new Error(`explain: ${answer.status} ${await answer.text()}`);
  };
  const body = JSON.stringify(bookingBody(start, 'explained'));
  for (const [name, work] of [
    ['GET /chat/slots', request()],
    ['POST /chat/meetings', request({ method: 'POST', body })],
  ] as const) {
    const { statements } = await captureStatements(work);
    const explained = await explainStatements(url, statements);
    const rows = explained.reduce((n, e) => n + e.rowsTouched, 0);
    const buffers = explained.reduce((n, e) => n + e.buffers, 0);
    console.log(
      `${name}: ${statements.length} statements, rows touched ${rows}, buffers ${buffers} ` +
        `(at ${MEETINGS} meetings)\n${formatExplained(explained)}`,
    );
  }
}

/* -------------------------------------- main -------------------------------------- */

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-booking-'));
  // The store logs each whole-document write at debug level: counted, with its time.
  const writes = { count: 0, ms: 0 };
  const logger = createLogger({
    level: 'debug',
    destination: {
      write: (line: string) => {
        if (!line.includes('"msg":"store written"')) return;
        writes.count += 1;
        writes.ms += Number(/"ms":(\d+)/.exec(line)?.[1] ?? 0);
      },
    },
  });
  const names = Array.from({ length: AGENTS }, (_, i) => agentOf(i, 0));
  const kind = storeKind();
  if (kind === 'memory') throw new Error('bench:booking: BENCH_STORE=json or postgres');
  const postgres = kind === 'postgres' ? await benchDatabase() : undefined;
  const service = await createService(
    loadConfig({
      DATA_FILE: join(dir, 'store.json'),
      ...(postgres === undefined ? {} : { DATABASE_URL: postgres.url }),
      PUBLIC_BASE_URL: 'http://127.0.0.1',
      SYNC_ENABLED: 'false',
      SANDBOX_PORT: '0',
      SANDBOX_LEADS: '0',
      ROUTING_AGENTS: names.map((a) => `${a.name} <${a.email}>`).join(';'),
    }),
    {
      logger,
      // Every call comes from 127.0.0.1, and the booking routes fix their own limits (60 and 20
      // a minute): every limiter is built out of reach, yet each call is still counted.
      createChatRateLimiter: (options) => createFlexibleRateLimiter({ ...options, limit: 1e9 }),
    },
  );
  const { store, meetings } = service;
  const heap: Array<[string, number]> = [['at start', heapMb()]];
  const closers: Array<() => void> = [];
  // The backends' CPU is read through a connection of its own, closed before the drop.
  const pgPool =
    postgres === undefined ? undefined : new pg.Pool({ connectionString: postgres.url, max: 1 });
  let pass = false;
  try {
    const now = systemClock.now();
    const configuration = createDefaultConfiguration();
    await store.saveChatConfiguration({ ...configuration, allowedDomains: ['www.example.com'] });
    // The service seeded ROUTING_AGENTS on the built-in calendar; each gets its time zone here.
    const agents = (await store.listAgents()).map((seeded, i) => ({
      ...agentOf(i, now),
      id: seeded.id,
    }));
    for (const agent of agents) await store.saveAgent(agent);
    const apps = await startApps(service.app);
    closers.push(apps.chat.close, apps.bare.close);
    const b: Bench = {
      ...{ dir, store, meetings, chat: apps.chat.url, bare: apps.bare.url, writes },
      postgres,
      backendCpu: pgPool === undefined ? undefined : createBackendCpuMeter(pgPool),
    };

    const listed = performance.now();
    const free = await listFreeSlots(b, agents, now);
    const seeding = performance.now();
    const listing = ((seeding - listed) / 1000).toFixed(1);
    const taken = await seedMeetings(b, free, now);
    const seconds = (t: number) => ((performance.now() - t) / 1000).toFixed(1);
    const { bookable, contended, agentsFree } = pooledFree(free, taken, now);
    heap.push([`${MEETINGS} meetings`, heapMb()]);
    const storeName = postgres === undefined ? 'JSON store' : `PostgreSQL (${postgres.label})`;
    console.log(
      `${storeName}: ${AGENTS} agents on the local calendar (${ZONES.slice(0, AGENTS).join(', ')}), ` +
        `free slots listed ${WEEKS} weeks ahead in ${listing} s, ${taken.size} meetings ` +
        `booked in ${seconds(seeding)} s (${mb(store.sizeBytes())}), ${bookable.length} left; ` +
        `${SECONDS} s per route and phase, ${CONNECTIONS} connections, turns of ${TURN.seconds} s`,
    );

    if (postgres !== undefined) await explainPhase(b, postgres.url, bookable.shift()!);
    const slots = await measureSlots(b);
    heap.push(['after slots', heapMb()]);
    const booking = await measureBooking(b, bookable);
    heap.push(['after booking', heapMb()]);
    const contention = await measureContention(b, contended, agentsFree);
    heap.push(['after contention', heapMb()]);
    pass = contention.pass;

    const cache = meetings.busyCache.stats();
    const memory =
      `memory: heap used ${heap.map(([when, v]) => `${v.toFixed(0)} MB ${when}`).join(', ')}; ` +
      `free/busy cache ${JSON.stringify(cache)}` +
      (cache.misses === 0 ? ' (local calendars have no busy times to fetch: never cached)' : '');
    console.log([...slots.rows, ...booking.rows].join('\n'));
    const rss = `rss ${memoryMb().rss.toFixed(0)} MB at the end; load average ${loadAverage()}`;
    console.log([slots.summary, booking.summary, contention.summary, memory, rss].join('\n'));
  } finally {
    for (const close of closers) close();
    await pgPool?.end();
    await service.stop();
    await postgres?.drop();
    await rm(dir, { recursive: true, force: true });
  }
  if (!pass) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
