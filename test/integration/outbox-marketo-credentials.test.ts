import { Writable } from 'node:stream';
import nock from 'nock';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startOutboxWorker,
  type OutboxWorker,
  type WorkerTimer,
} from '../../jobs/outbox-worker.js';
import { createLogger } from '../../src/logger.js';
import { MEETING_LEAD_AGENT_KIND } from '../../src/meetings/meeting-lead-fields.js';
import { MARKETO_RELAY } from '../../src/service-outbox.js';
import { createService, type Service } from '../../src/service.js';
import { createMemoryStore } from '../../src/store/index.js';
import type { NewOutboxItem, Store } from '../../src/store/types.js';
import {
  BASE_URL,
  CLIENT_SECRET,
  createOffsetClock,
  createTestClient,
  mockApi,
  mockIdentity,
  recordRequests,
  success,
} from '../fixtures/marketo/marketo-nock.js';
import { ADMIN_AUTH, createTestConfig } from '../helpers/test-service.js';

/**
 * Defect: an Identity refusal (401, or a 2xx that is not Identity's answer) used to be a
 * permanent failure, so every queued Marketo write went to the dead letters at once when an
 * admin rotated the credentials or misrouted the Identity URL. Now the Marketo relay holds its
 * items (untried, attempts not counted) until Identity gives a token again, says so once per
 * change, and /ready, GET /api/outbox and /metrics show it. The relay runs on the service's
 * own handlers, on nock's Marketo, with the worker's timer driven by hand.
 */

const MINUTE = 60_000;
const LEADS_PATH = '/rest/v1/leads.json';

let service: Service | undefined;
let worker: OutboxWorker | undefined;
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
  await service?.stop();
  service = undefined;
  nock.cleanAll();
});

function captureLines() {
  const lines: Array<{ level: number; msg: string; [key: string]: unknown }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as (typeof lines)[number]);
      }
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination }) };
}

/** The worker's passes, run by hand: `pass()` runs the one scheduled (its delay is ignored). */
function createHandTimer() {
  let next: (() => Promise<void>) | undefined;
  /** The delay asked of every pass scheduled. */
  const delays: number[] = [];
  const timer: WorkerTimer = (run, ms) => {
    delays.push(ms);
    next = run;
    return () => {
      if (next === run) next = undefined;
    };
  };
  return {
    timer,
    delays,
    async pass() {
      const run = next;
      next = undefined;
      await run?.();
    },
  };
}

/** Five bookings' agent fields for the lead (Sync Leads by email, batched into one call). */
function leadAgentItems(): NewOutboxItem[] {
  return [1, 2, 3, 4, 5].map((n) => ({
    kind: MEETING_LEAD_AGENT_KIND,
    dedupeKey: `meeting:m${n}#lead-agent`,
    payload: {
      meetingId: `m${n}`,
      email: `visitor${n}@example.org`,
      fields: { salesAgentEmail: 'ana@example.com' },
    },
  }));
}

async function setUp() {
  const clock = createOffsetClock();
  const { lines, logger } = captureLines();
  const store: Store = createMemoryStore();
  // A real instance (nock), not the sandbox: its credentials matter to /ready.
  const marketo = createTestClient({ clock, logger });
  service = await createService(createTestConfig({ SYNC_ENABLED: 'false' }), {
    logger,
    clock,
    runtime: { store, marketo, sandbox: undefined },
  });
  const hand = createHandTimer();
  worker = startOutboxWorker({
    store,
    clock,
    logger,
    pollMs: 1_000,
    handlers: service.outbox.handlers.marketo,
    relay: MARKETO_RELAY,
    timer: hand.timer,
  });
  await store.enqueueOutbox(leadAgentItems(), clock.now());
  return {
    clock,
    lines,
    store,
    app: service.app,
    pass: hand.pass,
    delays: hand.delays,
    kick: () => worker?.kick(),
  };
}

const identityRefusals = [
  {
    what: 'Identity answers 401 (the credentials were rotated)',
    code: 'MARKETO_AUTH_FAILED',
    refuse: () =>
      nock(BASE_URL)
        .get('/identity/oauth/token')
        .query(true)
        .reply(401, { error: 'unauthorized', error_description: 'Bad client credentials' }),
  },
  {
    what: 'a 2xx that is not Identity answers (the Identity URL is misrouted)',
    code: 'MARKETO_URL_NOT_FOUND',
    refuse: () =>
      nock(BASE_URL)
        .get('/identity/oauth/token')
        .query(true)
        .reply(200, '<html>Welcome</html>', { 'Content-Type': 'text/html' }),
  },
];

describe('the Marketo outbox while Identity refuses us', () => {
  it.each(identityRefusals)(
    'when $what with 5 writes queued, then none is dead-lettered, the hold is logged once and shown, and once Identity answers 200 all 5 go out in one call, once',
    async ({ code, refuse }) => {
      const { clock, lines, store, app, pass } = await setUp();
      const identity = refuse().persist();
      let identityCalls = 0;
      identity.on('request', () => (identityCalls += 1));

      // More rounds than the attempt cap (15), each a wait of the client's (at most 5 minutes).
      for (let round = 0; round < 20; round += 1) {
        await pass();
        clock.advance(5 * MINUTE);
      }
      expect(identityCalls).toBe(20);
      const items = await store.listOutbox();
      expect(items).toHaveLength(5);
      for (const item of items) {
        expect(item).toMatchObject({ status: 'pending', attempts: 0 });
        expect(item.lastError).toBeUndefined();
      }

      // Said once per change, not per item or per round; no per-item warnings.
      const identityErrors = lines.filter((l) => l.level >= 50 && l['endpoint'] === 'identity');
      expect(identityErrors).toHaveLength(1);
      expect(identityErrors[0]!.msg).toContain('identity call');
      const held = lines.filter((l) => /outbox deliveries held/.test(l.msg));
      expect(held).toMatchObject([{ level: 40, heldFor: 'marketo-credentials', held: 5 }]);
      expect(lines.filter((l) => l.level >= 40 && /outbox (delivery|item)/.test(l.msg))).toEqual(
        [],
      );

      // Visible: /ready, the outbox summary and the metrics.
      const ready = await request(app).get('/ready').expect(503);
      expect(ready.body.failing).toEqual(['marketo']);
      expect(ready.body.checks.marketo.reason).toContain(code);
      const summary = (await request(app).get('/api/outbox').set(ADMIN_AUTH).expect(200)).body;
      expect(summary).toMatchObject({
        pending: 5,
        dead: 0,
        heldFor: { reason: 'marketo-credentials', code },
      });
      // The offset clock runs on real time too: a few milliseconds more than the 100 minutes.
      expect(summary.heldFor.seconds).toBeGreaterThanOrEqual(20 * 5 * 60);
      const metrics = await request(app).get('/metrics').set(ADMIN_AUTH).expect(200);
      expect(metrics.text).toMatch(
        /marketo_chat_outbox_held_seconds\{reason="marketo-credentials"\} 600\d/,
      );
      expect(metrics.text).toMatch(/marketo_chat_outbox_dead_letters 0/);
      expect(JSON.stringify([ready.body, summary]) + metrics.text).not.toContain(CLIENT_SECRET);

      // The credentials work again: every write goes out, in one Sync Leads call, once.
      nock.cleanAll();
      mockIdentity();
      // The client asks Identity again once the wait after the last refusal (the probe's just
      // above, at most 5 minutes) has passed; a connection test would ask at once.
      clock.advance(5 * MINUTE);
      const sync = recordRequests(
        mockApi()
          .post(LEADS_PATH)
          .reply(200, success([1, 2, 3, 4, 5].map((id) => ({ id, status: 'updated' })))),
      );
      await pass();
      expect(sync).toHaveLength(1);
      const body = JSON.parse(sync[0]!.body) as { input: Array<{ email: string }> };
      expect(body.input.map((lead) => lead.email).sort()).toEqual(
        [1, 2, 3, 4, 5].map((n) => `visitor${n}@example.org`),
      );
      expect((await store.listOutbox()).map((item) => item.status)).toEqual(Array(5).fill('done'));
      clock.advance(10 * MINUTE);
      await pass();
      expect(sync).toHaveLength(1);

      expect(lines.filter((l) => /works again/.test(l.msg))).toHaveLength(1);
      expect(lines.filter((l) => /outbox deliveries go out again/.test(l.msg))).toHaveLength(1);
      await request(app).get('/ready').expect(200);
      const after = (await request(app).get('/api/outbox').set(ADMIN_AUTH).expect(200)).body;
      expect(after).toMatchObject({ pending: 0, dead: 0, heldFor: null });
    },
  );

  it('when Identity works and Marketo refuses one record (1003 invalid field), then that item alone is dead-lettered and the others are done', async () => {
    const { store, pass } = await setUp();
    mockIdentity();
    mockApi()
      .post(LEADS_PATH)
      .reply(
        200,
        success([
          { id: 1, status: 'updated' },
          { id: 2, status: 'updated' },
          { status: 'skipped', errors: [{ code: '1003', message: 'Invalid salesAgentEmail' }] },
          { id: 4, status: 'updated' },
          { id: 5, status: 'updated' },
        ]),
      );
    await pass();
    const byKey = Object.fromEntries(
      (await store.listOutbox()).map((item) => [item.dedupeKey, item.status]),
    );
    expect(byKey).toEqual({
      'meeting:m1#lead-agent': 'done',
      'meeting:m2#lead-agent': 'done',
      'meeting:m3#lead-agent': 'dead',
      'meeting:m4#lead-agent': 'done',
      'meeting:m5#lead-agent': 'done',
    });
  });

  it('when Identity refused us and then accepts the credentials, then /ready recovers by itself once the wait has passed, with no other traffic', async () => {
    const { clock, app } = await setUp();
    nock(BASE_URL)
      .get('/identity/oauth/token')
      .query(true)
      .reply(401, { error: 'unauthorized', error_description: 'Bad client credentials' });
    // A connection test is refused; the probes within the client's wait do not ask again.
    await request(app).post('/api/marketo/connection-test').set(ADMIN_AUTH).expect(200);
    expect((await request(app).get('/ready').expect(503)).body.failing).toEqual(['marketo']);
    await request(app).get('/ready').expect(503);

    const identity = mockIdentity();
    clock.advance(5_000);
    await request(app).get('/ready').expect(200);
    expect(identity.isDone()).toBe(true);
  });

  it('when every item of a pass is held, then the worker neither polls nor answers a kick until the first is due again, so the backlog is not claimed and handed back every second', async () => {
    const { clock, store, pass, delays, kick } = await setUp();
    nock(BASE_URL)
      .get('/identity/oauth/token')
      .query(true)
      .reply(401, { error: 'unauthorized', error_description: 'Bad client credentials' });
    await pass();
    const held = await store.listOutbox();
    expect(held.map((item) => item.status)).toEqual(Array(5).fill('pending'));
    // Due after the client's first wait (5 s). The offset clock runs on real time too, so the
    // bounds allow for the milliseconds the test itself takes.
    const due = Math.min(...held.map((item) => item.nextAttemptAt));
    expect(due - clock.now()).toBeGreaterThan(4_000);
    // The next pass is asked for when the held items are due, not at the 1 s poll.
    expect(delays.at(-1)).toBeGreaterThanOrEqual(due - clock.now());
    expect(delays.at(-1)).toBeGreaterThan(4_000);
    // New work enqueued meanwhile (a kick) waits too: it would meet the same refusal.
    const scheduled = delays.length;
    kick();
    expect(delays).toHaveLength(scheduled);
  });
});
