import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exitCodeOf, spawnNpm, waitForOutput } from '../helpers/spawn-service.js';

// Issue 9, item 22: a signal to `npm start` or `npm run sync` used to stop npm and its shell
// but leave the node process running, orphaned, holding the port and the store's lock.

let dir: string;
const children: Array<ReturnType<typeof spawnNpm>> = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'npm-signals-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await rm(dir, { recursive: true, force: true });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of the process that holds the store, from its lock file. */
function lockHolder(): number {
  const holder = JSON.parse(readFileSync(join(dir, 'store.json.lock'), 'utf8')) as { pid: number };
  return holder.pid;
}

function npmRun(script: string, env: Record<string, string> = {}) {
  const child = spawnNpm(script, {
    DATA_FILE: join(dir, 'store.json'),
    SANDBOX_LEADS: '40000',
    MARKETO_RATE_LIMIT: '20',
    MARKETO_RATE_WINDOW_MS: '1000',
    MARKETO_MAX_CONCURRENCY: '2',
    SYNC_FIELDS: 'email,firstName,lastName,company',
    PORT: '0',
    HOST: '127.0.0.1',
    ...env,
  });
  children.push(child);
  return child;
}

async function exitsWithin(child: ReturnType<typeof spawnNpm>, ms: number) {
  const started = performance.now();
  const code = await exitCodeOf(child);
  return { code, ms: performance.now() - started, withinLimit: performance.now() - started < ms };
}

describe('signals through npm', () => {
  it('when npm run sync gets SIGTERM, then the sync checkpoints, says so, and every process exits 0 within 10 s, leaving no lock', async () => {
    const sync = npmRun('sync');
    await waitForOutput(sync, /\[full-rest\] leads [1-9]/, 60_000);
    const node = lockHolder();
    expect(node).not.toBe(sync.pid);

    sync.kill('SIGTERM');
    const { code, withinLimit } = await exitsWithin(sync, 10_000);
    expect(code).toBe(0);
    expect(withinLimit).toBe(true);
    expect(sync.output()).toMatch(/Stopped after checkpointing/);
    expect(isRunning(node)).toBe(false);
    expect(existsSync(join(dir, 'store.json.lock'))).toBe(false);
  }, 90_000);

  it('when Ctrl-C is pressed twice on npm run sync, then it still stops cleanly and leaves no stale lock', async () => {
    const sync = npmRun('sync');
    await waitForOutput(sync, /\[full-rest\] leads [1-9]/, 60_000);
    const node = lockHolder();

    // A terminal's Ctrl-C signals the whole foreground process group.
    process.kill(-sync.pid!, 'SIGINT');
    process.kill(-sync.pid!, 'SIGINT');
    const { code, withinLimit } = await exitsWithin(sync, 10_000);
    expect(code).toBe(0);
    expect(withinLimit).toBe(true);
    expect(sync.output()).toMatch(/Stopped after checkpointing/);
    expect(isRunning(node)).toBe(false);
    expect(existsSync(join(dir, 'store.json.lock'))).toBe(false);
  }, 90_000);

  it('when the service run through npm gets SIGTERM, then it stops, says so, and exits 0 within 10 s, freeing the lock and the port', async () => {
    const service = npmRun('dev', { SANDBOX_LEADS: '300' });
    const [, port] = await waitForOutput(service, /listening on http:\/\/localhost:(\d+)/, 60_000);
    const node = lockHolder();
    expect(node).not.toBe(service.pid);

    service.kill('SIGTERM');
    const { code, withinLimit } = await exitsWithin(service, 10_000);
    expect(code).toBe(0);
    expect(withinLimit).toBe(true);
    expect(service.output()).toMatch(/"msg":"stopped"/);
    expect(isRunning(node)).toBe(false);
    expect(existsSync(join(dir, 'store.json.lock'))).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 90_000);

  it('when the package scripts start a long-running process, then npm runs node itself (exec), not a shell that would orphan it', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { scripts: Record<string, string> };
    for (const script of ['start', 'dev', 'sync']) {
      expect(pkg.scripts[script]).toMatch(/(^|&& )exec node [^&|;]+$/);
    }
  });
});
