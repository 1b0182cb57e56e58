import { readFile } from 'node:fs/promises';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_AGENTS, toRoutingAgents } from '../../src/routing/routing-agents.js';
import { createJsonFileStore, type LowdbStore } from '../../src/store/index.js';
import { StoreDocumentFile } from '../../src/store/json-file-store.js';
import { createTempDir } from '../helpers/store-fixtures.js';
import { createWebhookTestApp, WEBHOOK_SECRET as SECRET } from '../helpers/marketo-webhook-app.js';

describe('Marketo webhooks on the JSON-file store', () => {
  let temp: Awaited<ReturnType<typeof createTempDir>>;
  let file: string;
  let store: LowdbStore;
  let app: express.Express;

  beforeEach(async () => {
    temp = await createTempDir();
    file = path.join(temp.dir, 'store.json');
    store = await createJsonFileStore({ file });
    ({ app } = createWebhookTestApp({ store, agents: toRoutingAgents(DEMO_AGENTS) }));
  });
  afterEach(async () => {
    await store.close();
    await temp.remove();
  });

  const post = (route: string, body: string) =>
    request(app)
      .post(`/webhooks/marketo/${route}`)
      .set('x-webhook-secret', SECRET)
      .set('content-type', 'application/json')
      .send(body);

  it('when a lead arrives, then it is readable at once and in the file once the store flushes', async () => {
    const res = await post('lead', '{"id": 11, "email": "ann@example.com"}');

    expect(res.body).toEqual({ status: 'created', leadId: 11 });
    expect(store.findLeadsByEmail('ANN@example.com').map((l) => l.id)).toEqual([11]);
    await store.flush();
    expect(JSON.parse(await readFile(file, 'utf8')).leads['11'].fields.email).toBe(
      'ann@example.com',
    );
  });

  it('when many leads arrive at once, then all are answered before any write and one write carries them', async () => {
    const writes = vi.spyOn(StoreDocumentFile.prototype, 'write');

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post('lead', `{"id": ${100 + i}}`)),
    );

    expect(answers.map((res) => res.body.status)).toEqual(Array(20).fill('created'));
    expect(writes).not.toHaveBeenCalled();
    await store.flush();
    expect(writes).toHaveBeenCalledTimes(1);
    expect(Object.keys(JSON.parse(await readFile(file, 'utf8')).leads)).toHaveLength(20);
    writes.mockRestore();
  });

  it('when an agent is assigned, then the assignment is in the file before the answer', async () => {
    const res = await post('assign-agent', '{"id": 11}');

    expect(res.status).toBe(200);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved.assignments['lead:11']).toMatchObject({
      agentEmail: res.body.agentEmail,
      source: 'webhook',
    });
  });
});
