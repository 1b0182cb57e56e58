import { readFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_AGENTS, toRoutingAgents } from '../../src/routing/routing-agents.js';
import { createJsonFileStore, type LowdbStore } from '../../src/store/index.js';
import { StoreDocumentFile } from '../../src/store/json-file-store.js';
import { LeadJournal } from '../../src/store/lead-journal.js';
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

  const journalLines = async () =>
    (await readFile(`${file}.journal-0`, 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { upserts: Array<{ id: number }> });

  it('when a lead arrives, then the answer comes once it is in the synced journal, and a reopened store has it', async () => {
    const res = await post('lead', '{"id": 11, "email": "ann@example.com"}');

    expect(res.body).toEqual({ status: 'created', leadId: 11 });
    expect((await store.findLeadsByEmail('ANN@example.com')).map((l) => l.id)).toEqual([11]);
    expect((await journalLines()).flatMap((line) => line.upserts.map((u) => u.id))).toEqual([11]);
    await store.close();
    // A clean close writes the document whole and removes the journal.
    expect(JSON.parse(await readFile(file, 'utf8')).leads['11'].fields.email).toBe(
      'ann@example.com',
    );
    await expect(readFile(`${file}.journal-0`)).rejects.toMatchObject({ code: 'ENOENT' });
    store = await createJsonFileStore({ file });
    expect((await store.getLead(11))?.fields['email']).toBe('ann@example.com');
  });

  it('when the journal append has not finished, then no answer has been sent; once it has, 200', async () => {
    let releaseAppend!: () => void;
    const gate = new Promise<void>((resolve) => (releaseAppend = resolve));
    const append = LeadJournal.prototype.append;
    const spy = vi.spyOn(LeadJournal.prototype, 'append').mockImplementation(async function (
      this: LeadJournal,
      lines,
    ) {
      await append.call(this, lines); // on disk, but not yet resolved: the answer must wait
      await gate;
    });
    let answered = false;
    const answer = post('lead', '{"id": 12}').then((res) => {
      answered = true;
      return res;
    });

    while (spy.mock.calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    releaseAppend();
    expect((await answer).status).toBe(200);
    spy.mockRestore();
  });

  it('when many leads arrive at once, then each is answered after its journal line is synced, with no whole-document write', async () => {
    const writes = vi.spyOn(StoreDocumentFile.prototype, 'write');

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post('lead', `{"id": ${100 + i}}`)),
    );

    expect(answers.map((res) => res.body.status)).toEqual(Array(20).fill('created'));
    expect(writes).not.toHaveBeenCalled();
    const ids = (await journalLines()).flatMap((line) => line.upserts.map((u) => u.id));
    expect(ids.sort()).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
    writes.mockRestore();
  });

  it('when the disk is full, then 503 STORE_UNAVAILABLE without the file path, and a later call once there is room is durable', async () => {
    // The journal file the next append opens is the kernel's always-full device.
    await symlink('/dev/full', `${file}.journal-0`);

    const full = await post('lead', '{"id": 13, "email": "full@example.com"}');
    await rm(`${file}.journal-0`);
    const later = await post('lead', '{"id": 14}');

    expect(full.status).toBe(503);
    expect(full.body).toEqual({
      error: {
        code: 'STORE_UNAVAILABLE',
        message: 'The change could not be saved and is not acknowledged; send it again later',
      },
    });
    expect(JSON.stringify(full.body)).not.toContain(temp.dir);
    expect(later.status).toBe(200);
    // After a failed append the next commit writes the document whole: it holds both.
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(Object.keys(saved.leads).sort()).toEqual(['13', '14']);
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
