import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { listRoutes, type RouteEntry } from '../../src/http/route-list.js';
import type { Service } from '../../src/service.js';
import { ADMIN_AUTH, TEST_SECRETS, useSandboxServices } from '../helpers/test-service.js';

/**
 * Issue 13, promise 4 ("no one in where they don't belong"): every route the app serves, read
 * from the app (listRoutes), is classified here by hand. A route missing from this table fails
 * the test with its name, so a new route has to be given a kind (and so a credential) on purpose.
 *
 * - admin: `Authorization: Bearer ADMIN_TOKEN`, or a console session cookie (+ x-csrf-token on a
 *   change): src/admin/console-auth.ts;
 * - metrics: the admin token or METRICS_TOKEN (added by the operability branch);
 * - webhook: Marketo Call Webhook, `x-webhook-secret` (webhooks/marketo/webhook-auth.ts);
 * - ssfs: Self-Service Flow Steps, `x-api-key`. Adobe's SPI (vendor/marketo-ssfs-spi/
 *   CFA-Swagger.yaml) puts `security: apiKey` at the root, so every SPI path is authenticated;
 *   only our service document (openapi.json) is public, since Marketo reads it at install;
 * - public: the widget and chat (CORS + rate limit, visitor-isolation tests), pages whose
 *   capability is in the URL (manage token, signed transcript link, OAuth state), health and the
 *   console's own sign-in.
 */
type Kind = 'admin' | 'metrics' | 'webhook' | 'ssfs' | 'public';

const ROUTE_KINDS: Record<string, Kind> = {
  'GET /health': 'public',
  'GET /ready': 'public',
  'GET /metrics': 'metrics',
  'GET /openapi.json': 'public',
  // The console: the page and its sign-in are public; the session decides /api.
  'POST /console/session': 'public',
  'GET /console/session': 'public',
  'DELETE /console/session': 'public',
  'GET /console': 'public',
  // The widget's chat and booking: visitors, no credential (CORS and rate limits).
  'GET /chat/config': 'public',
  'POST /chat/resolve': 'public',
  'POST /chat/events': 'public',
  'GET /chat/slots': 'public',
  'POST /chat/meetings': 'public',
  'POST /chat/branch': 'public',
  'GET /chat/book': 'public',
  'GET /chat/book/confirm': 'public',
  'POST /chat/book': 'public',
  // The visitor's meeting links: the unguessable manage token is the credential.
  'GET /chat/meetings/manage/:token': 'public',
  'GET /chat/meetings/manage/:token/slots': 'public',
  'GET /chat/meetings/manage/:token/cancel': 'public',
  'POST /chat/meetings/manage/:token/cancel': 'public',
  'GET /chat/meetings/manage/:token/reschedule': 'public',
  'POST /chat/meetings/manage/:token/reschedule': 'public',
  'GET /chat/meetings/manage/:token/invite.ics': 'public',
  // The provider's redirect: the signed OAuth state is the credential.
  'GET /oauth/calendar/callback': 'public',
  // The signed, expiring transcript link.
  'GET /transcripts/:conversationId': 'public',
  'GET /widget.js': 'public',
  'GET /demo': 'public',
  'GET /demo-events.js': 'public',
  'POST /webhooks/marketo/lead': 'webhook',
  'POST /webhooks/marketo/assign-agent': 'webhook',
  'GET /flow-steps/openapi.json': 'public',
  'POST /flow-steps/submitAsyncAction': 'ssfs',
  'GET /flow-steps/getServiceDefinition': 'ssfs',
  'GET /flow-steps/status': 'ssfs',
  'POST /flow-steps/getPicklist': 'ssfs',
  'GET /flow-steps/providerInstructions': 'ssfs',
  'GET /flow-steps/brandIcon': 'ssfs',
  'GET /flow-steps/serviceIcon': 'ssfs',
};

/** Everything under /api is the admin API (src/app.ts mounts it behind adminAccess). */
function kindOf(route: RouteEntry): Kind | undefined {
  if (route.path.startsWith('/api/')) return 'admin';
  return ROUTE_KINDS[`${route.method} ${route.path}`];
}

/** A concrete path: each `:param` becomes a plausible value. */
const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, 'x0000001');

function call(service: Service, route: RouteEntry, headers: Record<string, string>) {
  const agent = request(service.app);
  const path = concrete(route.path);
  const req =
    route.method === 'GET'
      ? agent.get(path)
      : route.method === 'POST'
        ? agent.post(path)
        : route.method === 'PUT'
          ? agent.put(path)
          : route.method === 'PATCH'
            ? agent.patch(path)
            : agent.delete(path);
  req.set(headers);
  return route.method === 'GET' || route.method === 'DELETE' ? req : req.send({});
}

/** A value as long as `secret`, differing in its last character. */
function sameLengthWrong(secret: string): string {
  return `${secret.slice(0, -1)}${secret.endsWith('x') ? 'y' : 'x'}`;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Wrong credentials per kind: none, wrong, same length, and the other kinds' secrets. */
const REFUSED: Record<Exclude<Kind, 'public'>, Array<[string, Record<string, string>]>> = {
  admin: [
    ['no credential', {}],
    ['a wrong bearer token', bearer('wrong')],
    ['a same-length wrong bearer token', bearer(sameLengthWrong(TEST_SECRETS.ADMIN_TOKEN))],
    ['the token without "Bearer"', { Authorization: TEST_SECRETS.ADMIN_TOKEN }],
    ['the token as Basic credentials', { Authorization: `Basic ${TEST_SECRETS.ADMIN_TOKEN}` }],
    ['the webhook secret as bearer', bearer(TEST_SECRETS.WEBHOOK_SECRET)],
    ['the webhook secret header', { 'x-webhook-secret': TEST_SECRETS.WEBHOOK_SECRET }],
    ['the SSFS key as bearer', bearer(TEST_SECRETS.SSFS_API_KEY)],
    ['the SSFS key header', { 'x-api-key': TEST_SECRETS.SSFS_API_KEY }],
    ['a forged session cookie', { Cookie: 'mc-console=eyJzaWQiOiJ4In0.AAAA' }],
    ['an empty bearer token', { Authorization: 'Bearer ' }],
    ['a 10 kB bearer token', bearer('k'.repeat(10_000))],
  ],
  metrics: [
    ['no credential', {}],
    ['a wrong bearer token', bearer('wrong')],
    ['a same-length wrong bearer token', bearer(sameLengthWrong(TEST_SECRETS.ADMIN_TOKEN))],
    ['the webhook secret as bearer', bearer(TEST_SECRETS.WEBHOOK_SECRET)],
  ],
  webhook: [
    ['no credential', {}],
    ['a wrong secret', { 'x-webhook-secret': 'wrong' }],
    [
      'a same-length wrong secret',
      { 'x-webhook-secret': sameLengthWrong(TEST_SECRETS.WEBHOOK_SECRET) },
    ],
    ['the admin token as secret', { 'x-webhook-secret': TEST_SECRETS.ADMIN_TOKEN }],
    ['the admin bearer token', ADMIN_AUTH],
    ['an empty secret', { 'x-webhook-secret': '' }],
    ['a 10 kB secret', { 'x-webhook-secret': 'k'.repeat(10_000) }],
    ['the SSFS key as secret', { 'x-webhook-secret': TEST_SECRETS.SSFS_API_KEY }],
    ['the SSFS key header', { 'x-api-key': TEST_SECRETS.SSFS_API_KEY }],
  ],
  ssfs: [
    ['no credential', {}],
    ['a wrong key', { 'x-api-key': 'wrong' }],
    ['a same-length wrong key', { 'x-api-key': sameLengthWrong(TEST_SECRETS.SSFS_API_KEY) }],
    ['the webhook secret as key', { 'x-api-key': TEST_SECRETS.WEBHOOK_SECRET }],
    ['the webhook secret header', { 'x-webhook-secret': TEST_SECRETS.WEBHOOK_SECRET }],
    ['the admin token as key', { 'x-api-key': TEST_SECRETS.ADMIN_TOKEN }],
    ['a 10 kB key', { 'x-api-key': 'k'.repeat(10_000) }],
    ['the admin bearer token', ADMIN_AUTH],
  ],
};

/** The right credential per kind, to prove the refusals above are about the credential. */
const ACCEPTED: Record<Exclude<Kind, 'public'>, Record<string, string>> = {
  admin: ADMIN_AUTH,
  metrics: ADMIN_AUTH,
  webhook: { 'x-webhook-secret': TEST_SECRETS.WEBHOOK_SECRET },
  ssfs: { 'x-api-key': TEST_SECRETS.SSFS_API_KEY },
};

function expectRefused(res: request.Response, what: string) {
  expect([401, 403], what).toContain(res.status);
  expect(res.headers['content-type'], what).toMatch(/^application\/json/);
  expect(typeof (res.body as { error?: { code?: unknown } }).error?.code, what).toBe('string');
}

describe('security: every route refuses a missing or wrong credential', () => {
  const services = useSandboxServices();

  it('when the app is built, then every route it serves has a kind in the table, and every table entry is served', async () => {
    const service = await services.open();
    const routes = listRoutes(service.app);
    const unclassified = routes
      .filter((route) => kindOf(route) === undefined)
      .map((r) => `${r.method} ${r.path}`);
    expect(unclassified, 'routes with no kind in ROUTE_KINDS').toEqual([]);
    const served = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const missing = Object.keys(ROUTE_KINDS).filter((key) => !served.has(key));
    expect(missing, 'table entries the app does not serve').toEqual([]);
    // The enumeration itself must see the app: a broken listRoutes would pass the above.
    expect(routes.length).toBeGreaterThan(60);
    expect(routes.filter((r) => kindOf(r) === 'admin').length).toBeGreaterThan(40);
  });

  it('when an admin, webhook or flow-step route is called with no, a wrong, a same-length wrong or another kind of credential, then 401/403 JSON, never 2xx or 5xx', async () => {
    const service = await services.open();
    const routes = listRoutes(service.app);
    let checked = 0;
    for (const route of routes) {
      const kind = kindOf(route);
      if (kind === undefined || kind === 'public') continue;
      for (const [credential, headers] of REFUSED[kind]) {
        const res = await call(service, route, headers);
        expectRefused(res, `${route.method} ${route.path} with ${credential}`);
        checked += 1;
      }
      // The right credential gets past authentication (the route may still refuse the input).
      const res = await call(service, route, ACCEPTED[kind]);
      expect([401, 403], `${route.method} ${route.path} with its credential`).not.toContain(
        res.status,
      );
    }
    expect(checked).toBeGreaterThan(400);
  });

  it('when the webhook secret is allowed in the query and a wrong or repeated ?secret= is sent, then 401', async () => {
    const service = await services.open({ WEBHOOK_ALLOW_QUERY_SECRET: 'true' });
    for (const query of [
      'secret=wrong',
      `secret=${sameLengthWrong(TEST_SECRETS.WEBHOOK_SECRET)}`,
      `secret=${TEST_SECRETS.WEBHOOK_SECRET}&secret=${TEST_SECRETS.WEBHOOK_SECRET}`,
      `secret=${TEST_SECRETS.ADMIN_TOKEN}`,
    ]) {
      const res = await request(service.app).post(`/webhooks/marketo/lead?${query}`).send({});
      expectRefused(res, query);
    }
    const ok = await request(service.app)
      .post(`/webhooks/marketo/lead?secret=${TEST_SECRETS.WEBHOOK_SECRET}`)
      .send({});
    expect([401, 403]).not.toContain(ok.status);
  });

  it('when the webhook secret is not allowed in the query, then even the right ?secret= is refused', async () => {
    const service = await services.open();
    const res = await request(service.app)
      .post(`/webhooks/marketo/lead?secret=${TEST_SECRETS.WEBHOOK_SECRET}`)
      .send({});
    expectRefused(res, 'right secret in the query');
  });

  it('when a console session makes a change without its CSRF token, or with another session’s, then 403 on every admin change route', async () => {
    const service = await services.open();
    const signIn = async () => {
      const res = await request(service.app)
        .post('/console/session')
        .send({ token: TEST_SECRETS.ADMIN_TOKEN })
        .expect(200);
      const cookies = ([] as string[])
        .concat(res.headers['set-cookie'] ?? [])
        .map((c) => c.split(';')[0]!);
      return { cookie: cookies.join('; '), csrf: (res.body as { csrfToken: string }).csrfToken };
    };
    const mine = await signIn();
    const theirs = await signIn();
    const changes = listRoutes(service.app).filter(
      (r) => kindOf(r) === 'admin' && r.method !== 'GET',
    );
    expect(changes.length).toBeGreaterThan(20);
    for (const route of changes) {
      for (const [what, headers] of [
        ['no CSRF token', { Cookie: mine.cookie }],
        ['another session’s CSRF token', { Cookie: mine.cookie, 'x-csrf-token': theirs.csrf }],
      ] as const) {
        const res = await call(service, route, headers);
        expect(res.status, `${route.method} ${route.path} with ${what}`).toBe(403);
        expect((res.body as { error: { code: string } }).error.code).toBe('CSRF_INVALID');
      }
    }
  });
});
