/**
 * npm run bench:chat — the widget's public endpoints (the real router, CORS and rate limiter
 * included, on a JSON-file store holding BENCH_LEADS leads and five dialogues) against a bare
 * Express route in the same process, all over loopback, driven by autocannon in a worker thread
 * with BENCH_CONNECTIONS connections:
 * - GET /chat/config, full answers (the whole published document, ~6 kB);
 * - GET /chat/config with a matching If-None-Match (304s);
 * - POST /chat/resolve for known visitors: each a stored lead's email, sent with the anonymous id
 *   that gave it in the chat (BENCH_LINKED such visitors), so the lead is looked up, targeted by
 *   its fields and the dialogue's tokens rendered for it;
 * - POST /chat/resolve for anonymous visitors (a fresh anonymous id per call).
 * The bare route answers `{"ok":true}` without reading the body (GET and POST alike): the
 * strictest baseline; "bare POST + body" also reads the JSON body, for reference. Routes run in
 * turn in rounds of 2 s, so a change of load on the machine hits all alike; the figures are the
 * medians of the rounds.
 *
 * Two phases: throughput at saturation (each route as fast as BENCH_CONNECTIONS connections
 * go: there, latency is mostly queueing, connections / throughput), then latency at a steady
 * BENCH_RATE requests/s (what a visitor waits for under a given load).
 *
 * Env: BENCH_LEADS (100000), BENCH_LINKED (2000), BENCH_SECONDS (10 per route),
 * BENCH_CONNECTIONS (20), BENCH_RATE (1000). Targets: each route >= 70% of the bare route's
 * throughput; resolve p99 < 10 ms.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import express from 'express';
import type { Audience, Card, Dialogue, DialogueContent } from '../src/chat/chat-contract.js';
import { createChatPublicRoutes } from '../src/chat/chat-public-routes.js';
import { createDefaultConfiguration } from '../src/chat/default-configuration.js';
import { createSequentialIds, systemClock } from '../src/deps.js';
import { createErrorHandler } from '../src/http/error-handler.js';
import { silentLogger } from '../src/logger.js';
import { createJsonFileStore } from '../src/store/index.js';
import type { LeadUpsert } from '../src/store/types.js';

const env = (key: string, fallback: number) => Number(process.env[key] ?? fallback);
const LEADS = env('BENCH_LEADS', 100_000);
const LINKED = Math.min(env('BENCH_LINKED', 2_000), LEADS);
const SECONDS = env('BENCH_SECONDS', 10);
const CONNECTIONS = env('BENCH_CONNECTIONS', 20);
const RATE = env('BENCH_RATE', 1000);
const ROUND_SECONDS = 2;
const SITE = 'https://www.example.com';
const NOW = new Date().toISOString();

/** Visitor i's lead: spread over the id range. */
const leadIdOf = (i: number) => 1 + ((i * 7919) % LEADS);
const emailOf = (id: number) => `lead.${id}@company${id % 3001}.example.com`;
const anonymousIdOf = (i: number) => `bench-visitor-${i}`;

function seedLead(id: number): LeadUpsert {
  return {
    id,
    observedAt: systemClock.now() - 60_000,
    source: 'sync',
    fields: {
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
    },
  };
}

function cards(topic: string): Card[] {
  return [
    { id: 'hi', type: 'message', text: `Hi {{lead.firstName:"there"}}! Welcome to ${topic}.`, next: 'q' },
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
    { id: 'book', type: 'booking', text: 'Pick a time that suits you, {{lead.firstName:"friend"}}.', routing: 'round-robin', next: 'goal' },
    { id: 'goal', type: 'goal', name: `${topic} interest`, next: 'bye' },
    { id: 'bye', type: 'message', text: 'Thanks, and have a great day!', next: null },
  ];
}

function dialogue(id: string, content: Omit<DialogueContent, 'start' | 'cards'>, enabled = true): Dialogue {
  const full: DialogueContent = { ...content, start: 'hi', cards: cards(content.name) };
  return { id, enabled, draft: full, published: { version: 1, content: full, publishedAt: NOW }, createdAt: NOW, updatedAt: NOW };
}

const all: Audience = { visitors: 'all', match: 'all', groups: [] };
const DIALOGUES: Dialogue[] = [
  dialogue('welcome', { name: 'Welcome', audience: all, pages: { include: [`${SITE}/*`], exclude: [`${SITE}/careers/*`] }, priority: 10 }),
  dialogue('anon-offer', { name: 'Anonymous offer', audience: { ...all, visitors: 'anonymous' }, pages: { include: [`${SITE}/*`], exclude: [] }, priority: 20 }),
  dialogue('blog', { name: 'Blog', audience: all, pages: { include: [`${SITE}/blog/*`], exclude: [] }, priority: 30 }),
  dialogue('pricing-us', {
    name: 'Pricing (US customers)',
    audience: { visitors: 'known', match: 'all', groups: [{ match: 'all', conditions: [{ field: 'country', operator: 'equals', value: 'United States' }] }] },
    pages: { include: [`${SITE}/pricing`, `${SITE}/pricing/*`], exclude: [] },
    priority: 50,
  }),
  dialogue('retired', { name: 'Retired', audience: all, pages: { include: ['*'], exclude: [] }, priority: 900 }, false),
];

/** autocannon's per-request hooks run in its worker, so they are files. */
const resolveHook = (known: boolean) => `
let n = 0;
const pages = ['${SITE}/pricing', '${SITE}/blog/chat-in-b2b', '${SITE}/', '${SITE}/product/tour'];
module.exports = (req) => {
  n += 1;
  const i = (n * 7919) % ${LINKED};
  const id = 1 + ((i * 7919) % ${LEADS});
  const visitor = ${known}
    ? { anonymousId: 'bench-visitor-' + i, email: 'lead.' + id + '@company' + (id % 3001) + '.example.com' }
    : { anonymousId: 'anonymous-' + process.pid + '-' + n };
  req.body = JSON.stringify({ pageUrl: pages[n % pages.length], visitor });
  return req;
};
`;

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  calls: number;
  /** Main-thread busy time per call (event-loop utilisation): what a call costs the server. */
  busyUs: number;
}

interface Scenario {
  name: string;
  url: () => string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  setupRequest?: string;
  status: number;
}

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function drive(scenario: Scenario, seconds: number, rate?: number): Promise<Figures> {
  const elu = performance.eventLoopUtilization();
  const result = await autocannon({
    url: scenario.url(),
    connections: CONNECTIONS,
    duration: seconds,
    workers: 1,
    ...(rate === undefined ? {} : { overallRate: rate }),
    requests: [
      {
        method: scenario.method,
        path: scenario.path,
        headers: scenario.headers,
        ...(scenario.setupRequest ? { setupRequest: scenario.setupRequest } : {}),
      },
    ],
  });
  const busy = performance.eventLoopUtilization(elu);
  const codes = Object.keys(result.statusCodeStats ?? {});
  if (result.errors + result.timeouts > 0 || codes.join() !== String(scenario.status)) {
    throw new Error(`${scenario.name}: unexpected answers ${JSON.stringify(result.statusCodeStats)}, ${result.errors} errors`);
  }
  return {
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    calls: result.requests.total,
    busyUs: (busy.active * 1000) / result.requests.total,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-chat-'));
  const store = await createJsonFileStore({ file: join(dir, 'store.json') });
  try {
    const seedStart = performance.now();
    for (let id = 1; id <= LEADS; id += 1000) {
      const ids = Array.from({ length: Math.min(1000, LEADS - id + 1) }, (_, i) => id + i);
      await store.applyLeadChanges({ upserts: ids.map(seedLead) });
    }
    await store.saveChatConfiguration({ ...createDefaultConfiguration(), allowedDomains: ['www.example.com'] });
    for (const d of DIALOGUES) await store.saveDialogue(d);
    // The known visitors gave their email in the chat: the store links their anonymous ids.
    for (let start = 0; start < LINKED; start += 500) {
      const batch = Array.from({ length: Math.min(500, LINKED - start) }, (_, k) => start + k);
      await Promise.all(
        batch.map((i) =>
          store.recordChatEvent({
            event: {
              type: 'email-given',
              dialogueId: 'welcome',
              dialogueVersion: 1,
              conversationId: `bench-conversation-${i}`,
              eventId: `bench-event-${i}`,
              pageUrl: `${SITE}/`,
              visitor: { anonymousId: anonymousIdOf(i) },
              value: emailOf(leadIdOf(i)),
            },
            now: systemClock.now(),
            counters: {},
            visitorEmail: emailOf(leadIdOf(i)),
          }),
        ),
      );
    }
    await store.flush();
    const seeded = ((performance.now() - seedStart) / 1000).toFixed(1);

    const chatApp = express();
    chatApp.disable('x-powered-by');
    chatApp.use(
      '/chat',
      createChatPublicRoutes({
        store,
        clock: systemClock,
        ids: createSequentialIds('bench'),
        logger: silentLogger,
        publicBaseUrl: 'http://127.0.0.1',
        // Every call comes from 127.0.0.1: limits far out of reach, the limiter still counts.
        rateLimits: { config: 1e9, resolve: 1e9, events: 1e9 },
      }),
    );
    chatApp.use(createErrorHandler(silentLogger));
    const bareApp = express();
    bareApp.disable('x-powered-by');
    bareApp.all('/bare', (_req, res) => res.json({ ok: true }));
    bareApp.post('/bare-body', express.json({ limit: 8192 }), (_req, res) => res.json({ ok: true }));
    const chat = await listen(chatApp);
    const bare = await listen(bareApp);

    const config = await fetch(`${chat.url}/chat/config`, { headers: { origin: SITE } });
    const etag = config.headers.get('etag')!;
    const documentBytes = (await config.arrayBuffer()).byteLength;
    const knownHook = join(dir, 'resolve-known.cjs');
    const anonymousHook = join(dir, 'resolve-anonymous.cjs');
    await writeFile(knownHook, resolveHook(true));
    await writeFile(anonymousHook, resolveHook(false));
    const check = await fetch(`${chat.url}/chat/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: SITE },
      body: JSON.stringify({ pageUrl: `${SITE}/pricing`, visitor: { anonymousId: anonymousIdOf(0), email: emailOf(leadIdOf(0)) } }),
    });
    const sample = (await check.json()) as { dialogue: { id: string; cards: Array<{ text?: string }> } | null; known: boolean };
    if (!sample.known || sample.dialogue?.cards[0]?.text?.includes(`First${leadIdOf(0)}`) !== true) {
      throw new Error(`known visitor not personalised: ${JSON.stringify(sample).slice(0, 300)}`);
    }

    const origin = { origin: SITE };
    const json = { 'content-type': 'application/json', origin: SITE };
    const scenarios: Scenario[] = [
      { name: 'bare GET', url: () => bare.url, method: 'GET', path: '/bare', headers: origin, status: 200 },
      { name: 'GET /chat/config (200)', url: () => chat.url, method: 'GET', path: '/chat/config', headers: origin, status: 200 },
      { name: 'GET /chat/config (304)', url: () => chat.url, method: 'GET', path: '/chat/config', headers: { ...origin, 'if-none-match': etag }, status: 304 },
      { name: 'bare POST', url: () => bare.url, method: 'POST', path: '/bare', headers: json, setupRequest: knownHook, status: 200 },
      { name: 'bare POST + body', url: () => bare.url, method: 'POST', path: '/bare-body', headers: json, setupRequest: knownHook, status: 200 },
      { name: 'POST /chat/resolve known', url: () => chat.url, method: 'POST', path: '/chat/resolve', headers: json, setupRequest: knownHook, status: 200 },
      { name: 'POST /chat/resolve anonymous', url: () => chat.url, method: 'POST', path: '/chat/resolve', headers: json, setupRequest: anonymousHook, status: 200 },
    ];

    console.log(
      `JSON store: ${store.countLeads()} leads, ${(store.sizeBytes() / 1e6).toFixed(1)} MB, ${LINKED} linked visitors, ` +
        `${DIALOGUES.length} dialogues (seeded in ${seeded} s); config document ${documentBytes} bytes; ` +
        `${SECONDS} s per route with ${CONNECTIONS} connections, in rounds of ${ROUND_SECONDS} s, after a warm-up`,
    );
    for (const scenario of scenarios) await drive(scenario, 1);

    const runs = new Map<string, Figures[]>(scenarios.map((s) => [s.name, []]));
    const rounds = Math.max(1, Math.round(SECONDS / ROUND_SECONDS));
    for (let round = 0; round < rounds; round += 1) {
      for (const scenario of scenarios) runs.get(scenario.name)!.push(await drive(scenario, SECONDS / rounds));
    }
    const summary = (name: string) => {
      const r = runs.get(name)!;
      return {
        rps: median(r.map((f) => f.rps)),
        p50: median(r.map((f) => f.p50)),
        p99: median(r.map((f) => f.p99)),
        worstP99: Math.max(...r.map((f) => f.p99)),
        busyUs: median(r.map((f) => f.busyUs)),
        calls: r.reduce((sum, f) => sum + f.calls, 0),
      };
    };
    const verdicts: string[] = [];
    for (const scenario of scenarios) {
      const f = summary(scenario.name);
      const baseName = scenario.method === 'GET' ? 'bare GET' : 'bare POST';
      const ratio = f.rps / summary(baseName).rps;
      const isBase = scenario.name === baseName;
      console.log(
        `${scenario.name.padEnd(30)} ${f.rps.toFixed(0).padStart(6)} req/s   p50 ${String(f.p50).padStart(2)} ms   ` +
          `p99 ${String(f.p99).padStart(2)} ms (worst round ${String(f.worstP99).padStart(2)})   ` +
          `busy ${f.busyUs.toFixed(0).padStart(3)} us/call` +
          (isBase ? '' : `   ${(ratio * 100).toFixed(0).padStart(3)}% of ${baseName}`),
      );
      if (scenario.path.startsWith('/chat/')) {
        verdicts.push(`${scenario.name}: ${(ratio * 100).toFixed(0)}% of ${baseName}, ${ratio >= 0.7 ? 'meets' : 'MISSES'} >= 70%`);
        if (scenario.path === '/chat/resolve') {
          verdicts.push(`${scenario.name} at saturation: p99 ${f.p99} ms ${f.p99 < 10 ? 'meets' : 'MISSES'} < 10 ms`);
        }
      }
    }

    console.log(`latency at a steady ${RATE} requests/s, ${SECONDS} s each:`);
    for (const name of ['bare POST', 'POST /chat/resolve known', 'POST /chat/resolve anonymous']) {
      const scenario = scenarios.find((s) => s.name === name)!;
      const f = await drive(scenario, SECONDS, RATE);
      console.log(
        `${name.padEnd(30)} ${f.rps.toFixed(0).padStart(6)} req/s   p50 ${String(f.p50).padStart(2)} ms   p99 ${String(f.p99).padStart(2)} ms   busy ${f.busyUs.toFixed(0).padStart(3)} us/call`,
      );
      if (name !== 'bare POST') {
        verdicts.push(`${name} at ${RATE}/s: p99 ${f.p99} ms ${f.p99 < 10 ? 'meets' : 'MISSES'} < 10 ms`);
      }
    }
    console.log(verdicts.join('\n'));
    chat.server.close();
    bare.server.close();
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
