/**
 * The Marketo the sync benchmark calls: the sandbox in a process of its own (the default), as a
 * real Marketo is a server of its own, or in the benchmark's process (BENCH_SANDBOX=inline, the
 * earlier setup, where the sandbox's CPU, its heap of every lead and its 30 ms timers share the
 * service's event loop and slow the sync it measures). Both answer the same few questions:
 * the call statistics, and "change `count` leads spread over `spanMs` of Marketo time" for the
 * incremental run (the sandbox's clock is moved between changes, not waited on). The process
 * is sync-sandbox-child.ts, forked with an IPC channel; its CPU time is printed by the bench.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createShiftedClock } from '../src/deps.js';
import { createMarketoSandbox } from '../src/sandbox/index.js';
import type { SandboxStats } from '../src/sandbox/sandbox-types.js';

export interface SyncSandboxOptions {
  leads: number;
  rateLimit: number;
  rateWindowMs: number;
  maxConcurrency: number;
  latencyMs: number;
  /** The sandbox's clock starts this far back, so the changes can be spread up to now. */
  clockBackMs: number;
}

export interface SyncSandbox {
  url: string;
  where: 'process' | 'inline';
  stats(): Promise<SandboxStats>;
  resetStats(): Promise<void>;
  /** Changes `count` leads over `spanMs` of Marketo time; answers how many distinct leads. */
  change(count: number, spanMs: number): Promise<number>;
  /** CPU ms the sandbox's process has used (undefined inline: it is the bench's own). */
  cpuMs(): number | undefined;
  close(): Promise<void>;
}

/** The incremental run's changes, the same in both modes. */
export function applyChanges(
  sandbox: Pick<ReturnType<typeof createMarketoSandbox>, 'allLeads' | 'upsertLead'>,
  clock: { advance(ms: number): void },
  count: number,
  spanMs: number,
): number {
  const leads = sandbox.allLeads();
  const changed = new Set<number>();
  for (let i = 0; i < count; i += 1) {
    clock.advance(spanMs / count);
    const lead = leads[(i * 7919) % leads.length]!;
    changed.add(lead.id);
    sandbox.upsertLead({
      id: lead.id,
      firstName: `Changed${i}`,
      title: i % 3 === 0 ? 'VP Sales' : 'Engineer',
    });
  }
  return changed.size;
}

export function sandboxOptions(options: SyncSandboxOptions) {
  return {
    seedLeads: options.leads,
    rateLimit: options.rateLimit,
    rateWindowMs: options.rateWindowMs,
    maxConcurrency: options.maxConcurrency,
    latencyMs: options.latencyMs,
  };
}

export async function startSyncSandbox(
  where: 'process' | 'inline',
  options: SyncSandboxOptions,
): Promise<SyncSandbox> {
  return where === 'inline' ? startInline(options) : startProcess(options);
}

async function startInline(options: SyncSandboxOptions): Promise<SyncSandbox> {
  const clock = createShiftedClock(-options.clockBackMs);
  const sandbox = createMarketoSandbox({ clock, ...sandboxOptions(options) });
  const server = await sandbox.listen(0, '127.0.0.1');
  return {
    url: server.url,
    where: 'inline',
    stats: async () => sandbox.stats(),
    resetStats: async () => sandbox.resetStats(),
    change: async (count, spanMs) => applyChanges(sandbox, clock, count, spanMs),
    cpuMs: () => undefined,
    close: () => server.close(),
  };
}

type Reply = { id: number; result?: unknown; error?: string };

async function startProcess(options: SyncSandboxOptions): Promise<SyncSandbox> {
  const child: ChildProcess = fork(
    fileURLToPath(new URL('sync-sandbox-child.ts', import.meta.url)),
    {
      execArgv: ['--import', 'tsx', '--max-old-space-size=8192'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  child.on('message', (message: Reply) => {
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiting?.reject(new Error(message.error));
    else waiting?.resolve(message.result);
  });
  child.once('exit', (code) => {
    for (const waiting of pending.values()) waiting.reject(new Error(`sandbox exited ${code}`));
    pending.clear();
  });
  const ask = <T>(op: string, args: unknown[] = []) =>
    new Promise<T>((resolve, reject) => {
      next += 1;
      pending.set(next, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id: next, op, args });
    });
  const url = await ask<string>('start', [options]);
  return {
    url,
    where: 'process',
    stats: () => ask<SandboxStats>('stats'),
    resetStats: () => ask<void>('resetStats'),
    change: (count, spanMs) => ask<number>('change', [count, spanMs]),
    cpuMs: () => processCpuMs(child.pid),
    close: async () => {
      await ask('close');
      child.disconnect();
    },
  };
}

/** User and system CPU of a process, all its threads (Linux /proc; USER_HZ 100). */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
