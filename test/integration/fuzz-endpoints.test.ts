import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRoutes, type RouteEntry } from '../../src/http/route-list.js';
import { createLogger } from '../../src/logger.js';
import { createService, type Service } from '../../src/service.js';
import { invocation } from '../fixtures/ssfs/flow-steps-harness.js';
import { ADMIN_AUTH, createTestConfig, TEST_SECRETS } from '../helpers/test-service.js';

/**
 * Issue 13, promise 3 ("bad input never gets a 5xx"): every route the app serves (listRoutes, so
 * a route added later is fuzzed without touching this file), with the right credential so the
 * input reaches validation, gets malformed, wrongly typed, oversized and hostile input. Each
 * answer is a 4xx with a JSON error (or a 2xx/3xx where the input happened to be valid), never
 * a 5xx; afterwards the process answers /health, Object.prototype is untouched, and the heap has
 * not grown without bound. fast-check runs with a fixed seed and a fixed number of runs.
 */

const SEED = 1313;

/** The credential each route needs to get past authentication (see security-route-auth). */
function credentialFor(path: string): Record<string, string> {
  if (path.startsWith('/api/') || path === '/metrics') return ADMIN_AUTH;
  if (path.startsWith('/webhooks/marketo/'))
    return { 'x-webhook-secret': TEST_SECRETS.WEBHOOK_SECRET };
  if (path.startsWith('/flow-steps/')) return { 'x-api-key': TEST_SECRETS.SSFS_API_KEY };
  return {};
}

/**
 * The pages a browser opens: their refusals are pages too (the visitor reads them), so a 4xx
 * there may be HTML. Every other route's 4xx must be the JSON error.
 */
const PAGE_ROUTES = new Set([
  'GET /transcripts/:conversationId',
  'GET /chat/book',
  'GET /chat/book/confirm',
  'POST /chat/book',
  'GET /chat/meetings/manage/:token',
  'GET /chat/meetings/manage/:token/cancel',
  'POST /chat/meetings/manage/:token/cancel',
  'GET /chat/meetings/manage/:token/reschedule',
  'POST /chat/meetings/manage/:token/reschedule',
  'GET /oauth/calendar/callback',
  'GET /console',
]);

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

interface Attempt {
  route: RouteEntry;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
  /** Another method than the route's (the route's when undefined). */
  method?: string | undefined;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function send(port: number, attempt: Attempt): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        agent,
        method: attempt.method ?? attempt.route.method,
        path: attempt.path,
        headers: {
          ...credentialFor(attempt.route.path),
          ...attempt.headers,
          ...(attempt.body === undefined ? {} : { 'content-length': attempt.body.length }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(attempt.body);
  });
}

/** What every answer must be; returns a description of the breach, or undefined. */
function breachOf(attempt: Attempt, answer: Answer): string | undefined {
  const name = `${attempt.route.method} ${attempt.route.path}`;
  const what = `${name} as ${attempt.method ?? attempt.route.method} ${attempt.path.slice(0, 200)} [${JSON.stringify(attempt.headers).slice(0, 200)}] body ${attempt.body?.subarray(0, 120).toString('latin1') ?? '-'}: ${answer.status} ${answer.body.slice(0, 300)}`;
  if (answer.status >= 500) return `5xx: ${what}`;
  if (answer.status < 400) return undefined;
  if (PAGE_ROUTES.has(name) && /^text\/html/.test(answer.contentType)) return undefined;
  if (!/^application\/json/.test(answer.contentType)) return `4xx not JSON: ${what}`;
  try {
    const parsed = JSON.parse(answer.body) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed.error?.code !== 'string' || typeof parsed.error.message !== 'string')
      return `4xx without error.code/message: ${what}`;
  } catch {
    return `4xx with an unparseable body: ${what}`;
  }
  return undefined;
}

// ---- Generators ---------------------------------------------------------------------------

const hostileSegments = [
  '%',
  '%zz',
  '%00',
  '%E0%A4%A',
  '%C0%AE%C0%AE',
  '..',
  '%2e%2e%2f',
  '__proto__',
  'constructor',
  'prototype',
  'a'.repeat(4000),
  '%F0%9F%92%A9',
  '-1',
  '1e400',
  'NaN',
  '0x10',
];

const segmentArb = fc.oneof(
  fc.constantFrom(...hostileSegments),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map(encodeURIComponent),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
);

const fieldNames = [
  '__proto__',
  'constructor',
  'prototype',
  'id',
  'email',
  'type',
  'dialogueId',
  'conversationId',
  'anonymousId',
  'leadId',
  'agentId',
  'token',
  'password',
  'name',
  'start',
  'end',
  'timeZone',
  'slot',
  'url',
  'page',
  'callbackUrl',
  'apiCallBackKey',
  'objectData',
  'context',
  'status',
  'rules',
  'order',
  'limit',
  'from',
  'to',
  'cursor',
  'cards',
  'draft',
  'settings',
  'enabled',
  'weight',
  'leadData',
];

const queryKeyArb = fc.oneof(
  fc.constantFrom(
    ...fieldNames,
    'secret',
    'expires',
    'signature',
    'state',
    'code',
    'error',
    'a[b][c]',
    '__proto__[polluted]',
    'constructor[prototype][polluted]',
  ),
  fc.string({ maxLength: 10 }),
);
const queryValueArb = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', '-1', '1e400', 'NaN', 'true', '[]', '{}', 'x'.repeat(3000), '2026-02-30'),
  fc.integer().map(String),
);
/** A query string; keys repeat, so Express sees arrays where a string is expected. */
const queryArb = fc
  .array(fc.tuple(queryKeyArb, queryValueArb), { maxLength: 6 })
  .map((pairs) =>
    pairs.length === 0
      ? ''
      : `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`,
  );

/** JSON values of the wrong type for any field. */
const wrongValueArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, -1, 1e308, '', 'x'.repeat(20_000), [], {}, [[[]]], '1e400'),
);

const objectBodyArb = fc.dictionary(fc.constantFrom(...fieldNames), wrongValueArb, {
  maxKeys: 6,
});

const textEncodings = {
  utf8: (text: string) => Buffer.from(text, 'utf8'),
  utf16WithBom: (text: string) =>
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
  latin1: (text: string) => Buffer.from(text, 'latin1'),
  invalidUtf8: (text: string) =>
    Buffer.concat([
      Buffer.from(text.slice(0, 5)),
      Buffer.from([0xff, 0xc3, 0x28, 0xa0]),
      Buffer.from(text.slice(5)),
    ]),
};

const bodyTextArb = fc.oneof(
  objectBodyArb.map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    '{',
    '{"a":',
    '{"a":1,}',
    "{'a':1}",
    'null',
    '"str"',
    '[]',
    'NaN',
    '{"__proto__":{"polluted":"yes"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '{"a":{"__proto__":{"polluted":"yes"}},"constructor":{"prototype":{"polluted":"yes"}}}',
    '\u0000',
    'a=1&b=2&__proto__[polluted]=yes',
  ),
);

const contentTypeArb = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'text/plain',
  'text/plain; charset=iso-8859-1',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=zz',
  'application/xml',
  'text/html',
  '*/*',
  'application/json; boundary',
  ';;;',
);

const attemptArb = (routes: RouteEntry[]) =>
  fc
    .record({
      route: fc.constantFrom(...routes),
      // Mostly the route's own method; sometimes one it does not serve.
      method: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 4 },
        {
          arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
          weight: 1,
        },
      ),
      segments: fc.array(segmentArb, { minLength: 3, maxLength: 3 }),
      query: queryArb,
      contentType: fc.option(contentTypeArb, { nil: undefined }),
      encoding: fc.constantFrom(
        ...(Object.keys(textEncodings) as Array<keyof typeof textEncodings>),
      ),
      text: fc.option(bodyTextArb, { nil: undefined }),
      accept: fc.constantFrom(undefined, 'text/html', 'application/json', '*/*'),
    })
    .map(({ route, method, segments, query, contentType, encoding, text, accept }): Attempt => {
      let i = 0;
      const path = route.path.replace(/:[A-Za-z]+/g, () => segments[i++ % segments.length]!);
      return {
        route,
        method,
        path: `${path}${query}`,
        headers: {
          ...(contentType === undefined ? {} : { 'content-type': contentType }),
          ...(accept === undefined ? {} : { accept }),
        },
        body: text === undefined ? undefined : textEncodings[encoding](text),
      };
    });

// ---- The service --------------------------------------------------------------------------

describe('fuzz: bad input never gets a 5xx', () => {
  let dir = '';
  let service: Service;
  let server: http.Server;
  let port = 0;
  let routes: RouteEntry[] = [];
  const errorLines: string[] = [];
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  beforeAll(async () => {
    // /widget.js serves the built bundle and answers 503 WIDGET_NOT_BUILT without it, whatever
    // the input: build it, as widget-routes.test.ts does, so the route is fuzzed for real.
    const build = (await import(
      pathToFileURL(fileURLToPath(new URL('../../scripts/build-widget.mjs', import.meta.url))).href
    )) as { ensureWidgetBuilt(): Promise<unknown> };
    await build.ensureWidgetBuilt();
    dir = await mkdtemp(join(tmpdir(), 'fuzz-'));
    const config = createTestConfig({
      DATA_FILE: join(dir, 'store.json'),
      SANDBOX_PORT: '0',
      SANDBOX_LEADS: '20',
    });
    // Errors are kept so a 5xx found here comes with its cause.
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        errorLines.push(chunk.toString());
        done();
      },
    });
    service = await createService(config, {
      logger: createLogger({ level: 'error', destination }),
      // The chat's per-client limits would answer 429 before validation: let every call through.
      createChatRateLimiter: ({ limit, windowMs }) => ({
        limit,
        windowMs,
        hit: () => Promise.resolve({ allowed: true, remaining: limit, resetMs: windowMs }),
      }),
    });
    routes = listRoutes(service.app);
    // main.ts's timeouts (30 s request, 10 s headers), shortened: a body that never comes ends
    // here within a second, and the check runs every 100 ms instead of Node's 30 s.
    server = http.createServer(
      { requestTimeout: 1_000, headersTimeout: 1_000, connectionsCheckingInterval: 100 },
      service.app,
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  }, 60_000);

  afterAll(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await service.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function expectHealthy() {
    const health = await send(port, {
      route: { method: 'GET', path: '/health' },
      path: '/health',
      headers: {},
    });
    expect(health.status).toBe(200);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  }

  async function expectAll(attempts: Attempt[]) {
    const breaches: string[] = [];
    for (const attempt of attempts) {
      const breach = breachOf(attempt, await send(port, attempt));
      if (breach !== undefined) breaches.push(breach);
    }
    expect(breaches, errorLines.join('\n').slice(0, 4000)).toEqual([]);
  }

  it('when random paths, queries, content types, encodings and bodies hit every route, then never a 5xx and every 4xx is a JSON error', async () => {
    expect(routes.length).toBeGreaterThan(60);
    const heapBefore = heapUsed();
    await fc.assert(
      fc.asyncProperty(attemptArb(routes), async (attempt) => {
        const breach = breachOf(attempt, await send(port, attempt));
        if (breach !== undefined) throw new Error(`${breach}\n${errorLines.slice(-3).join('\n')}`);
      }),
      { seed: SEED, numRuns: 1500, endOnFailure: true },
    );
    await expectHealthy();
    // Generous: the service caches bounded things (published chat, origin decisions, lookups);
    // an input that is kept per request would grow far past this over 1,500 requests.
    console.log('HEAP GROWTH', heapUsed() - heapBefore);
    expect(heapUsed() - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('when a valid body of a route has one field replaced by a wrong type, removed, or given a pollution key, then never a 5xx', async () => {
    const seeds = await validBodies(port);
    expect(seeds.length).toBeGreaterThanOrEqual(10);
    const mutationArb = fc.record({
      seed: fc.constantFrom(...seeds),
      pick: fc.nat(),
      change: fc.oneof(
        wrongValueArb.map((value) => ({ kind: 'replace' as const, value })),
        fc.constant({ kind: 'remove' as const }),
        fc.constant({ kind: 'pollute' as const }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(mutationArb, async ({ seed, pick, change }) => {
        const body = mutate(seed.body, pick, change);
        const attempt: Attempt = {
          route: seed.route,
          path: seed.path,
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(body),
        };
        const breach = breachOf(attempt, await send(port, attempt));
        if (breach !== undefined) throw new Error(`${breach}\n${errorLines.slice(-3).join('\n')}`);
      }),
      { seed: SEED, numRuns: 600, endOnFailure: true },
    );
    await expectHealthy();
  });

  it('when every route gets each hostile body (deep JSON, pollution keys, bad encodings, over the limits), then never a 5xx, and the process is healthy and unpolluted', async () => {
    const deepArray = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const hostile: Array<[string, Buffer]> = [
      ['deep array', Buffer.from(deepArray)],
      ['deep object', Buffer.from(deepObject)],
      ['deep value in a field', Buffer.from(`{"id":5,"email":"a@b.co","x":${deepArray}}`)],
      ['__proto__', Buffer.from('{"__proto__":{"polluted":"yes"},"id":5}')],
      ['constructor.prototype', Buffer.from('{"constructor":{"prototype":{"polluted":"yes"}}}')],
      [
        'nested __proto__',
        Buffer.from(
          '{"settings":{"__proto__":{"polluted":"yes"}},"cards":[{"__proto__":{"polluted":"yes"}}]}',
        ),
      ],
      [
        'invalid UTF-8',
        Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
      ],
      [
        'UTF-16 with BOM',
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"id":5}', 'utf16le')]),
      ],
      ['UTF-8 BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"id":5}')])],
      ['a string over 8 kB', Buffer.from(JSON.stringify({ id: 5, email: 'x'.repeat(9_000) }))],
      ['a string over 100 kB', Buffer.from(JSON.stringify({ id: 5, name: 'x'.repeat(110_000) }))],
      ['a body over 5 MB', Buffer.alloc(5.5 * 1024 * 1024, 0x20)],
      [
        'many keys',
        Buffer.from(
          JSON.stringify(Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]))),
        ),
      ],
    ];
    const types = ['application/json', 'application/json; charset=latin1', 'text/plain'];
    const attempts: Attempt[] = [];
    for (const route of routes) {
      if (route.method === 'GET') continue;
      const path = route.path.replace(/:[A-Za-z]+/g, 'x0000001');
      for (const [, body] of hostile)
        // The 5.5 MB body once per route: its size is the point, not its type.
        for (const type of body.length > 1024 * 1024 ? types.slice(0, 1) : types)
          attempts.push({ route, path, headers: { 'content-type': type }, body });
    }
    const heapBefore = heapUsed();
    await expectAll(attempts);
    await expectHealthy();
    expect(heapUsed() - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('when every route gets hostile path parameters and repeated query keys, then never a 5xx', async () => {
    const attempts: Attempt[] = [];
    for (const route of routes) {
      for (const segment of hostileSegments) {
        const path = route.path.replace(/:[A-Za-z]+/g, segment);
        const query = `?limit=1&limit=2&from=a&from=b&cursor=x&cursor=y&secret=a&secret=b&expires=1&expires=2&signature=a&signature=b&state=a&state=b&code=a&code=b&__proto__=x&constructor[prototype][polluted]=yes`;
        attempts.push({ route, path: `${path}${query}`, headers: {} });
        if (!route.path.includes(':')) break;
      }
    }
    await expectAll(attempts);
    await expectHealthy();
  });

  it('when an admin or flow-step body comes in a charset or Content-Encoding the parser cannot read, then 415 naming the body, not a generic refusal', async () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      [
        '/api/configuration',
        { 'content-type': 'application/json; charset=latin1' },
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      [
        '/api/configuration',
        { 'content-type': 'application/json', 'content-encoding': 'compress' },
        'UNSUPPORTED_ENCODING',
      ],
      [
        '/flow-steps/getPicklist',
        { 'content-type': 'application/json; charset=iso-8859-1' },
        'UNSUPPORTED_MEDIA_TYPE',
      ],
    ];
    for (const [path, headers, code] of cases) {
      const route = routes.find((r) => r.path === path)!;
      const answer = await send(port, { route, path, headers, body: Buffer.from('{}') });
      expect(answer.status, path).toBe(415);
      expect(JSON.parse(answer.body), path).toEqual({
        error: { code, message: expect.any(String), field: 'body' },
      });
    }
  });

  it('when a body promises more bytes than it sends, then the answer is a 4xx (or the connection closes) within the bounded request time, never a 5xx', async () => {
    const posts = routes.filter((r) => r.method !== 'GET');
    // At once: each waits for the bounded request time, one second at most.
    const results = await Promise.all(
      posts.map(async (route) => {
        const path = route.path.replace(/:[A-Za-z]+/g, 'x0000001');
        const head = [
          `${route.method} ${path} HTTP/1.1`,
          'Host: 127.0.0.1',
          'Content-Type: application/json',
          'Content-Length: 1000',
          'Connection: close',
          ...Object.entries(credentialFor(route.path)).map(([k, v]) => `${k}: ${v}`),
          '',
          '',
        ].join('\r\n');
        const answer = await rawExchange(port, `${head}{"id":`, 3_000);
        return { route: `${route.method} ${route.path}`, ...answer };
      }),
    );
    for (const answer of results) {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer.text)?.[1];
      // Node answers 408 itself when the request time runs out; the route may answer first.
      expect(answer.timedOut, `${answer.route} still open`).toBe(false);
      if (status !== undefined)
        expect(Number(status), `${answer.route}: ${answer.text.slice(0, 200)}`).toBeLessThan(500);
    }
    await expectHealthy();
  });
});

type Change = { kind: 'replace'; value: unknown } | { kind: 'remove' } | { kind: 'pollute' };

/** Every path to a value inside `value` (objects and arrays), the root included. */
function pathsOf(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const here = [at];
  if (Array.isArray(value)) return here.concat(...value.map((v, i) => pathsOf(v, [...at, i])));
  if (value !== null && typeof value === 'object')
    return here.concat(...Object.entries(value).map(([k, v]) => pathsOf(v, [...at, k])));
  return here;
}

/**
 * The JSON text of `value` with the `pick`-th path changed. Built as text for `pollute`, since
 * an object literal's `__proto__` key would set the prototype instead of making a key.
 */
function mutate(value: unknown, pick: number, change: Change): string {
  const copy = structuredClone(value) as unknown;
  const paths = pathsOf(copy);
  const path = paths[pick % paths.length]!;
  if (path.length === 0) {
    if (change.kind === 'replace') return JSON.stringify(change.value);
    if (change.kind === 'remove') return '';
    return JSON.stringify(copy).replace(/^\{/, '{"__proto__":{"polluted":"yes"},');
  }
  const parent = path
    .slice(0, -1)
    .reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], copy) as Record<
    string | number,
    unknown
  >;
  const key = path[path.length - 1]!;
  const MARK = '"__mutation_mark__"';
  if (change.kind === 'replace') parent[key] = change.value;
  else if (change.kind === 'remove') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else parent[key] = JSON.parse(MARK) as unknown;
  const text = JSON.stringify(copy);
  return change.kind === 'pollute'
    ? text.replace(
        MARK,
        '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}',
      )
    : text;
}

interface Seed {
  route: RouteEntry;
  path: string;
  body: unknown;
}

/** A valid body for the routes that take one, read from the running service where it can. */
async function validBodies(port: number): Promise<Seed[]> {
  const get = async (path: string, headers: Record<string, string> = ADMIN_AUTH) => {
    const answer = await send(port, { route: { method: 'GET', path }, path, headers });
    return JSON.parse(answer.body) as Record<string, unknown>;
  };
  const seed = (method: string, path: string, body: unknown, concretePath = path): Seed => ({
    route: { method, path },
    path: concretePath,
    body,
  });
  const agents = (await get('/api/agents'))['agents'] as Array<{ id: string }>;
  const dialogues = ((await get('/chat/config', {}))['dialogues'] ?? []) as Array<{
    id: string;
    version: number;
  }>;
  const demo = dialogues[0] ?? { id: 'none', version: 1 };
  const visitor = { anonymousId: 'fuzz-visitor-0001', email: 'fuzz@example.org' };
  const page = 'http://localhost:3000/demo';
  return [
    seed('PUT', '/api/configuration', await get('/api/configuration')),
    seed('PUT', '/api/routing/settings', await get('/api/routing/settings')),
    seed('POST', '/api/agents', {
      name: 'Fuzz',
      email: 'fuzz.agent@example.com',
      timeZone: 'Europe/Berlin',
    }),
    seed(
      'PATCH',
      '/api/agents/:id',
      { name: 'Renamed', weight: 2 },
      `/api/agents/${agents[0]?.id ?? 'x'}`,
    ),
    seed('PUT', '/api/agents/order', { order: agents.map((a) => a.id) }),
    seed(
      'POST',
      '/api/agents/:id/calendar/connect',
      { provider: 'local' },
      `/api/agents/${agents[0]?.id ?? 'x'}/calendar/connect`,
    ),
    seed('POST', '/webhooks/marketo/lead', {
      id: 5,
      email: 'lead@example.org',
      firstName: 'Ada',
      score: 3,
    }),
    seed('POST', '/webhooks/marketo/assign-agent', { id: 5, email: 'lead@example.org' }),
    seed('POST', '/flow-steps/submitAsyncAction', invocation()),
    seed('POST', '/flow-steps/getPicklist', { name: 'routingPool', type: 'flow' }),
    seed('POST', '/chat/resolve', { pageUrl: page, visitor }),
    seed('POST', '/chat/events', {
      type: 'engaged',
      dialogueId: demo.id,
      dialogueVersion: demo.version,
      conversationId: 'fuzz-conversation-1',
      eventId: 'fuzz-event-0001',
      pageUrl: page,
      visitor,
      cardsSeen: ['hello'],
      language: 'en',
    }),
    seed('POST', '/chat/meetings', {
      start: '2030-01-02T09:00:00.000Z',
      email: 'fuzz@example.org',
      timeZone: 'Europe/Berlin',
    }),
    seed('POST', '/console/session', { token: 'not-the-token' }),
  ];
}

/**
 * The heap in use after a full collection. vitest's workers run without --expose-gc, so the
 * flag is set at run time and `gc` taken from a fresh context (V8 exposes it to contexts made
 * after the flag is set).
 */
function heapUsed(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  return process.memoryUsage().heapUsed;
}

/** Writes `data` on a fresh socket and reads until the server closes it or `boundMs` passes. */
function rawExchange(
  port: number,
  data: string,
  boundMs: number,
): Promise<{ text: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const bound = setTimeout(() => {
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), timedOut: true });
    }, boundMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(bound);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), timedOut: false });
    });
    socket.write(data);
  });
}
