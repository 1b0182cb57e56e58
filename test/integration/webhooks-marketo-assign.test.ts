import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { createErrorHandler, notFoundHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/logger.js';
import { DEMO_AGENTS, toRoutingAgents } from '../../src/routing/routing-agents.js';
import { createMemoryStore } from '../../src/store/index.js';
import type { RoutingAgent } from '../../src/store/types.js';
import { createMarketoWebhookRoutes } from '../../webhooks/marketo/index.js';

const SECRET = 'webhook-secret-0123456789abcdef';
const WINDOW_MS = 10 * 60_000;
const FIVE_AGENTS = toRoutingAgents(DEMO_AGENTS);

function setup(agents: RoutingAgent[] = FIVE_AGENTS) {
  const store = createMemoryStore();
  const clock = createManualClock();
  let current = agents;
  const app = express();
  app.use(
    '/webhooks/marketo',
    createMarketoWebhookRoutes({
      store,
      clock,
      logger: silentLogger,
      secrets: [SECRET],
      allowQuerySecret: false,
      agents: () => current,
      assignRepeatWindowMs: WINDOW_MS,
      publicBaseUrl: 'https://chat.example.com/',
    }),
  );
  app.use(notFoundHandler);
  app.use(createErrorHandler(silentLogger));
  const assign = (body: string, type = 'application/json') =>
    request(app)
      .post('/webhooks/marketo/assign-agent')
      .set('x-webhook-secret', SECRET)
      .set('content-type', type)
      .send(body);
  const setAgents = (next: RoutingAgent[]) => {
    current = next;
  };
  return { store, clock, assign, setAgents };
}

describe('POST /webhooks/marketo/assign-agent', () => {
  it('when a lead is routed, then the answer is flat JSON for response mappings', async () => {
    const { assign, clock } = setup();

    const res = await assign('{"id": 42}');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      agentEmail: 'ana.silva@example.com',
      agentName: 'Ana Silva',
      bookingUrl: 'https://chat.example.com/chat/book?agent=ana.silva%40example.com',
      routingRule: expect.any(String),
      assignedAt: new Date(clock.now()).toISOString(),
    });
    expect(Object.values(res.body).every((v) => typeof v === 'string')).toBe(true);
  });

  it('when different leads are routed, then the agents take turns 1, 2, 3, 4, 5, 1', async () => {
    const { assign } = setup();

    const names: string[] = [];
    for (const id of [1, 2, 3, 4, 5, 6]) names.push((await assign(`{"id": ${id}}`)).body.agentName);

    expect(names).toEqual([...DEMO_AGENTS.map((a) => a.name), DEMO_AGENTS[0]!.name]);
  });

  it('when the same lead is routed twice within the window, then the same answer and the rotation stays', async () => {
    const { assign, store, clock } = setup();

    const first = await assign('{"id": 7}');
    clock.advance(WINDOW_MS - 1);
    const again = await assign('id=7', 'application/x-www-form-urlencoded');
    const next = await assign('{"id": 8}');

    expect(again.body).toEqual(first.body);
    expect(next.body.agentName).toBe(DEMO_AGENTS[1]!.name);
    expect(store.routingState().totals).toEqual({
      [FIVE_AGENTS[0]!.id]: 1,
      [FIVE_AGENTS[1]!.id]: 1,
    });
  });

  it('when the same lead is routed 10 times at once, then one assignment and 10 equal answers', async () => {
    const { assign, store } = setup();

    const answers = await Promise.all(Array.from({ length: 10 }, () => assign('{"id": 7}')));

    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(Object.values(store.routingState().totals)).toEqual([1]);
  });

  it('when the same lead comes back after the window, then the rotation moves on', async () => {
    const { assign, clock } = setup();

    const first = await assign('{"id": 7}');
    clock.advance(WINDOW_MS + 1);
    const later = await assign('{"id": 7}');

    expect(first.body.agentName).toBe(DEMO_AGENTS[0]!.name);
    expect(later.body.agentName).toBe(DEMO_AGENTS[1]!.name);
  });

  it('when only an email is sent, then the lead is routed by its lowercased email', async () => {
    const { assign, store } = setup();

    const first = await assign('{"email": ""Ann@Example.com""}');
    const again = await assign('email=ann%40example.com', 'application/x-www-form-urlencoded');

    expect(again.body).toEqual(first.body);
    expect(store.getAssignment('email:ann@example.com')?.source).toBe('webhook');
  });

  it('when no agent is active, then 503 NO_AGENTS', async () => {
    const { assign, setAgents } = setup();
    setAgents(FIVE_AGENTS.map((a) => ({ ...a, active: false })));

    const res = await assign('{"id": 7}');

    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('NO_AGENTS');
  });

  it('when the payload names no lead, then 400 names id and nothing is routed', async () => {
    const { assign, store } = setup();

    const res = await assign('{"id": "", "email": ""}');

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'id' });
    expect(store.routingState().lastAgentId).toBeUndefined();
  });

  it('when the body is malformed JSON, then 400 INVALID_JSON names the body', async () => {
    const { assign } = setup();

    const res = await assign('{"id": 7');

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_JSON', field: 'body' });
  });
});
