import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMarketoClient, marketoDayKey } from '../../src/clients/marketo/index.js';
import { RedisCallBudget } from '../../src/clients/marketo/redis-call-budget.js';
import { createRedisDailyUsage } from '../../src/clients/marketo/redis-daily-usage.js';
import { silentLogger } from '../../src/logger.js';
import { createMarketoSandbox } from '../../src/sandbox/index.js';
import { connectTestRedis } from '../helpers/redis-test-prefix.js';

let redis: Redis;
let prefix: string;
let cleanup: () => Promise<void>;
const closers: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  ({ redis, prefix, cleanup } = await connectTestRedis());
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await cleanup();
});

// A small instance: 12 calls per sliding second, 3 in flight. Each replica alone is set to
// the whole instance's limits, as replicas of one deployment are; only sharing keeps them in.
const LIMITS = { rateLimit: 12, rateWindowMs: 1_000, maxConcurrency: 3 };

async function replica(url: string) {
  const connection = redis.duplicate();
  const keyPrefix = `${prefix}:marketo`;
  const budget = new RedisCallBudget({ redis: connection, keyPrefix, ...LIMITS, rateMarginMs: 0 });
  const port = createRedisDailyUsage(connection, keyPrefix);
  const initial = await port.merge({ day: marketoDayKey(Date.now()), calls: 0, errorsByCode: {} });
  closers.push(async () => {
    await budget.close();
    connection.disconnect();
  });
  return createMarketoClient({
    baseUrl: url,
    clientId: 'c',
    clientSecret: 's',
    ...LIMITS,
    rateMarginMs: 0,
    dailyQuota: 10_000,
    timeoutMs: 5_000,
    maxRetries: 0,
    logger: silentLogger,
    budget,
    usage: { port, initial },
  });
}

describe('Marketo clients of three replicas on one Redis', () => {
  it('when three replicas call one instance at once past its limits, then Marketo answers no 606 and no 615', async () => {
    const sandbox = createMarketoSandbox({ clientId: 'c', clientSecret: 's', seedLeads: 0 });
    sandbox.setLimits({ ...LIMITS, latencyMs: 5 });
    const server = await sandbox.listen();
    closers.push(() => server.close());
    const clients = await Promise.all([1, 2, 3].map(() => replica(server.url)));

    // 36 calls, 12 per replica and 4 at a time each: three windows' worth, all asked at once.
    await Promise.all(
      clients.flatMap((client) =>
        Array.from({ length: 4 }, async () => {
          for (let i = 0; i < 3; i += 1) await client.describeLeadFields();
        }),
      ),
    );
    const stats = sandbox.stats();
    expect(stats.errorsByCode).toEqual({});
    expect(stats.maxInWindow).toBeLessThanOrEqual(LIMITS.rateLimit);
    expect(stats.maxConcurrent).toBeLessThanOrEqual(LIMITS.maxConcurrency);
    expect(stats.calls).toBe(36);
    // And the day's count is the instance's: every replica's calls, seen by each.
    for (const client of [...clients, ...clients]) await client.flushUsage();
    expect(clients.map((client) => client.stats().callsToday)).toEqual([36, 36, 36]);
  });
});
