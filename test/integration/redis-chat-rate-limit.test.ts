import express from 'express';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createChatRateLimiter,
  createFlexibleRateLimiter,
} from '../../src/chat/chat-public-rate-limit.js';
import { createErrorHandler } from '../../src/http/error-handler.js';
import { silentLogger } from '../../src/logger.js';
import { connectTestRedis } from '../helpers/redis-test-prefix.js';

let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;
const connections: Redis[] = [];

beforeEach(async () => {
  ({ redis, prefix, cleanup } = await connectTestRedis());
});
afterEach(async () => {
  for (const connection of connections.splice(0)) connection.disconnect();
  await cleanup();
});

/** One replica: its own app, limiter and Redis connection, counting under the shared prefix. */
function replica(): express.Express {
  const connection = redis.duplicate();
  connections.push(connection);
  const limiter = createFlexibleRateLimiter({
    name: 'route1',
    limit: 3,
    windowMs: 60_000,
    store: { redis: connection, keyPrefix: `${prefix}:chat` },
  });
  const app = express();
  app.get('/chat/config', createChatRateLimiter(limiter), (_req, res) => {
    res.json({ ok: true });
  });
  app.use(createErrorHandler(silentLogger));
  return app;
}

describe('chat public rate limits shared through Redis', () => {
  it('when two replicas share Redis, then a client has one budget across both and the 429 says when to come back', async () => {
    const [a, b] = [replica(), replica()];
    await request(a).get('/chat/config').expect(200);
    const second = await request(b).get('/chat/config').expect(200);
    expect(second.headers['ratelimit-remaining']).toBe('1');
    await request(a).get('/chat/config').expect(200);

    const limited = await request(b).get('/chat/config').expect(429);
    expect(limited.body).toEqual({
      error: expect.objectContaining({ code: 'RATE_LIMITED' }) as unknown,
    });
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(limited.headers['ratelimit-policy']).toBe('3;w=60');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(55);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    await request(a).get('/chat/config').expect(429);
  });
});
