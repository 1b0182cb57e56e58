/**
 * npm run bench:chat — the widget's public endpoints (the real router with its CORS and rate
 * limiter, on a JSON-file store holding BENCH_LEADS leads and five dialogues) beside a bare
 * Express route, in one process, over loopback, driven by autocannon in a worker thread:
 * - GET /chat/config, full answers (the whole published document);
 * - GET /chat/config with a matching If-None-Match (304s);
 * - POST /chat/resolve for known visitors: a Munchkin cookie Marketo associates with a stored
 *   lead (BENCH_LINKED such visitors; the cookie lookup's cache is warm, as it is for a visitor's
 *   second page), so the lead is looked up, targeted by its fields and the tokens rendered;
 * - POST /chat/resolve for anonymous visitors (a fresh anonymous id per call).
 * The baseline is a bare Express app doing what any real handler must: GET /bare answers
 * `{"ok":true}`; POST /bare parses the same JSON body with express.json (8 kB limit) and answers
 * `{"ok":true}`. Every chat route's ratio is against the bare route of its method.
 *
 * Phase 1, throughput: every route as fast as BENCH_CONNECTIONS connections go, in turns of 2 s
 * (a change of load on the machine hits all alike), medians of the turns. Besides req/s, the
 * server thread's CPU time per call: the req/s ratio moves with whatever else the machine runs,
 * the CPU ratio (bare's CPU per call / the route's) is the throughput ratio the routes would
 * reach with a core to themselves. At saturation the latency is mostly queueing.
 * Phase 2, latency: BENCH_LIGHT_CONNECTIONS connections (default 2) sending back to back, so a
 * request rarely waits for another: what a visitor waits for.
 *
 * With BENCH_STORE=postgres the store is PostgreSQL (BENCH_DATABASE_URL, or a database of the
 * run's own, created and dropped: pg-kit.ts), the leads written straight into the table by the
 * server (not through the store, which is not what is measured), and one more baseline:
 * POST /bare-query parses the same body and does the one indexed query a lookup must make
 * (SELECT ... FROM leads WHERE email_lower = $1, the visitor's email, on a pool of its own of
 * the store's size) and answers the row; the known visitors' resolve is compared with it too.
 * After the runs: the process's RSS and heap (the leads stay in the database).
 *
 * Env: BENCH_LEADS (100000), BENCH_LINKED (2000), BENCH_SECONDS (10 per route and phase),
 * BENCH_CONNECTIONS (20), BENCH_LIGHT_CONNECTIONS (2), BENCH_STORE (json|postgres, json).
 * Targets: >= 70% of the bare route's throughput; resolve p99 < 10 ms.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import pg from 'pg';
import type { Audience } from '../src/records/chat-targeting.js';
import type { Card } from '../src/records/chat-cards.js';
import type { Dialogue, DialogueContent } from '../src/records/chat-dialogue.js';
import { createChatPublicRoutes } from '../src/chat/chat-public-routes.js';
import { createMunchkinLookup, type MunchkinLookup } from '../src/chat/munchkin-lookup.js';
import { createDefaultConfiguration } from '../src/chat/default-configuration.js';
import { systemClock } from '../src/deps.js';
import { createErrorHandler } from '../src/http/error-handler.js';
import { silentLogger } from '../src/logger.js';
import { createJsonFileStore } from '../src/store/index.js';
import type { LeadUpsert, Store } from '../src/store/types.js';
import { drive, env, fmt, listen, pct, summarise, type Figures, type Target } from './bench-kit.js';
import { memoryMb, openBenchPostgres, seedLeadsInDatabase, storeKind } from './pg-kit.js';

const LEADS = env('BENCH_LEADS', 100_000);
const LINKED = Math.min(env('BENCH_LINKED', 2_000), LEADS);
const SECONDS = env('BENCH_SECONDS', 10);
const CONNECTIONS = env('BENCH_CONNECTIONS', 20);
const LIGHT_CONNECTIONS = env('BENCH_LIGHT_CONNECTIONS', 2);
const TURN_SECONDS = 2;
const SITE = 'https://www.example.com';
const NOW = new Date().toISOString();

/* ------------------------------------ fixtures ------------------------------------ */

/** Visitor i's lead, spread over the id range; the worker's hook repeats these formulas. */
const leadIdOf = (i: number) => 1 + ((i * 7919) % LEADS);
const emailOf = (id: number) => `lead.${id}@company${id % 3001}.example.com`;

/** A lead as the sync stores it: 14 default SYNC_FIELDS; one in four outside the US. */
function seedLead(id: number): LeadUpsert {
  const fields = {
    email: emailOf(id),
    firstName: `First${id}`,
    lastName: `Last${id}`,
    company: `Company ${id % 3001} Inc.`,
    title: 'Marketing Operations Manager',
    phone: `+1 (555) ${String(id % 1000).padStart(3, '0')}-0100`,
    country: id % 4 === 0 ? 'Germany' : 'United States',
    state: 'CA',
    city: 'San Francisco',
    industry: 'Software',
    leadSource: 'Website',
    leadStatus: 'Open',
    createdAt: '2025-03-14T09:26:53Z',
    updatedAt: '2026-11-20T17:02:11Z',
  };
  return { id, observedAt: systemClock.now() - 60_000, source: 'sync', fields };
}

const cards = (topic: string): Card[] => [
  {
    id: 'hi',
    type: 'message',
    text: `Hi {{lead.firstName:"there"}}! This is ${topic}.`,
    next: 'q',
  },
  {
    id: 'q',
    type: 'question',
    text: 'How can we help {{lead.company:"your team"}} today?',
    buttons: [
      { label: 'See a demo', value: 'demo', next: 'mail' },
      { label: 'Pricing', value: 'pricing', next: 'goal' },
      { label: 'Just looking', next: 'bye' },
    ],
  },
  { id: 'mail', type: 'email', text: 'Where can we reach you?', field: 'email', next: 'book' },
  {
    id: 'book',
    type: 'booking',
    text: 'Pick a time that suits you, {{lead.firstName:"friend"}}.',
    routing: 'round-robin',
    next: 'goal',
  },
  { id: 'goal', type: 'goal', name: `${topic} interest`, next: 'bye' },
  { id: 'bye', type: 'message', text: 'Thanks, and have a great day!', next: null },
];

const all: Audience = { visitors: 'all', match: 'all', groups: [] };
const usCustomers: Audience = {
  visitors: 'known',
  match: 'all',
  groups: [
    {
      match: 'all',
      conditions: [{ field: 'country', operator: 'equals', value: 'United States' }],
    },
  ],
};

function dialogue(
  id: string,
  name: string,
  audience: Audience,
  include: string[],
  priority: number,
  enabled = true,
): Dialogue {
  const content: DialogueContent = {
    name,
    audience,
    pages: { include, exclude: [`${SITE}/careers/*`] },
    priority,
    start: 'hi',
    cards: cards(name),
  };
  const published = { version: 1, content, publishedAt: NOW };
  return { id, enabled, draft: content, published, createdAt: NOW, updatedAt: NOW };
}

const DIALOGUES: Dialogue[] = [
  dialogue('welcome', 'Welcome', all, [`${SITE}/*`], 10),
  dialogue('anon-offer', 'Anonymous offer', { ...all, visitors: 'anonymous' }, [`${SITE}/*`], 20),
  dialogue('blog', 'Blog', all, [`${SITE}/blog/*`], 30),
  dialogue('pricing-us', 'Pricing (US)', usCustomers, [`${SITE}/pricing`, `${SITE}/pricing/*`], 50),
  dialogue('retired', 'Retired', all, ['*'], 900, false),
];

/** Visitor i's Munchkin cookie; the worker's hook repeats this formula. */
const cookieOf = (i: number) => `id:123-ABC-456&token:_mch-www.example.com-1764000000000-${i}`;

/** Marketo's cookie associations, in process, asked once per cookie to warm the cache. */
async function warmCookies(): Promise<MunchkinLookup> {
  const marketo = {
    getLeadsByCookie: async (cookie: string) => {
      const i = Number(cookie.slice(cookie.lastIndexOf('-') + 1));
      return { leads: [{ id: leadIdOf(i), email: emailOf(leadIdOf(i)) }], serverTime: undefined };
    },
  };
  const munchkin = createMunchkinLookup({
    marketo,
    clock: systemClock,
    logger: silentLogger,
    burst: LINKED,
  });
  for (let i = 0; i < LINKED; i += 1) await munchkin.leadFor(cookieOf(i));
  return munchkin;
}

async function seed(store: Store, pool: pg.Pool | undefined): Promise<void> {
  if (pool !== undefined) {
    await seedLeadsInDatabase(pool, { from: 1, to: LEADS, observedAt: systemClock.now() - 60_000 });
  } else {
    for (let id = 1; id <= LEADS; id += 1000) {
      const ids = Array.from({ length: Math.min(1000, LEADS - id + 1) }, (_, i) => id + i);
      await store.applyLeadChanges({ upserts: ids.map(seedLead) });
    }
  }
  await store.saveChatConfiguration({
    ...createDefaultConfiguration(),
    allowedDomains: ['www.example.com'],
  });
  for (const d of DIALOGUES) await store.saveDialogue(d);
  await store.flush();
}

/** autocannon's per-request hooks run in its worker, so they are files. */
const resolveHook = (known: boolean) => `
let n = 0;
const pages = ['${SITE}/pricing', '${SITE}/blog/chat-in-b2b', '${SITE}/', '${SITE}/product/tour'];
module.exports = (req) => {
  n += 1;
  const i = (n * 7919) % ${LINKED};
  const visitor = ${known}
    ? { anonymousId: 'bench-visitor-' + i, mktoTrk: 'id:123-ABC-456&token:_mch-www.example.com-1764000000000-' + i }
    : { anonymousId: 'anonymous-' + process.pid + '-' + n };
  req.body = JSON.stringify({ pageUrl: pages[n % pages.length], visitor });
  return req;
};
`;

/* ----------------------------------- baselines ----------------------------------- */

function bareApp(pool: pg.Pool | undefined): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/bare', (_req, res) => res.json({ ok: true }));
  app.post('/bare', express.json({ limit: '8kb' }), (req, res) => {
    if (typeof req.body !== 'object' || req.body === null) throw new Error('no JSON body');
    res.json({ ok: true });
  });
  if (pool === undefined) return app;
  // The least a known visitor's lookup must do: the body parsed, one indexed query, the row back.
  app.post('/bare-query', express.json({ limit: '8kb' }), (req, res, next) => {
    const cookie = String((req.body as { visitor?: { mktoTrk?: unknown } }).visitor?.mktoTrk);
    const email = emailOf(leadIdOf(Number(cookie.slice(cookie.lastIndexOf('-') + 1))));
    pool
      .query('SELECT id, fields, observed_at, source FROM leads WHERE email_lower = $1', [email])
      .then(({ rows }) => {
        if (rows.length !== 1) throw new Error(`bare-query: ${rows.length} leads for ${email}`);
        res.json({ ok: true, lead: rows[0] });
      })
      .catch(next);
  });
  return app;
}

/* ------------------------------------- main ------------------------------------- */

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-chat-'));
  const kind = storeKind();
  if (kind === 'memory') throw new Error('bench:chat: BENCH_STORE=json or postgres');
  const postgres = kind === 'postgres' ? await openBenchPostgres() : undefined;
  const store: Store =
    postgres?.store ?? (await createJsonFileStore({ file: join(dir, 'store.json') }));
  // The baseline's own pool, as large as the store's (createPostgresStore's default, 10).
  const barePool =
    postgres === undefined
      ? undefined
      : new pg.Pool({ connectionString: postgres.database.url, max: 10 });
  const closers: Array<() => void> = [];
  try {
    const seedStart = performance.now();
    await seed(store, postgres?.store.pool);
    await postgres?.store.refreshSize();
    const seeded = ((performance.now() - seedStart) / 1000).toFixed(1);

    const chatApp = express();
    chatApp.disable('x-powered-by');
    const routes = createChatPublicRoutes({
      store,
      clock: systemClock,
      logger: silentLogger,
      publicBaseUrl: 'http://127.0.0.1',
      munchkin: await warmCookies(),
      // Every call comes from 127.0.0.1: limits out of reach, yet the limiter counts each call.
      rateLimits: { config: 1e9, resolve: 1e9, events: 1e9 },
    });
    chatApp.use('/chat', routes);
    chatApp.use(createErrorHandler(silentLogger));
    const chat = await listen(chatApp);
    const bare = await listen(bareApp(barePool));
    closers.push(chat.close, bare.close);

    const config = await fetch(`${chat.url}/chat/config`, { headers: { origin: SITE } });
    const etag = config.headers.get('etag')!;
    const documentBytes = (await config.arrayBuffer()).byteLength;
    const probe = await fetch(`${chat.url}/chat/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: SITE },
      body: JSON.stringify({
        pageUrl: `${SITE}/pricing`,
        visitor: { anonymousId: 'bench-visitor-0', mktoTrk: cookieOf(0) },
      }),
    });
    const answer = JSON.stringify(await probe.json());
    if (!answer.includes(`Hi First${leadIdOf(0)}!`)) {
      throw new Error(`a known visitor is not personalised: ${answer.slice(0, 300)}`);
    }

    const knownHook = join(dir, 'resolve-known.cjs');
    const anonymousHook = join(dir, 'resolve-anonymous.cjs');
    await writeFile(knownHook, resolveHook(true));
    await writeFile(anonymousHook, resolveHook(false));
    const get = { origin: SITE };
    const post = { 'content-type': 'application/json', origin: SITE };
    const targets: Target[] = [
      { name: 'bare GET', url: bare.url, method: 'GET', path: '/bare', headers: get, status: 200 },
      {
        name: 'GET /chat/config (200)',
        url: chat.url,
        method: 'GET',
        path: '/chat/config',
        headers: get,
        status: 200,
      },
      {
        name: 'GET /chat/config (304)',
        ...{ url: chat.url, method: 'GET', path: '/chat/config', status: 304 },
        headers: { ...get, 'if-none-match': etag },
      },
      {
        name: 'bare POST',
        url: bare.url,
        method: 'POST',
        path: '/bare',
        headers: post,
        status: 200,
        setupRequest: knownHook,
      },
      ...(barePool === undefined
        ? []
        : [
            {
              name: 'bare POST + indexed query',
              url: bare.url,
              method: 'POST' as const,
              path: '/bare-query',
              headers: post,
              status: 200,
              setupRequest: knownHook,
            },
          ]),
      {
        name: 'POST /chat/resolve known',
        url: chat.url,
        method: 'POST',
        path: '/chat/resolve',
        headers: post,
        status: 200,
        setupRequest: knownHook,
      },
      {
        name: 'POST /chat/resolve anonymous',
        url: chat.url,
        method: 'POST',
        path: '/chat/resolve',
        headers: post,
        status: 200,
        setupRequest: anonymousHook,
      },
    ];
    const byName = (name: string) => targets.find((t) => t.name === name)!;

    const storeName =
      postgres === undefined ? 'JSON store' : `PostgreSQL store (${postgres.database.label})`;
    console.log(
      `${storeName}: ${await store.countLeads()} leads (${(store.sizeBytes() / 1e6).toFixed(1)} MB), ` +
        `${LINKED} linked visitors, ${DIALOGUES.length} dialogues, seeded in ${seeded} s; ` +
        `config document ${documentBytes} bytes`,
    );
    console.log(
      `throughput: ${SECONDS} s per route, ${CONNECTIONS} connections, turns of ${TURN_SECONDS} s`,
    );
    for (const target of targets) await drive(target, { seconds: 1 }, CONNECTIONS); // warm-up

    const runs = new Map<string, Figures[]>(targets.map((t) => [t.name, []]));
    const turns = Math.max(1, Math.round(SECONDS / TURN_SECONDS));
    for (let turn = 0; turn < turns; turn += 1) {
      for (const t of targets)
        runs.get(t.name)!.push(await drive(t, { seconds: SECONDS / turns }, CONNECTIONS));
    }
    const summary = (name: string): Figures => summarise(runs.get(name)!);
    const verdicts: string[] = [];
    for (const target of targets) {
      const f = summary(target.name);
      const baseName = target.method === 'GET' ? 'bare GET' : 'bare POST';
      const base = summary(baseName);
      const rpsRatio = f.rps / base.rps;
      const cpuRatio = base.cpuUs / f.cpuUs;
      const ratios =
        target.name === baseName || target.name === 'bare POST + indexed query'
          ? ''
          : `   ${pct(rpsRatio)} of ${baseName} by req/s, ${pct(cpuRatio)} by CPU per call`;
      console.log(`${target.name.padEnd(30)} ${fmt(f)}${ratios}`);
      if (target.path.startsWith('/chat/')) {
        const ok = rpsRatio >= 0.7 && cpuRatio >= 0.7 ? 'meets' : 'MISSES';
        verdicts.push(
          `${target.name}: ${pct(rpsRatio)} (req/s) / ${pct(cpuRatio)} (CPU) of ${baseName}: ${ok} >= 70%`,
        );
      }
    }
    if (barePool !== undefined) {
      // The baseline for a lookup on PostgreSQL: a bare POST doing one indexed query.
      const base = summary('bare POST + indexed query');
      const f = summary('POST /chat/resolve known');
      const [rpsRatio, cpuRatio] = [f.rps / base.rps, base.cpuUs / f.cpuUs];
      const ok = rpsRatio >= 0.7 ? 'meets' : 'MISSES';
      console.log(
        `${'POST /chat/resolve known'.padEnd(30)} ${pct(rpsRatio)} of bare POST + indexed query ` +
          `by req/s, ${pct(cpuRatio)} by CPU per call`,
      );
      verdicts.push(
        `POST /chat/resolve known: ${pct(rpsRatio)} (req/s) / ${pct(cpuRatio)} (CPU) of bare POST ` +
          `+ indexed query: ${ok} >= 70% (req/s)`,
      );
    }

    console.log(`latency: ${SECONDS} s per route, ${LIGHT_CONNECTIONS} connections back to back`);
    const light = [
      'bare POST',
      ...(barePool === undefined ? [] : ['bare POST + indexed query']),
      'POST /chat/resolve known',
      'POST /chat/resolve anonymous',
    ];
    for (const name of light) {
      const f = await drive(byName(name), { seconds: SECONDS }, LIGHT_CONNECTIONS);
      console.log(`${name.padEnd(30)} ${fmt(f)}`);
      if (name.startsWith('POST /chat/')) {
        verdicts.push(`${name}: p99 ${f.p99} ms ${f.p99 < 10 ? 'meets' : 'MISSES'} < 10 ms`);
      }
    }
    console.log(verdicts.join('\n'));
    const memory = memoryMb();
    console.log(
      `memory after the runs: rss ${memory.rss.toFixed(0)} MB, heap used ` +
        `${memory.heapUsed.toFixed(0)} MB (${await store.countLeads()} leads in the ${kind} store)`,
    );
  } finally {
    for (const close of closers) close();
    await barePool?.end();
    await (postgres?.close() ?? store.close());
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
