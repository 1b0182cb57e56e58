import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitCodeOf, spawnTs, waitForOutput } from './spawn-service.js';

/**
 * Service replicas as separate processes (src/main.ts through tsx), all on one Marketo, one
 * PostgreSQL database and one Redis prefix, each signed in to Marketo as an API user of its
 * own (the sandbox's `moreApiUsers`), so the sandbox's call log tells their calls apart.
 */

export const REPLICA_SECRETS = {
  ADMIN_TOKEN: 'admin-token-for-the-replica-test-0123',
  WEBHOOK_SECRET: 'webhook-secret-for-the-replica-test-01',
  SSFS_API_KEY: 'ssfs-api-key-for-the-replica-test-0123',
  // One key for all: a meeting link made by one replica opens on another.
  TOKEN_ENCRYPTION_KEY: 'fedcba9876543210'.repeat(4),
};

export interface ReplicaOptions {
  marketoUrl: string;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  /** The rest of the environment all replicas share (limits, leader timings). */
  env: Record<string, string>;
}

export interface Replica {
  name: string;
  /** The Marketo API user it signs in as: its key in the sandbox's call log. */
  clientId: string;
  clientSecret: string;
  child: ReturnType<typeof spawnTs>;
  url: string;
  /** `fetch` on this replica, with the admin token and JSON unless `init` says otherwise. */
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  isLeader(): Promise<boolean>;
}

export const apiUserOf = (name: string) => ({
  clientId: `replica-${name}`,
  clientSecret: `secret-of-replica-${name}`,
});

/** A folder for the replicas' DATA_FILE (with DATABASE_URL it only places generated secrets). */
export async function createReplicaFolder(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'replicas-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Spawns one replica; resolves once it listens (its port is in its log). */
export async function startReplica(
  name: string,
  dir: string,
  options: ReplicaOptions,
): Promise<Replica> {
  const user = apiUserOf(name);
  const child = spawnTs('src/main.ts', {
    ...REPLICA_SECRETS,
    DATA_FILE: join(dir, name, 'store.json'),
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: options.redisKeyPrefix,
    MARKETO_BASE_URL: options.marketoUrl,
    MARKETO_CLIENT_ID: user.clientId,
    MARKETO_CLIENT_SECRET: user.clientSecret,
    ...options.env,
  });
  try {
    const [, port] = await waitForOutput(child, /listening on http:\/\/localhost:(\d+)/, 30_000);
    return replicaAt(name, user, child, `http://127.0.0.1:${port}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

function replicaAt(
  name: string,
  user: { clientId: string; clientSecret: string },
  child: ReturnType<typeof spawnTs>,
  url: string,
): Replica {
  const call: Replica['call'] = (path, init = {}) => {
    const { json, headers, ...rest } = init;
    return fetch(`${url}${path}`, {
      ...rest,
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      headers: {
        Authorization: `Bearer ${REPLICA_SECRETS.ADMIN_TOKEN}`,
        ...(json === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(headers as Record<string, string> | undefined),
      },
    });
  };
  return {
    name,
    ...user,
    child,
    url,
    call,
    async isLeader() {
      const health = (await (await call('/health')).json()) as { leader?: unknown };
      return health.leader === true;
    },
  };
}

/** SIGKILLs every replica still running and waits for each to be gone. */
export async function killReplicas(replicas: readonly Replica[]): Promise<void> {
  await Promise.all(
    replicas.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exitCodeOf(child);
    }),
  );
}

/**
 * Polls `probe` until it returns a value other than undefined; fails after `timeoutMs` with
 * `what` and the last error, so a wait never hangs and never sleeps longer than it must.
 */
export async function pollFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}` +
          (lastError === undefined ? '' : `; last error: ${String(lastError)}`),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface LeaderWatch {
  /** Stops sampling; what was seen: samples taken, the most leaders at once, terms by name. */
  stop(): Promise<{ samples: number; mostAtOnce: number; terms: string[] }>;
}

/**
 * Asks every replica's /health side by side, again and again, until stopped: two leaders in
 * one sample would be two replicas running the jobs at once. `terms` lists who led, in order
 * (a name repeated after another's means the lead moved).
 */
export function watchLeaders(replicas: readonly Replica[], everyMs = 50): LeaderWatch {
  let running = true;
  let samples = 0;
  let mostAtOnce = 0;
  const terms: string[] = [];
  const loop = (async () => {
    while (running) {
      const flags = await Promise.all(
        replicas.map((replica) => replica.isLeader().catch(() => false)),
      );
      const now = replicas.filter((_, i) => flags[i]).map((replica) => replica.name);
      samples += 1;
      mostAtOnce = Math.max(mostAtOnce, now.length);
      if (now.length === 1 && terms.at(-1) !== now[0]) terms.push(now[0]!);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { samples, mostAtOnce, terms };
    },
  };
}
