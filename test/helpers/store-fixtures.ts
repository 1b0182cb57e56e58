import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LeadStore, LeadUpsert } from '../../src/store/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A lead as the sync stores it: the default SYNC_FIELDS with plausible values. */
export function makeLead(id: number, overrides: Partial<LeadUpsert> = {}): LeadUpsert {
  return {
    id,
    fields: {
      email: `lead${id}@example.com`,
      firstName: `First${id}`,
      lastName: `Last${id}`,
      company: `Company ${id % 977}`,
      title: 'Head of Marketing Operations',
      phone: `+1 555 01${String(id % 100).padStart(2, '0')} ${String(id % 10000).padStart(4, '0')}`,
      country: 'United States',
      state: 'CA',
      city: 'San Francisco',
      industry: 'Software',
      leadSource: 'Website',
      leadStatus: 'Open',
      createdAt: '2025-03-14T09:26:53Z',
      updatedAt: '2026-11-20T17:02:11Z',
    },
    observedAt: Date.UTC(2026, 10, 24, 12, 0, 0),
    source: 'sync',
    ...overrides,
  };
}

export async function createTempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'store-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript helper of test/helpers in its own Node process, through tsx. */
export function spawnHelper(helper: string, args: string[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'test/helpers', helper), ...args],
    {
      cwd: repoRoot,
      // stdin is a pipe for helpers that take commands (store-open.ts --coordinated).
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<ChildRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout };
}

/**
 * Watches the event loop with a 5 ms interval: the longest gap between two ticks is the
 * longest stall a timer (a rate limiter stamping a request, an HTTP handler) would have seen.
 */
export function watchEventLoop(intervalMs = 5): { stop(): { longestMs: number; ticks: number } } {
  let last = performance.now();
  let longestMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longestMs = Math.max(longestMs, now - last);
    last = now;
    ticks++;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      longestMs = Math.max(longestMs, performance.now() - last);
      return { longestMs, ticks };
    },
  };
}

/** The ids of the leads `ids` as the store holds them (undefined where it holds none). */
export async function leadIds(
  store: Pick<LeadStore, 'getLead'>,
  ids: readonly number[],
): Promise<Array<number | undefined>> {
  const leads = await Promise.all(ids.map((id) => store.getLead(id)));
  return leads.map((lead) => lead?.id);
}
