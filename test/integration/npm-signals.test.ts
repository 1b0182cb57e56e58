import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonFileStore } from '../../src/store/index.js';
import { exitCodeOf, spawnNpm, waitForOutput } from '../helpers/spawn-service.js';

// Issue 9, item 22: a signal to `npm start` or `npm run sync` used to stop npm and its shell
// but leave the node process running, orphaned, holding the port and the store's lock.

let dir: string;
const children: Array<ReturnType<typeof spawnNpm>> = [];
const closers: Array<() => void> = [];

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
  for (const close of closers.splice(0)) close();
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

/** Marketo's real window with a budget of three calls: the fourth call waits about 20 s. */
const SLOW_BUDGET = {
  SANDBOX_LEADS: '3000',
  MARKETO_RATE_LIMIT: '3',
  MARKETO_RATE_WINDOW_MS: '20000',
};

describe('signals through npm with work in flight', () => {
  it('when npm run sync gets SIGTERM while a call waits 20 s for the budget, then the waiting call is dropped, the run says it stopped after checkpointing, exits 0 within 10 s, and the next run finishes the copy', async () => {
    const first = npmRun('sync', SLOW_BUDGET);
    await waitForOutput(first, /waiting for the call budget \(3 calls per 21 s\)/, 60_000);

    first.kill('SIGTERM');
    const { code, withinLimit } = await exitsWithin(first, 10_000);
    expect(first.output()).not.toMatch(/did not stop within/);
    expect(code).toBe(0);
    expect(withinLimit).toBe(true);
    expect(first.output()).toMatch(/Sync stopped: /);
    expect(first.output()).toMatch(/Stopped after checkpointing/);
    expect(existsSync(join(dir, 'store.json.lock'))).toBe(false);

    const second = npmRun('sync', {
      SANDBOX_LEADS: '3000',
      MARKETO_RATE_LIMIT: '50',
      MARKETO_RATE_WINDOW_MS: '1000',
    });
    expect(await exitCodeOf(second)).toBe(0);
    expect(second.output()).toMatch(/Sync succeeded: full/);
    expect(second.output()).toMatch(/3,000 leads stored/);
  }, 90_000);

  it('when the service gets SIGTERM while its startup sync waits 20 s for the budget, then the sync is stopped (not failed) and the service exits 0 within 10 s', async () => {
    const service = npmRun('dev', { ...SLOW_BUDGET, LOG_LEVEL: 'debug' });
    await waitForOutput(service, /listening on http:\/\/localhost:(\d+)/, 60_000);
    // Three calls answered: the window is full and the startup sync's next call waits ~20 s.
    await waitForOutput(service, /("msg":"Marketo call"[\s\S]*){3}/, 30_000);

    service.kill('SIGTERM');
    const { code, withinLimit } = await exitsWithin(service, 10_000);
    expect(service.output()).not.toMatch(/did not stop within/);
    expect(code).toBe(0);
    expect(withinLimit).toBe(true);
    expect(service.output()).toMatch(/"msg":"stopped"/);
    const store = await createJsonFileStore({ file: join(dir, 'store.json') });
    const lastRun = (await store.loadSyncState()).lastRun;
    await store.close();
    expect(lastRun).toMatchObject({ outcome: 'stopped' });
  }, 90_000);

  it('when the service gets SIGTERM while a flow-step callback waits on a receiver that answers after 15 s, then the callback is aborted, stays in the outbox for the next start, and the service exits 0 within 10 s', async () => {
    const held: ServerResponse[] = [];
    let received!: () => void;
    const callbackArrived = new Promise<void>((resolve) => (received = resolve));
    const receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
      received();
      req.resume();
      held.push(res); // answered only when the test ends: longer than any stop may take
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      for (const res of held) res.destroy();
      receiver.close();
    });
    const receiverPort = (receiver.address() as AddressInfo).port;

    const service = npmRun('dev', {
      SANDBOX_LEADS: '300',
      SYNC_ENABLED: 'false',
      SSFS_API_KEY: 'ssfs-key-for-the-stop-test-0123456789',
      SSFS_CALLBACK_HOSTS: `127.0.0.1:${receiverPort}`,
    });
    const [, port] = await waitForOutput(service, /listening on http:\/\/localhost:(\d+)/, 60_000);
    const invocation = await fetch(`http://127.0.0.1:${port}/flow-steps/submitAsyncAction`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'ssfs-key-for-the-stop-test-0123456789',
      },
      body: JSON.stringify({
        token: 'stop-test-token',
        batchid: 'stop-test-batch',
        apiCallBackKey: 'stop-test-callback-key',
        campaignId: 1001,
        callbackUrl: `http://127.0.0.1:${receiverPort}/callback`,
        context: { subscription: { munchkinId: 'AAA-999-ZZZ' } },
        objectData: [
          {
            objectType: 'lead',
            objectContext: { id: 1000001, email: 'pat@example.com' },
            flowStepContext: { routingPool: 'all' },
          },
        ],
      }),
    });
    expect(invocation.status).toBe(201);
    await callbackArrived;

    service.kill('SIGTERM');
    const { code, withinLimit } = await exitsWithin(service, 10_000);
    expect(service.output()).not.toMatch(/did not stop within/);
    expect(code).toBe(0);
    expect(withinLimit).toBe(true);
    expect(service.output()).toMatch(/"msg":"stopped"/);

    // The callback was not lost nor dead-lettered: it is due again for the next start.
    const store = await createJsonFileStore({ file: join(dir, 'store.json') });
    const pending = (await store.listOutbox({ status: 'pending' })).filter((i) =>
      i.kind.includes('callback'),
    );
    await store.close();
    expect(pending).toHaveLength(1);
    expect(pending[0]!.lastError).toMatch(/^STOPPED: /);
  }, 90_000);
});
