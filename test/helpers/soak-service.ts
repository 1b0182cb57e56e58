import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPLICA_SECRETS, apiUserOf } from './replicas-cluster.js';
import { exitCodeOf, spawnTs, waitForOutput } from './spawn-service.js';

/**
 * One service process of the soak (test/helpers/soak-service-main.ts: src/main.ts's wiring
 * with a clock that may run ahead), its address, and how to crash or stop it. Each node signs in
 * to Marketo as an API user of its own (apiUserOf), so the sandbox's call log tells them apart.
 */
export interface SoakNode {
  name: string;
  clientId: string;
  url: string;
  child: ReturnType<typeof spawnTs>;
  /** Peak resident memory of the process so far (VmHWM), in bytes; 0 once it has exited. */
  peakRss(): Promise<number>;
  /** SIGKILL, and wait for the exit: a crash at whatever the process was doing. */
  kill(): Promise<void>;
  /** SIGTERM: the service stops its jobs and closes its store; waits for the exit. */
  stop(): Promise<void>;
}

export interface SoakNodeOptions {
  /** Where DATA_FILE goes (one store file per node name). */
  dir: string;
  /** The environment every node shares: Marketo, store, limits, secrets. */
  env: Record<string, string>;
  /** How far ahead of the machine's clock this process's clock runs. */
  clockOffsetMs?: number;
}

export const SOAK_SECRETS = REPLICA_SECRETS;

export async function startSoakNode(name: string, options: SoakNodeOptions): Promise<SoakNode> {
  const user = apiUserOf(name);
  const child = spawnTs('test/helpers/soak-service-main.ts', {
    ...SOAK_SECRETS,
    DATA_FILE: join(options.dir, `${name}.json`),
    PORT: '0',
    HOST: '127.0.0.1',
    MARKETO_CLIENT_ID: user.clientId,
    MARKETO_CLIENT_SECRET: user.clientSecret,
    SOAK_CLOCK_OFFSET_MS: String(options.clockOffsetMs ?? 0),
    ...options.env,
  });
  let port: string | undefined;
  try {
    [, port] = await waitForOutput(child, /listening on http:\/\/localhost:(\d+)/, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  const signal = async (how: NodeJS.Signals) => {
    if (ended()) return;
    child.kill(how);
    await exitCodeOf(child);
  };
  return {
    name,
    clientId: user.clientId,
    url: `http://127.0.0.1:${port}`,
    child,
    async peakRss() {
      if (ended() || child.pid === undefined) return 0;
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
      const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
      return kb === undefined ? 0 : Number(kb) * 1024;
    },
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  };
}
