import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { requireAdmin } from '../../src/admin/admin-auth.js';
import { secretMatches } from '../../src/admin/constant-time.js';
import { createErrorHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/logger.js';
import { requireApiKey } from '../../webhooks/flow-steps/api-key-auth.js';
import { requireWebhookSecret } from '../../webhooks/marketo/webhook-auth.js';

vi.mock('../../src/admin/constant-time.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/admin/constant-time.js')>();
  return { secretMatches: vi.fn(original.secretMatches) };
});

const A = 'a'.repeat(24);
const B = 'b'.repeat(24);

async function call(guard: RequestHandler, header: [string, string]) {
  const app = express();
  app.post('/', guard, (_req, res) => {
    res.json({ ok: true });
  });
  app.use(createErrorHandler(silentLogger));
  return request(app).post('/').set(header[0], header[1]);
}

beforeEach(() => vi.mocked(secretMatches).mockClear());

describe('every guard compares secrets with the constant-time helper', () => {
  it.each([
    [
      'the Call Webhook secret',
      requireWebhookSecret({ secrets: [A, '', B], allowQuerySecret: false }),
      ['x-webhook-secret', B],
      B,
    ],
    ['the flow-step API key', requireApiKey([A, '', B]), ['x-api-key', B], B],
    ['the admin token', requireAdmin([A, B]), ['authorization', `Bearer ${B}`], B],
  ] as const)(
    'when %s is presented, then the helper compares it against every active secret',
    async (_what, guard, header, presented) => {
      const res = await call(guard, [...header]);
      expect(res.status).toBe(200);
      expect(secretMatches).toHaveBeenCalledWith(presented, [A, B]);
      const wrong = await call(guard, [header[0], header[1].replace(B, 'c'.repeat(24))]);
      expect(wrong.status).toBe(401);
    },
  );
});
