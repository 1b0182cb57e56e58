import express from 'express';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { secretMatches } from '../../src/admin/constant-time.js';
import { createErrorHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/logger.js';
import { requireWebhookSecret } from '../../webhooks/marketo/webhook-auth.js';

vi.mock('../../src/admin/constant-time.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/admin/constant-time.js')>();
  return { secretMatches: vi.fn(original.secretMatches) };
});

describe('requireWebhookSecret', () => {
  it('when a secret is presented, then it is compared by the constant-time helper against every active one', async () => {
    const app = express();
    app.post(
      '/',
      requireWebhookSecret({
        secrets: ['a'.repeat(24), '', 'b'.repeat(24)],
        allowQuerySecret: false,
      }),
      (_req, res) => {
        res.json({ ok: true });
      },
    );
    app.use(createErrorHandler(silentLogger));

    const res = await request(app).post('/').set('x-webhook-secret', 'b'.repeat(24));

    expect(res.status).toBe(200);
    expect(secretMatches).toHaveBeenCalledWith('b'.repeat(24), ['a'.repeat(24), 'b'.repeat(24)]);
  });
});
