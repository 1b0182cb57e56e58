import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createErrorHandler } from '../../src/http/error-handler.js';
import { createLogger } from '../../src/logger.js';
import { createJsonFileStore } from '../../src/store/index.js';
import { createTempDir, makeLead } from '../helpers/store-fixtures.js';

// Issue 9, item 24: public error answers never contain file paths. A store error's message
// names the data file (for the operator); the answer keeps its code and drops the message.

let temp: Awaited<ReturnType<typeof createTempDir>>;
beforeEach(async () => {
  temp = await createTempDir();
});
afterEach(() => temp.remove());

describe('store errors over HTTP', () => {
  it('when a write fails in the store, then the answer is a 503 with the code and no file path, and the log keeps the detail', async () => {
    const file = path.join(temp.dir, 'store.json');
    const store = await createJsonFileStore({ file });
    await store.close(); // every write now fails with STORE_CLOSED, naming the file
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => lines.push(line) } });
    const app = express();
    app.post('/write', async (_req, res) => {
      await store.applyLeadChanges({ upserts: [makeLead(1)] });
      res.json({ ok: true });
    });
    app.use(createErrorHandler(logger));

    const res = await request(app).post('/write').expect(503);

    expect(res.body).toEqual({
      error: { code: 'STORE_CLOSED', message: expect.stringMatching(/try again later/) },
    });
    expect(JSON.stringify(res.body)).not.toContain(temp.dir);
    expect(lines.join('\n')).toContain(temp.dir);
  });
});
