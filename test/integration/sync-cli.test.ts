import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** `npm run sync` as a child process, its two streams kept apart. */
function runSyncCli(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/sync.ts'], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run sync', () => {
  it('when it runs with info logs on, then stdout holds only the progress and the summary, and the JSON logs go to stderr', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sync-cli-'));
    const run = await runSyncCli({
      DATA_FILE: join(dir, 'store.json'),
      SANDBOX_LEADS: '300',
      LOG_LEVEL: 'info',
    });

    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
    expect(lines.at(-1)).toMatch(
      /^Sync succeeded: full \(rest\), 300 leads written, 0 deleted, \d+ Marketo calls, [\d.]+ s; 300 leads stored\.$/,
    );
    // The final progress line agrees with the summary under it.
    expect(lines.at(-2)).toMatch(/^\[done\] leads 300 \/ ~\d+ .*\| deleted 0 \| calls \d+/);
    expect(lines.at(-2)).toContain(`calls ${/(\d+) Marketo calls/.exec(lines.at(-1)!)![1]}`);
    const logs = run.stderr.trim().split('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) expect(() => JSON.parse(line) as unknown).not.toThrow();
  }, 30_000);

  it('when the run fails, then a final progress line and the error come before the summary, which is the last line', async () => {
    dir = await mkdtemp(join(tmpdir(), 'sync-cli-'));
    const run = await runSyncCli({
      DATA_FILE: join(dir, 'store.json'),
      SANDBOX_LEADS: '30',
      SYNC_FIELDS: 'email,noSuchField',
    });

    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^Sync failed: .* 0 leads written, 0 deleted, \d+ Marketo calls/);
    expect(lines.at(-2)).toMatch(/^Error \w+: .*noSuchField/);
    expect(lines.at(-3)).toMatch(/^\[[\w-]+\] leads 0 .*\| deleted 0 \| calls \d+/);
  }, 30_000);
});
