import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { createRuntime } from '../../src/runtime.js';
import { connectTestRedis, TEST_REDIS_URL } from '../helpers/redis-test-prefix.js';

let prefix: string;
let cleanup: () => Promise<void>;
const dirs: string[] = [];

beforeEach(async () => {
  ({ prefix, cleanup } = await connectTestRedis());
});
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  await cleanup();
});

async function dataFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-startup-'));
  dirs.push(dir);
  return join(dir, 'store.json');
}

function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('REDIS_URL at start-up', () => {
  it('when REDIS_URL is not a redis:// URL, then the start is refused naming the key, and a password is not echoed', () => {
    const problems = configProblems({ REDIS_URL: 'http://:hunter2@cache:6379' });
    expect(problems).toEqual([expect.stringMatching(/^REDIS_URL: must be a URL such as redis:/)]);
    expect(problems.join()).not.toContain('hunter2');
    expect(configProblems({ REDIS_URL: 'rediss://cache.example:6380/2' })).toEqual([]);
    expect(loadConfig({}).redisUrl).toBeUndefined();
  });

  it('when Redis is unreachable, then the start fails with an error naming Redis, not its password', async () => {
    const config = loadConfig({
      DATA_FILE: await dataFile(),
      SANDBOX_LEADS: '0',
      REDIS_URL: 'redis://:hunter2@127.0.0.1:1',
    });
    const failure = await createRuntime(config, silentLogger).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AppError);
    expect(failure).toMatchObject({ code: 'REDIS_UNREACHABLE' });
    expect((failure as Error).message).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:1 \(REDIS_URL\)/);
    expect((failure as Error).message).not.toContain('hunter2');
  });

  it('when two replicas start on one Redis, then the calls of one count in the day of the other', async () => {
    const env = { SANDBOX_LEADS: '3', REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix };
    const first = await createRuntime(
      loadConfig({ ...env, DATA_FILE: await dataFile() }),
      silentLogger,
    );
    await first.marketo.describeLeadFields();
    await first.marketo.describeLeadFields();
    await first.close();

    const second = await createRuntime(
      loadConfig({ ...env, DATA_FILE: await dataFile() }),
      silentLogger,
    );
    try {
      expect(second.redis).toBeDefined();
      expect(second.marketo.stats()).toMatchObject({ callsToday: 2 });
    } finally {
      await second.close();
    }
  });
});
