import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { silentLogger } from '../../src/logger.js';
import { MEETING_ACTIVITY_KIND, meetingEventId } from '../../src/meetings/meeting-events-outbox.js';
import { NOTIFICATION_KIND } from '../../src/notifications/notification-items.js';
import type { OutboxHandler, OutboxHandlers } from '../../src/outbox/outbox-handler.js';
import { OUTBOX_DEFAULTS, runOutboxOnce } from '../../src/outbox/run-outbox-once.js';
import type { Service } from '../../src/service.js';
import {
  createPostgresStore,
  type PostgresStore,
} from '../../src/store/postgres/postgres-store.js';
import { invocation } from '../fixtures/ssfs/flow-steps-harness.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres-database.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { createTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { ADMIN_AUTH, createHarnessService, TEST_SECRETS } from '../helpers/test-service.js';

// Issue 10, "Bad input and failure": while the database is away, webhooks, bookings and admin
// writes answer 503, never a false 2xx; the pool reconnects by itself once it is back; nothing
// claimed from the outbox is lost or delivered twice. The whole service (createService) runs on
// a PostgreSQL store whose every connection goes through a proxy the test cuts and restores.
// A connection error the store left unhandled would be an uncaught exception, which ends the
// real process; Vitest reports it and fails the run (it did, before pg-pool.ts checkOut()).

const ADD_ACTIVITIES_PATH = '/rest/v1/activities/external.json';
/** How long a test waits for the pool to come back after resume() before it fails. */
const RECOVERY_DEADLINE_MS = 15_000;
/** The store's query timeout here: short, so a stalled database answers 503 quickly. */
const QUERY_TIMEOUT_MS = 2_000;

let database: TestDatabase;
let proxy: TcpProxy;
let store: PostgresStore;
/** The same database, not through the proxy: what is really stored. */
let direct: PostgresStore;
let harness: SyncHarness;
let service: Service;
let clock: ReturnType<typeof createManualClock>;

beforeEach(async () => {
  database = await createTestDatabase();
  proxy = await createTcpProxy({ port: Number(new URL(database.url).port) });
  const proxied = new URL(database.url);
  proxied.port = String(proxy.port);
  store = await createPostgresStore({
    connectionString: proxied.toString(),
    queryTimeoutMs: QUERY_TIMEOUT_MS,
  });
  direct = await createPostgresStore({ connectionString: database.url, migrate: false });
  // The service runs on a manual clock (slots, outbox leases); the sandbox and its client keep
  // real time, so a look-up "since the event" covers what the sandbox wrote.
  clock = createManualClock(Date.now());
  harness = await createSyncHarness({ sandbox: { seedLeads: 20 }, store });
  service = await createHarnessService(harness, {}, { clock });
});

afterEach(async () => {
  await service.stop();
  await harness.close();
  await proxy.close();
  await Promise.allSettled([store.close(), direct.close()]);
  await database.drop();
});

const postLead = (body: Record<string, unknown>) =>
  request(service.app)
    .post('/webhooks/marketo/lead')
    .set('x-webhook-secret', TEST_SECRETS.WEBHOOK_SECRET)
    .send(body);

const book = (start: string, email: string) =>
  request(service.app).post('/chat/meetings').send({ start, email, timeZone: 'Europe/Berlin' });

const addAgent = (name: string, email: string) =>
  request(service.app)
    .post('/api/agents')
    .set(ADMIN_AUTH)
    .send({ name, email, timeZone: 'Europe/Berlin' });

/** The first free slots the widget offers. */
async function freeSlots(count: number): Promise<string[]> {
  const res = await request(service.app)
    .get('/chat/slots')
    .query({ timeZone: 'Europe/Berlin', days: 14 })
    .expect(200);
  const days = (res.body as { days: Array<{ slots: Array<{ start: string }> }> }).days;
  const starts = days.flatMap((day) => day.slots.map((slot) => slot.start));
  expect(starts.length).toBeGreaterThanOrEqual(count);
  return starts.slice(0, count);
}

/** Every 503 here must be the store's: the JSON error the one middleware writes. */
function expectUnavailable(res: request.Response): void {
  expect(res.status).toBe(503);
  expect(res.body).toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
  expect(JSON.stringify(res.body)).not.toContain(`:${proxy.port}`);
}

type ErrorBody = { error?: { code?: string } };

/**
 * Polls `attempt` (no sleeping: each try is a real request, answered at once while the database
 * is away) until it resolves true; the time it took from now, or a failure after the deadline.
 */
async function untilTrue(attempt: () => Promise<boolean>, what: string): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await attempt()) return performance.now() - started;
    if (performance.now() - started > RECOVERY_DEADLINE_MS) {
      throw new Error(`${what}: not back ${RECOVERY_DEADLINE_MS} ms after resume`);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

describe('PostgreSQL away while the service runs', () => {
  it('when the database is away, then no route that needs it answers 2xx: each says 503 STORE_UNAVAILABLE without naming the database', async () => {
    const [start] = await freeSlots(1);
    const agents = await request(service.app).get('/api/agents').set(ADMIN_AUTH).expect(200);
    const agentId = (agents.body as { agents: Array<{ id: string }> }).agents[0]!.id;
    const booked = await book(start!, 'visitor@example.com').expect(201);
    const meetingId = (booked.body as { meeting: { id: string } }).meeting.id;
    const apiKey = { 'x-api-key': TEST_SECRETS.SSFS_API_KEY };
    const webhook = { 'x-webhook-secret': TEST_SECRETS.WEBHOOK_SECRET };
    const visitor = { anonymousId: 'anon-visitor-a' };
    const page = 'http://localhost:3000/demo';
    const calls: Array<[method: string, path: string, headers: object, body?: object]> = [
      ['GET', '/chat/config', {}],
      ['GET', '/chat/slots?timeZone=Europe/Berlin', {}],
      ['POST', '/chat/resolve', {}, { pageUrl: page, visitor }],
      [
        'POST',
        '/chat/events',
        {},
        {
          type: 'triggered',
          dialogueId: 'welcome',
          dialogueVersion: 1,
          conversationId: 'conv-0001',
          eventId: 'event-0001',
          pageUrl: page,
          visitor,
        },
      ],
      ['POST', '/webhooks/marketo/assign-agent', webhook, { id: 7, email: 'x@example.com' }],
      ['POST', '/flow-steps/submitAsyncAction', apiKey, invocation()],
      ['GET', '/flow-steps/status', apiKey],
      ['PATCH', `/api/agents/${agentId}`, ADMIN_AUTH, { name: 'Renamed' }],
      ['DELETE', `/api/agents/${agentId}`, ADMIN_AUTH],
      ['POST', `/api/meetings/${meetingId}/status`, ADMIN_AUTH, { status: 'completed' }],
      ['GET', '/api/sync/status', ADMIN_AUTH],
      ['POST', '/api/sync/run', ADMIN_AUTH],
      ['GET', '/api/outbox/dead-letters', ADMIN_AUTH],
    ];

    await proxy.pause();
    const answers: string[] = [];
    for (const [method, path, headers, body] of calls) {
      const verb = method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete';
      const client = request(service.app);
      const call = client[verb](path).set(headers as Record<string, string>);
      const res = await (body === undefined ? call : call.send(body));
      answers.push(`${method} ${path} ${res.status} ${(res.body as ErrorBody).error?.code}`);
      // The address is the operator's business (the log has it), not the caller's.
      expect(JSON.stringify(res.body)).not.toContain(`:${proxy.port}`);
    }

    expect(answers).toEqual(
      calls.map(([method, path]) => `${method} ${path} 503 STORE_UNAVAILABLE`),
    );
  });

  it('when the database goes away, then webhooks, bookings and admin writes answer 503 STORE_UNAVAILABLE, and once it is back the same requests succeed and are stored', async () => {
    const [start] = await freeSlots(1);
    await postLead({ id: 500, email: 'before@example.com' }).expect(200);

    await proxy.pause();

    expectUnavailable(await postLead({ id: 501, email: 'during@example.com' }));
    expectUnavailable(await book(start!, 'during@example.com'));
    expectUnavailable(await addAgent('Dora', 'dora@example.com'));
    // Reads too: an admin page says the store is away rather than showing an empty list.
    expectUnavailable(await request(service.app).get('/api/meetings').set(ADMIN_AUTH));

    await proxy.resume();
    const recoveryMs = await untilTrue(
      async () => (await postLead({ id: 501, email: 'after@example.com' })).status === 200,
      'the lead webhook',
    );
    console.info(`PostgreSQL pool recovered ${recoveryMs.toFixed(1)} ms after the proxy resumed`);

    const booked = await book(start!, 'after@example.com').expect(201);
    const agent = await addAgent('Dora', 'dora@example.com').expect(201);

    // What the database holds, read past the proxy: the writes after resume, none from before.
    expect(await direct.getLead(501)).toMatchObject({ fields: { email: 'after@example.com' } });
    expect(await direct.getLead(500)).toMatchObject({ fields: { email: 'before@example.com' } });
    const meetingId = (booked.body as { meeting: { id: string } }).meeting.id;
    expect(await direct.getMeeting(meetingId)).toMatchObject({ status: 'booked' });
    expect(await direct.listMeetings()).toHaveLength(1);
    const agents = await direct.listAgents();
    expect(agents.filter((a) => a.email === 'dora@example.com')).toEqual([
      expect.objectContaining({ id: (agent.body as { id: string }).id }),
    ]);
  });

  it('when the database goes away with webhooks in flight, then every lead answered 200 is stored and every other answer is 503', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => 1_000 + i);
    let cut: Promise<void> | undefined;
    // All at once: the pool (10 connections) runs some while the rest wait for a connection;
    // the database goes away as the first answer arrives, in the middle of the others.
    const answers = await Promise.all(
      ids.map(async (id) => {
        const res = await postLead({ id, email: `lead${id}@example.com` });
        cut ??= proxy.pause();
        return { id, status: res.status, code: (res.body as ErrorBody).error?.code };
      }),
    );
    await cut;
    await proxy.resume();

    const acknowledged = answers.filter((answer) => answer.status === 200).map((a) => a.id);
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => a.status === 503 && a.code === 'STORE_UNAVAILABLE')).toBe(true);
    // A refused lead may have been committed just before its answer was lost (Marketo sends it
    // again: the upsert is idempotent); an acknowledged one must be there.
    const stored = await Promise.all(ids.map((id) => direct.getLead(id)));
    const storedIds = stored.flatMap((lead) => (lead === undefined ? [] : [lead.id]));
    expect(storedIds).toEqual(expect.arrayContaining(acknowledged));
  });

  it('when the database stops answering without a reset, then a webhook answers 503 within the query timeout instead of hanging, and succeeds once it answers again', async () => {
    await postLead({ id: 600, email: 'before@example.com' }).expect(200);

    proxy.stall();
    const started = performance.now();
    expectUnavailable(await postLead({ id: 601, email: 'during@example.com' }));
    const waitedMs = performance.now() - started;
    // The timeout, plus room for a loaded machine; Marketo gives up after 30 s.
    expect(waitedMs).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS - 50);
    expect(waitedMs).toBeLessThan(QUERY_TIMEOUT_MS + 5_000);

    await proxy.resume();
    await untilTrue(
      async () => (await postLead({ id: 601, email: 'after@example.com' })).status === 200,
      'the lead webhook',
    );
    expect(await direct.getLead(601)).toMatchObject({ fields: { email: 'after@example.com' } });
  });

  it('when the completion of a delivered meeting activity fails because the database went away, then after it is back the item is done and Marketo has the activity once', async () => {
    const [start] = await freeSlots(1);
    const booked = await book(start!, 'visitor@example.com').expect(201);
    const meetingId = (booked.body as { meeting: { id: string } }).meeting.id;
    const eventId = meetingEventId(meetingId, 1);

    // The service's own Marketo relay handlers; the one that sends the activity cuts the
    // database as soon as Marketo has it, so the pass cannot record the outcome.
    const real = service.outbox.handlers.marketo[MEETING_ACTIVITY_KIND]!;
    let cutAfterSending = true;
    const cutting: OutboxHandler = Object.assign(
      async (...args: Parameters<OutboxHandler>) => {
        const result = await real(...args);
        const sent = (args[0].payload as { leadId?: number }).leadId !== undefined;
        if (sent && cutAfterSending) {
          cutAfterSending = false;
          await proxy.pause();
        }
        return result;
      },
      { maxAttempts: real.maxAttempts, onDead: real.onDead },
    );
    const handlers: OutboxHandlers = {
      ...service.outbox.handlers.marketo,
      [MEETING_ACTIVITY_KIND]: cutting,
    };
    const relay = { store: service.store, clock, logger: silentLogger, random: () => 0 };
    const pass = () => runOutboxOnce(relay, handlers);

    // The first passes may resolve the visitor's lead (a follow-up item carries its id); then
    // the pass that sends cannot record it.
    let unrecorded = 0;
    for (let i = 0; i < 5 && cutAfterSending; i += 1) unrecorded += (await pass()).unrecorded;
    expect(cutAfterSending).toBe(false);
    expect(unrecorded).toBe(1);
    const activities = () =>
      harness.sandbox
        .customActivities()
        .filter((a) => a.attributes.some((x) => x.apiName === 'eventId' && x.value === eventId));
    expect(activities()).toHaveLength(1);

    // While the database is away a pass cannot claim: it fails, as the worker expects.
    await expect(pass()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });

    await proxy.resume();
    // Back, but the claim is still ours until its lease runs out: nothing is claimed.
    await untilTrue(
      () =>
        pass().then(
          (report) => report.claimed === 0,
          () => false,
        ),
      'the outbox claim',
    );

    clock.advance(OUTBOX_DEFAULTS.leaseMs + 1);
    const retried = await pass();
    expect(retried).toMatchObject({ claimed: 1, done: 1, retried: 0, dead: 0, unrecorded: 0 });

    expect(activities()).toHaveLength(1);
    expect(harness.sandbox.stats().callsByPath[ADD_ACTIVITIES_PATH]).toBe(1);
    // Both items of the event are done: the look-up of the lead (one attempt), and the send,
    // whose second attempt looked in Marketo first, found the activity and did not resend.
    const items = await direct.listOutbox({ kind: MEETING_ACTIVITY_KIND });
    expect(items.map((item) => [item.dedupeKey, item.status, item.attempts]).sort()).toEqual([
      [eventId, 'done', 1],
      [`${eventId}~lead`, 'done', 2],
    ]);
    // The agent's email waits for its own relay (notifications), untouched by Marketo's.
    expect(await direct.listOutbox({ kind: NOTIFICATION_KIND })).toMatchObject([
      { dedupeKey: `notify:agent-booked:${meetingId}#2`, status: 'pending', attempts: 0 },
    ]);
  });
});
