import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHAT_RATE_LIMITS } from '../../src/chat/chat-public-rate-limit.js';
import { TEST_REDIS_URL, connectTestRedis } from '../helpers/redis-test-prefix.js';
import { useSandboxServices } from '../helpers/test-service.js';

const services = useSandboxServices();
let prefix: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ prefix, cleanup } = await connectTestRedis());
});
afterEach(async () => {
  await cleanup();
});

describe('createService with REDIS_URL', () => {
  it("when two services share Redis, then a client's chat limit is one budget across both", async () => {
    // Two replicas: each its own data file and sandbox, one Redis under this run's prefix.
    const redis = { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix, SYNC_ENABLED: 'false' };
    const first = await services.open(redis);
    const second = await services.open({ ...redis, DATA_FILE: `${services.dir()}/second.json` });
    const limit = DEFAULT_CHAT_RATE_LIMITS.config;

    for (let i = 0; i < limit; i += 1) {
      const app = i % 2 === 0 ? first.app : second.app;
      await request(app).get('/chat/config').expect(200);
    }

    const over = await request(second.app).get('/chat/config').expect(429);
    expect(over.headers['retry-after']).toEqual(expect.any(String));
  });
});
