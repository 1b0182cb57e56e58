import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  startSoakNode,
  SOAK_SECRETS,
  type SoakNode,
  type SoakNodeOptions,
} from './soak-service.js';
import type { SoakTargets } from './soak-traffic.js';

/**
 * The soak's service processes by name: which are up (where traffic goes), crashing one and
 * starting it again, restarting them all with their clock ahead for the drain, and the peak
 * memory of every process that ran.
 */
export interface SoakCluster extends SoakTargets {
  names: readonly string[];
  nodes(): SoakNode[];
  /** `fetch` on a node that is up, with the admin token (and JSON when `json` is given). */
  call(path: string, init?: { method?: string; json?: unknown }): Promise<Response>;
  /** The node /health calls leader (the one running the jobs), if any. */
  leader(): Promise<SoakNode | undefined>;
  /** SIGKILLs `name` (taken out of traffic first), then starts it again; returns the kill time. */
  crash(name: string): Promise<number>;
  /** Stops every node (SIGTERM) and starts them again with their clocks `offsetMs` ahead. */
  restartAll(offsetMs: number): Promise<void>;
  stopAll(): Promise<void>;
  /** Highest peak RSS (VmHWM) seen of any process, in bytes. */
  peakRss(): Promise<number>;
  kills: number;
}

export async function startSoakCluster(
  names: readonly string[],
  options: SoakNodeOptions & { logDir?: string },
): Promise<SoakCluster> {
  const up = new Map<string, SoakNode>();
  let offsetMs = options.clockOffsetMs ?? 0;
  let waiters: Array<() => void> = [];
  let peak = 0;
  const start = async (name: string) => {
    const node = await startSoakNode(name, { ...options, clockOffsetMs: offsetMs });
    up.set(name, node);
    for (const wake of waiters) wake();
    waiters = [];
  };
  // Read before the process ends: VmHWM is its lifetime peak.
  let generation = 0;
  const sample = async (node: SoakNode, ending = true) => {
    peak = Math.max(peak, await node.peakRss());
    // Kept for a failure's post-mortem: every process's log, in order, as it ends.
    if (ending && options.logDir !== undefined) {
      generation += 1;
      await writeFile(join(options.logDir, `${node.name}-${generation}.log`), node.child.output());
    }
  };
  await Promise.all(names.map(start));

  const cluster: SoakCluster = {
    names,
    kills: 0,
    nodes: () => [...up.values()],
    urls: () => [...up.values()].map((node) => node.url),
    whenUp: () =>
      up.size > 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
    async call(path, init = {}) {
      const node = [...up.values()][0];
      if (node === undefined) throw new Error('no soak node is up');
      return fetch(`${node.url}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          Authorization: `Bearer ${SOAK_SECRETS.ADMIN_TOKEN}`,
          ...(init.json === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
      });
    },
    async leader() {
      for (const node of up.values()) {
        const health = await fetch(`${node.url}/health`)
          .then((res) => res.json() as Promise<{ leader?: unknown }>)
          .catch(() => ({ leader: false }));
        if (health.leader === true) return node;
      }
      return undefined;
    },
    async crash(name) {
      const node = up.get(name);
      if (node === undefined) throw new Error(`soak node ${name} is not up`);
      up.delete(name);
      await sample(node);
      const at = Date.now();
      await node.kill();
      cluster.kills += 1;
      await start(name);
      return at;
    },
    async restartAll(nextOffsetMs) {
      await cluster.stopAll();
      offsetMs = nextOffsetMs;
      await Promise.all(names.map(start));
    },
    async stopAll() {
      const nodes = [...up.values()];
      up.clear();
      await Promise.all(nodes.map((node) => sample(node)));
      await Promise.all(nodes.map((node) => node.stop()));
    },
    async peakRss() {
      await Promise.all([...up.values()].map((node) => sample(node, false)));
      return peak;
    },
  };
  return cluster;
}
