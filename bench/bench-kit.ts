/**
 * What every HTTP benchmark here shares: reading its settings, driving a route with autocannon
 * in a worker thread, the server thread's CPU time per call (the ratio that holds whatever
 * else the machine runs), and printing. Each benchmark keeps only its fixtures and phases.
 */
import { readFileSync } from 'node:fs';
import { writeFile as writeFileAsync } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type express from 'express';

export const env = (key: string, fallback: number) => Number(process.env[key] ?? fallback);

/** USER_HZ: /proc gives CPU time in these ticks (100 on Linux builds that matter). */
const CLOCK_TICKS = 100;

/** CPU ms of this process's main thread (Linux); elsewhere its event-loop busy time. */
export function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return performance.eventLoopUtilization().active;
  }
}

export interface Target {
  name: string;
  url: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** The one status every answer must have. */
  status: number;
  /** autocannon's per-request hook, a file path (it runs in the worker). */
  setupRequest?: string;
}

export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  /** The server thread's CPU time per call (autocannon's worker thread not included). */
  cpuUs: number;
  calls: number;
  /** Requests written to the wire: some may not have been answered when the run ended. */
  sent: number;
}

/** Drives `target` for a time or a number of requests; fails on any other status or error. */
export async function drive(
  target: Target,
  run: { seconds: number } | { amount: number },
  connections: number,
  setupRequest: string | undefined = target.setupRequest,
): Promise<Figures> {
  const cpu = mainThreadCpuMs();
  const started = performance.now();
  const result = await autocannon({
    url: target.url,
    connections,
    ...('seconds' in run ? { duration: run.seconds } : { amount: run.amount }),
    workers: 1,
    requests: [
      {
        method: target.method,
        path: target.path,
        headers: target.headers,
        ...(setupRequest === undefined ? {} : { setupRequest }),
      },
    ],
  });
  const seconds = 'seconds' in run ? run.seconds : (performance.now() - started) / 1000;
  const cpuMs = mainThreadCpuMs() - cpu;
  const codes = Object.keys(result.statusCodeStats ?? {}).join();
  if (result.errors + result.timeouts > 0 || codes !== String(target.status)) {
    throw new Error(`${target.name}: answers ${codes}, ${result.errors} errors`);
  }
  const calls = result.requests.total;
  return {
    rps: calls / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUs: (cpuMs * 1000) / calls,
    calls,
    sent: result.requests.sent,
  };
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
/** Medians of the turns' figures; the counts add up. */
export function summarise(runs: Figures[]): Figures {
  const pick = (key: keyof Figures) => median(runs.map((f) => f[key]));
  const sum = (key: 'calls' | 'sent') => runs.reduce((total, f) => total + f[key], 0);
  const [rps, p50, p99, cpuUs] = [pick('rps'), pick('p50'), pick('p99'), pick('cpuUs')];
  return { rps, p50, p99, cpuUs, calls: sum('calls'), sent: sum('sent') };
}

export const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;

export const fmt = (f: Figures) =>
  `${f.rps.toFixed(0).padStart(6)} req/s   p50 ${String(f.p50).padStart(3)} ms   ` +
  `p99 ${String(f.p99).padStart(4)} ms   cpu ${f.cpuUs.toFixed(0).padStart(4)} us/call`;

/** The app on an ephemeral loopback port. */
export function listen(app: express.Express): Promise<{ url: string; close: () => void }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    });
  });
}

/** The machine's 1, 5 and 15 minute load averages, printed beside each figure (shared cores). */
export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/**
 * With BENCH_CPU_PROFILE=<file>: V8 CPU profiles of the measured route's rounds only (started
 * and stopped around each, a file a round; open them in Chrome DevTools or speedscope), so the
 * baseline's rounds do not blur what the route costs. Undefined without the variable.
 */
export function createRoundProfiler(file: string | undefined) {
  if (file === undefined || file === '') return undefined;
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  let ready: Promise<unknown> | undefined;
  const merged: { nodes: unknown[]; samples: number[]; timeDeltas: number[] }[] = [];
  return {
    async start() {
      ready ??= post('Profiler.enable').then(() =>
        post('Profiler.setSamplingInterval', { interval: 100 }),
      );
      await ready;
      await post('Profiler.start');
    },
    async stop() {
      const { profile } = (await post('Profiler.stop')) as { profile: (typeof merged)[number] };
      merged.push(profile);
    },
    /** One file a round: <file>-1.cpuprofile, <file>-2.cpuprofile, ... */
    async write() {
      await Promise.all(
        merged.map((profile, i) =>
          writeFileAsync(`${file}-${i + 1}.cpuprofile`, JSON.stringify(profile)),
        ),
      );
      session.disconnect();
    },
  };
}
