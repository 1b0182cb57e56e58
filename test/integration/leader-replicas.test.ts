import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMarketoSandbox } from '../../src/sandbox/index.js';
import { exitCodeOf, spawnTs, waitForOutput } from '../helpers/spawn-service.js';

// Two service processes on the machine's real Redis (.ci/run starts it), each with a JSON
// store of its own, both serving one Marketo (a sandbox this test starts), under a key prefix
// of this run's own, so no other test shares their lease.
const REDIS_URL = 'redis://127.0.0.1:6379';
const TOKEN = 'admin-token-for-leader-replicas-0123';
const TTL_MS = 1_000;
const CHECK_MS = 200;

let redis: Redis;
let dir: string;
let marketo: { url: string; close(): Promise<void> };
let prefix: string;
const children: Array<ReturnType<typeof spawnTs>> = [];

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await redis.connect().catch((error: unknown) => {
    throw new Error(`this test needs Redis at ${REDIS_URL} (.ci/run starts it): ${String(error)}`);
  });
});
afterAll(async () => {
  await redis.quit();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leader-replicas-'));
  marketo = await createMarketoSandbox({ seedLeads: 300 }).listen(0, '127.0.0.1');
  prefix = `test-leader-${process.pid}-${Date.now()}`;
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await marketo.close();
  await rm(dir, { recursive: true, force: true });
});

function replica(name: string) {
  const child = spawnTs('src/main.ts', {
    DATA_FILE: join(dir, name, 'store.json'),
    PORT: '0',
    HOST: '127.0.0.1',
    MARKETO_BASE_URL: marketo.url,
    MARKETO_CLIENT_ID: 'sandbox-client',
    MARKETO_CLIENT_SECRET: 'sandbox-secret',
    ADMIN_TOKEN: TOKEN,
    WEBHOOK_SECRET: 'webhook-secret-for-leader-replicas-01',
    SSFS_API_KEY: 'ssfs-api-key-for-leader-replicas-0123',
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    LEADER_TTL_MS: String(TTL_MS),
    LEADER_CHECK_MS: String(CHECK_MS),
  });
  children.push(child);
  return child;
}

async function statusOf(port: string) {
  const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
    leader: boolean;
  };
  const sync = (await (
    await fetch(`http://127.0.0.1:${port}/api/sync/status`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    })
  ).json()) as { state: string; leadsStored: number };
  return { leader: health.leader, syncState: sync.state, leadsStored: sync.leadsStored };
}

const LEADS = /this replica now runs the scheduled jobs/;

describe('two service processes on one Redis', () => {
  it('when both run, then exactly one runs the scheduled sync; when it is killed, the other takes over within ttl + one check', async () => {
    const first = replica('a');
    const [, firstPort] = await waitForOutput(first, /listening on http:\/\/localhost:(\d+)/);
    await waitForOutput(first, LEADS);
    const second = replica('b');
    const [, secondPort] = await waitForOutput(second, /listening on http:\/\/localhost:(\d+)/);

    // The leader copies its sandbox's leads at start; the other never starts a sync.
    await waitForOutput(first, /lead sync finished/, 30_000);
    const a = await statusOf(firstPort!);
    const b = await statusOf(secondPort!);
    expect(a.leader).toBe(true);
    expect(b.leader).toBe(false);
    expect(a.leadsStored).toBeGreaterThan(0);
    expect(b).toMatchObject({ syncState: 'never-run', leadsStored: 0 });
    expect(second.output()).not.toMatch(LEADS);

    const killedAt = Date.now();
    first.kill('SIGKILL');
    await exitCodeOf(first);
    await waitForOutput(second, LEADS, 10_000);
    const takeoverMs = Date.now() - killedAt;
    console.log(
      `replica takeover after SIGKILL: ${takeoverMs} ms (LEADER_TTL_MS ${TTL_MS}, LEADER_CHECK_MS ${CHECK_MS}; shared machine)`,
    );
    // Bound: the lease left (at most the ttl) plus one check, and the log line's polling.
    expect(takeoverMs).toBeLessThan(TTL_MS + CHECK_MS + 1_000);
    expect((await statusOf(secondPort!)).leader).toBe(true);
    // The new leader starts the copy its store never had.
    await waitForOutput(second, /lead sync finished/, 30_000);
    second.kill('SIGTERM');
    expect(await exitCodeOf(second)).toBe(0);
  }, 90_000);
});
