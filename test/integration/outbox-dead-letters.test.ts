import express from 'express';
import nock from 'nock';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { requireAdmin } from '../../src/admin/admin-auth.js';
import { createErrorHandler, notFoundHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/logger.js';
import { createDeadLetterRoutes } from '../../src/outbox/dead-letter-routes.js';
import {
  captureCallbacks,
  invocation,
  setupFlowSteps,
} from '../fixtures/ssfs/flow-steps-harness.js';

afterEach(() => {
  nock.cleanAll();
});

const TOKEN = 'admin-token-for-tests-0123456789';
const auth = { Authorization: `Bearer ${TOKEN}` };

/** A flow step whose callback was refused (dead), one dead Marketo write, and the admin API. */
async function setup() {
  const flow = setupFlowSteps();
  const { store, clock } = flow;
  let kicks = 0;
  const admin = express();
  admin.use(
    '/api',
    requireAdmin([TOKEN]),
    express.json(),
    createDeadLetterRoutes({ store, clock, onEnqueued: () => (kicks += 1) }),
  );
  admin.use(notFoundHandler);
  admin.use(createErrorHandler(silentLogger));

  const body = invocation();
  captureCallbacks([400, 401]);
  await flow.submit(body).expect(201);
  await flow.relay(); // routed
  await flow.relay(); // the callback: 400, dead
  await flow.relay(); // the failure result: 401, dead

  clock.advance(60_000);
  const [write] = await store.enqueueOutbox(
    [{ kind: 'marketo-chat-activity', dedupeKey: 'chat:e-1', payload: { email: 'x@example.com' } }],
    clock.now(),
  );
  const [claimed] = await store.claimOutbox({
    now: clock.now(),
    limit: 1,
    leaseMs: 1_000,
    kinds: ['marketo-chat-activity'],
  });
  await store.failOutbox({
    id: claimed!.id,
    leaseToken: claimed!.lease!.token,
    now: clock.now(),
    error: 'MARKETO_LEAD_NOT_FOUND: activity skipped: 1004 Lead not found',
    dead: true,
  });
  clock.advance(30_000);
  const callback = (await store.findOutboxItem(`ssfs:${String(body.token)}:callback`))!;
  return { ...flow, admin, body, callback, write: write!.item, kicks: () => kicks };
}

describe('dead letters in the admin API', () => {
  it('when no admin token is given, then 401 and nothing is listed', async () => {
    const { admin } = await setup();
    const res = await request(admin).get('/api/outbox/dead-letters').expect(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    await request(admin).post('/api/outbox/dead-letters/x/retry').expect(401);
  });

  it('when the admin lists them, then each shows its kind, last error, attempts and age, and no payload', async () => {
    const { admin, body, callback, write } = await setup();
    const res = await request(admin).get('/api/outbox/dead-letters').set(auth).expect(200);

    expect(res.body.count).toBe(3);
    expect(res.body.deadLetters).toEqual([
      {
        id: write.id,
        kind: 'marketo-chat-activity',
        status: 'dead',
        attempts: 1,
        lastError: 'MARKETO_LEAD_NOT_FOUND: activity skipped: 1004 Lead not found',
        createdAt: '2026-11-24T12:01:00.000Z',
        updatedAt: '2026-11-24T12:01:00.000Z',
        ageSeconds: 30,
      },
      expect.objectContaining({ kind: 'ssfs-failure-callback', attempts: 1 }),
      expect.objectContaining({
        id: callback.id,
        kind: 'ssfs-callback',
        attempts: 1,
        lastError: expect.stringMatching(/^SSFS_CALLBACK_REJECTED: .* answered 400/),
        ageSeconds: 90,
      }),
    ]);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(body.token as string);
    expect(text).not.toContain(body.apiCallBackKey as string);
    expect(text).not.toContain('x@example.com');

    const only = await request(admin)
      .get('/api/outbox/dead-letters?kind=ssfs-callback&limit=5')
      .set(auth)
      .expect(200);
    expect(only.body.deadLetters.map((d: { id: string }) => d.id)).toEqual([callback.id]);
  });

  it('when the admin re-sends one, then the same item goes back through the outbox and is delivered once', async () => {
    const { admin, relay, store, callback, kicks } = await setup();
    const { calls } = captureCallbacks([200]);

    const res = await request(admin)
      .post(`/api/outbox/dead-letters/${callback.id}/retry`)
      .set(auth)
      .expect(202);

    expect(res.body).toMatchObject({ id: callback.id, status: 'pending', attempts: 0 });
    expect(kicks()).toBe(1);
    expect(await relay()).toMatchObject({ claimed: 1, done: 1 });
    expect(calls).toHaveLength(1);
    expect(await store.getOutboxItem(callback.id)).toMatchObject({ status: 'done', attempts: 1 });
    expect(await store.listOutbox({ kind: 'ssfs-callback' })).toHaveLength(1); // the same item, not a copy
    const after = await request(admin).get('/api/outbox/dead-letters').set(auth).expect(200);
    expect(after.body.deadLetters.map((d: { id: string }) => d.id)).not.toContain(callback.id);
    // Re-sending it again is refused: it is no longer dead.
    const again = await request(admin)
      .post(`/api/outbox/dead-letters/${callback.id}/retry`)
      .set(auth)
      .expect(409);
    expect(again.body.error.code).toBe('OUTBOX_NOT_DEAD');
  });

  it('when the admin asks for the outbox, then its depth by kind, the dead counted and the oldest waiting item show, without payloads', async () => {
    const { admin, store, clock, body } = await setup();
    const [waiting] = await store.enqueueOutbox(
      [{ kind: 'lead-upsert', dedupeKey: 'lead:1', payload: { email: 'y@example.com' } }],
      clock.now(),
    );
    clock.advance(45_000);
    await store.enqueueOutbox(
      [{ kind: 'lead-upsert', dedupeKey: 'lead:2', payload: { email: 'z@example.com' } }],
      clock.now(),
    );

    const res = await request(admin).get('/api/outbox').set(auth).expect(200);

    expect(res.body).toEqual({
      pending: 2,
      dead: 3,
      byKind: [
        { kind: 'lead-upsert', pending: 2, dead: 0 },
        { kind: 'marketo-chat-activity', pending: 0, dead: 1 },
        { kind: 'ssfs-callback', pending: 0, dead: 1 },
        { kind: 'ssfs-failure-callback', pending: 0, dead: 1 },
      ],
      heldFor: null,
      oldestPending: {
        id: waiting!.item.id,
        kind: 'lead-upsert',
        attempts: 0,
        lastError: null,
        createdAt: new Date(waiting!.item.createdAt).toISOString(),
        nextAttemptAt: new Date(waiting!.item.createdAt).toISOString(),
        ageSeconds: 45,
      },
    });
    expect(JSON.stringify(res.body)).not.toContain('y@example.com');
    expect(JSON.stringify(res.body)).not.toContain(body.token as string);
    await request(admin).get('/api/outbox').expect(401);
  });

  it('when the id is unknown or the query is bad, then 404 or 400 naming the field', async () => {
    const { admin } = await setup();
    const unknown = await request(admin)
      .post('/api/outbox/dead-letters/nope/retry')
      .set(auth)
      .expect(404);
    expect(unknown.body.error.code).toBe('NOT_FOUND');
    const bad = await request(admin).get('/api/outbox/dead-letters?limit=0').set(auth).expect(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'limit' });
  });
});
