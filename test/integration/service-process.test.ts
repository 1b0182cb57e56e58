import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonFileStore } from '../../src/store/index.js';
import { exitCodeOf, spawnTs, waitForOutput } from '../helpers/spawn-service.js';

let dir: string;
const children: Array<ReturnType<typeof spawnTs>> = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-process-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

function cli(env: Record<string, string>) {
  const child = spawnTs('src/cli/sync.ts', {
    DATA_FILE: join(dir, 'store.json'),
    SANDBOX_LEADS: '40000',
    MARKETO_RATE_LIMIT: '100',
    MARKETO_RATE_WINDOW_MS: '1000',
    MARKETO_MAX_CONCURRENCY: '5',
    SYNC_FIELDS: 'email,firstName,lastName,company',
    ...env,
  });
  children.push(child);
  return child;
}

describe('the service and the sync as processes', () => {
  it('when the configuration is bad, then the service exits 1 naming every bad key', async () => {
    const child = spawnTs('src/main.ts', {
      DATA_FILE: join(dir, 'store.json'),
      PORT: 'eighty',
      MARKETO_RATE_LIMIT: '500',
      SYNC_CRON: 'often',
    });
    children.push(child);
    expect(await exitCodeOf(child)).toBe(1);
    expect(child.output()).toMatch(/PORT/);
    expect(child.output()).toMatch(/MARKETO_RATE_LIMIT/);
    expect(child.output()).toMatch(/SYNC_CRON/);
  });

  it('when started without Marketo settings, then it serves in sandbox mode, refuses a second process on the same store, and stops on SIGTERM with 0', async () => {
    const env = {
      DATA_FILE: join(dir, 'store.json'),
      PORT: '0',
      HOST: '127.0.0.1',
      SANDBOX_LEADS: '300',
    };
    const service = spawnTs('src/main.ts', env);
    children.push(service);
    const [, port] = await waitForOutput(service, /listening on http:\/\/localhost:(\d+)/);
    expect(service.output()).toMatch(/SANDBOX MODE/);
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
      mode: string;
    };
    expect(health.mode).toBe('sandbox');

    const second = spawnTs('src/main.ts', env);
    children.push(second);
    expect(await exitCodeOf(second)).toBe(1);
    expect(second.output()).toMatch(/STORE_LOCKED|in use|locked/i);

    service.kill('SIGTERM');
    expect(await exitCodeOf(service)).toBe(0);
    expect(service.output()).not.toContain(readFileSync(join(dir, 'admin-token'), 'utf8').trim());
  });

  it('when npm run sync is killed with SIGKILL mid-copy, then the store file is intact and the next run finishes the copy', async () => {
    const first = cli({});
    await waitForOutput(first, /\[full-rest\] leads [1-9]\d{0,2},\d{3}/, 30_000);
    first.kill('SIGKILL');
    await exitCodeOf(first);

    // The document parses; the pages since its last checkpoint are in the lead journal beside
    // it, which opening the store replays (taking over the dead process's lock).
    expect(
      () => JSON.parse(readFileSync(join(dir, 'store.json'), 'utf8')) as unknown,
    ).not.toThrow();
    const reopened = await createJsonFileStore({ file: join(dir, 'store.json') });
    const kept = await reopened.countLeads();
    await reopened.close();
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(40_000);

    const second = cli({});
    expect(await exitCodeOf(second)).toBe(0);
    expect(second.output()).toMatch(/Sync succeeded: full \(rest\)/);
    expect(second.output()).toMatch(/40,000 leads stored/);
  }, 90_000);

  it('when npm run sync gets SIGTERM, then it checkpoints, exits 0, and the next run resumes', async () => {
    const first = cli({});
    await waitForOutput(first, /\[full-rest\] leads [1-9]\d{0,2},\d{3}/, 30_000);
    first.kill('SIGTERM');
    expect(await exitCodeOf(first)).toBe(0);
    expect(first.output()).toMatch(/Stopped after checkpointing/);

    const second = cli({});
    expect(await exitCodeOf(second)).toBe(0);
    expect(second.output()).toMatch(/40,000 leads stored/);
  }, 90_000);
});
