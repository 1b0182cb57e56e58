import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/deps.js';
import { createErrorHandler, notFoundHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/logger.js';
import { agentInputSchema, type Agent } from '../../src/records/meeting-contract.js';
import { createRoutingSources } from '../../src/routing/routing-sources.js';
import { createMemoryStore } from '../../src/store/index.js';
import { processInvocation } from '../../webhooks/flow-steps/process-invocation.js';
import { createMarketoWebhookRoutes } from '../../webhooks/marketo/index.js';

const SECRET = 'webhook-secret-0123456789abcdef';
const T0 = Date.UTC(2026, 10, 24, 12);

const agent = (n: number, extra: Partial<Agent> = {}): Agent => ({
  id: `agt_${n}`,
  ...agentInputSchema.parse({ name: `Agent ${n}`, email: `agent${n}@example.com` }),
  calendar: { provider: 'local', status: 'connected' },
  createdAt: T0,
  updatedAt: T0,
  ...extra,
});

/** The Call Webhook with the meetings' routing (owner field, rules), from the service's sources. */
async function setup() {
  const store = createMemoryStore();
  const clock = createManualClock(T0);
  for (const a of [
    agent(1),
    agent(2, { groups: ['dach'] }),
    agent(3, { groups: ['dach'] }),
    agent(4),
  ]) {
    await store.saveAgent(a);
  }
  await store.saveRoutingRule({
    id: 'rule_dach',
    name: 'DACH',
    priority: 100,
    conditions: [{ field: 'country', operator: 'inList', value: ['DE', 'AT', 'CH'] }],
    target: { group: 'dach' },
    enabled: true,
    createdAt: T0,
    updatedAt: T0,
  });
  await store.applyLeadChanges({
    upserts: [
      {
        id: 7,
        fields: { email: 'owned@example.org', leadOwnerEmail: 'agent4@example.com' },
        observedAt: T0,
        source: 'sync',
      },
    ],
  });
  const app = express();
  app.use(
    '/webhooks/marketo',
    createMarketoWebhookRoutes({
      store,
      clock,
      logger: silentLogger,
      secrets: [SECRET],
      allowQuerySecret: false,
      ...createRoutingSources(store, 'leadOwnerEmail'),
      assignRepeatWindowMs: 0,
      publicBaseUrl: 'https://chat.example.com',
    }),
  );
  app.use(notFoundHandler);
  app.use(createErrorHandler(silentLogger));
  const assign = (body: Record<string, unknown>) =>
    request(app)
      .post('/webhooks/marketo/assign-agent')
      .set('x-webhook-secret', SECRET)
      .send(body)
      .expect(200);
  return { store, assign };
}

describe('Call Webhook routing with the owner and rules', () => {
  it('when leads from DACH come in, then the rule’s group takes them in its own rotation, and the default rotation does not move', async () => {
    const { store, assign } = await setup();
    const first = await assign({ id: 100, country: 'DE' });
    const second = await assign({ id: 101, country: 'CH' });
    const third = await assign({ id: 102, country: 'AT' });
    expect([first, second, third].map((r) => r.body.agentEmail)).toEqual([
      'agent2@example.com',
      'agent3@example.com',
      'agent2@example.com',
    ]);
    expect(first.body.routingRule).toBe('rule:rule_dach');
    expect(await store.routingState()).toMatchObject({
      lastAgentId: undefined,
      pointers: { 'rule:rule_dach': 'agt_2' },
    });
    const other = await assign({ id: 103, country: 'US' });
    expect(other.body).toMatchObject({
      agentEmail: 'agent1@example.com',
      routingRule: 'round-robin',
    });
  });

  it('when the lead’s owner (from the local copy) is an agent, then the owner gets it without taking a turn; an inactive owner falls through', async () => {
    const { store, assign } = await setup();
    const owned = await assign({ id: 7 });
    expect(owned.body).toMatchObject({ agentEmail: 'agent4@example.com', routingRule: 'owner' });
    expect((await store.routingState()).lastAgentId).toBeUndefined();
    await store.updateAgent('agt_4', (a) => ({ ...a, active: false }));
    const fallback = await assign({ id: 7 });
    expect(fallback.body).toMatchObject({
      agentEmail: 'agent1@example.com',
      routingRule: 'fallback-round-robin',
    });
    expect((await store.routingState()).totals).toEqual({ agt_4: 1, agt_1: 1 });
  });
});

describe('Call Webhook rotation when an agent leaves', () => {
  it('when agent three took the last lead and is then deleted, then four gets the next, then back to one', async () => {
    const { store, assign } = await setup();
    const before = [];
    for (const id of [200, 201, 202]) before.push((await assign({ id, country: 'US' })).body);
    expect(before.map((b) => b.agentEmail)).toEqual([
      'agent1@example.com',
      'agent2@example.com',
      'agent3@example.com',
    ]);
    await store.deleteAgent('agt_3');

    const after = [];
    for (const id of [203, 204]) after.push((await assign({ id, country: 'US' })).body);
    expect(after.map((b) => b.agentEmail)).toEqual(['agent4@example.com', 'agent1@example.com']);
  });
});

describe('Self-Service Flow Step routing with the owner and rules', () => {
  it('when a batch is routed over all agents, then each lead goes by its synced fields: owner, rule, rotation; a direct pool stays direct', async () => {
    const { store } = await setup();
    await store.applyLeadChanges({
      upserts: [
        {
          id: 8,
          fields: { email: 'hans@example.de', country: 'DE' },
          observedAt: T0,
          source: 'sync',
        },
      ],
    });
    const followUps = await processInvocation(
      {
        store,
        clock: createManualClock(T0),
        ...createRoutingSources(store, 'leadOwnerEmail'),
        repeatWindowMs: 0,
        leadFields: async (leadId) => (await store.getLead(leadId))?.fields,
      },
      {
        token: 'tok',
        apiCallBackKey: 'key',
        callbackUrl: 'https://abc.mktorest.com/callback',
        munchkinId: '123-ABC-456',
        campaignId: 1,
        leads: [{ id: 7 }, { id: 8 }, { id: 9 }, { id: 10, routingPool: 'agent:agt_3' }],
      },
    );
    const records = (
      followUps[0]!.payload as { objectData: Array<{ activityData: Record<string, unknown> }> }
    ).objectData;
    expect(
      records.map((r) => [r.activityData['agentEmail'], r.activityData['routingRule']]),
    ).toEqual([
      ['agent4@example.com', 'owner'],
      ['agent2@example.com', 'rule:rule_dach'],
      ['agent1@example.com', 'round-robin'],
      ['agent3@example.com', 'direct'],
    ]);
  });
});
