import express from 'express';
import request from 'supertest';
import { createManualClock } from '../../src/deps.js';
import { createErrorHandler, notFoundHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/store/index.js';
import type { RoutingAgent } from '../../src/store/types.js';
import {
  createMarketoWebhookRoutes,
  type MarketoWebhookDeps,
} from '../../webhooks/marketo/index.js';

export const WEBHOOK_SECRET = 'webhook-secret-0123456789abcdef';

/**
 * The Call Webhook router behind the real error handler, on a memory store and a manual clock,
 * as the app mounts it. `post` sends to /lead, `assign` to /assign-agent, with the secret;
 * `setAgents` changes the rotation the router reads.
 */
export function createWebhookTestApp(
  options: {
    agents?: RoutingAgent[];
    store?: MarketoWebhookDeps['store'];
    clock?: ReturnType<typeof createManualClock>;
  } & Partial<Omit<MarketoWebhookDeps, 'agents' | 'store' | 'clock'>> = {},
) {
  const {
    agents: initial = [],
    store = createMemoryStore(),
    clock = createManualClock(),
    ...overrides
  } = options;
  let agents = initial;
  const app = express();
  app.use(
    '/webhooks/marketo',
    createMarketoWebhookRoutes({
      store,
      clock,
      logger: silentLogger,
      secrets: [WEBHOOK_SECRET],
      allowQuerySecret: false,
      agents: () => agents,
      assignRepeatWindowMs: 600_000,
      publicBaseUrl: 'https://chat.example.com',
      ...overrides,
    }),
  );
  app.use(notFoundHandler);
  app.use(createErrorHandler(silentLogger));
  /** `type` null: no Content-Type at all, as when the admin set no header. */
  const send = (path: string, body: string, type: string | null) => {
    const req = request(app)
      .post(`/webhooks/marketo/${path}`)
      .set('x-webhook-secret', WEBHOOK_SECRET);
    return type === null ? req.send(Buffer.from(body)) : req.set('content-type', type).send(body);
  };
  return {
    app,
    store,
    clock,
    post: (body: string, type: string | null = 'application/json') => send('lead', body, type),
    assign: (body: string, type: string | null = 'application/json') =>
      send('assign-agent', body, type),
    setAgents: (next: RoutingAgent[]) => {
      agents = next;
    },
  };
}
