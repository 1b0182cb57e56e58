import { describe, expect, it } from 'vitest';
import { createWebhookTestApp } from '../helpers/marketo-webhook-app.js';
import { DEMO_AGENTS, toRoutingAgents } from '../../src/routing/routing-agents.js';
import type { RoutingAgent } from '../../src/store/types.js';

const WINDOW_MS = 10 * 60_000;
const FIVE_AGENTS = toRoutingAgents(DEMO_AGENTS);

const setup = (agents: RoutingAgent[] = FIVE_AGENTS) =>
  createWebhookTestApp({
    agents,
    assignRepeatWindowMs: WINDOW_MS,
    publicBaseUrl: 'https://chat.example.com/',
  });

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
    expect((await store.routingState()).totals).toEqual({
      [FIVE_AGENTS[0]!.id]: 1,
      [FIVE_AGENTS[1]!.id]: 1,
    });
  });

  it('when the same lead is routed 10 times at once, then one assignment and 10 equal answers', async () => {
    const { assign, store } = setup();

    const answers = await Promise.all(Array.from({ length: 10 }, () => assign('{"id": 7}')));

    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(Object.values((await store.routingState()).totals)).toEqual([1]);
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
    expect((await store.getAssignment('email:ann@example.com'))?.source).toBe('webhook');
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
    expect((await store.routingState()).lastAgentId).toBeUndefined();
  });

  it.each([
    ['JSON', '{"email": "not-an-email"}', 'application/json'],
    ['a form', 'email=ann%40', 'application/x-www-form-urlencoded'],
    ['JSON, spaces only', '{"email": "  @  "}', 'application/json'],
    ['JSON, a number', '{"email": 12345}', 'application/json'],
    ['JSON, true', '{"email": true}', 'application/json'],
  ])(
    'when %s sends an invalid email and no id, then 400 names email and the rotation takes no turn',
    async (_what, body, type) => {
      const { assign, store } = setup();
      await assign('{"id": 1}');
      const before = await store.routingState();

      const res = await assign(body, type);
      const after = await store.routingState();
      const next = await assign('{"id": 2}');

      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'email' });
      expect(after).toEqual(before);
      expect(next.body.agentName).toBe(DEMO_AGENTS[1]!.name);
    },
  );

  it('when the body is malformed JSON, then 400 INVALID_JSON names the body', async () => {
    const { assign } = setup();

    const res = await assign('{"id": 7');

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_JSON', field: 'body' });
  });
});
